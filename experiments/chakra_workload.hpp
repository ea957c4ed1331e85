// `--workload chakra --chakra PREFIX`: the Workload DAG of a set of Chakra rank files
// (workloads/chakra/chakra_import.hpp) on the hosts of the topology.
#pragma once

#include <optional>

#include "experiments/scenario.hpp"
#include "experiments/scenario_workload.hpp"
#include "topologies/topology.hpp"

namespace moesim::cli {

// The Chakra workload when --workload chakra, nullopt for any other workload. InputError for
// --workload chakra without --chakra, --chakra with another workload, or a bad trace.
std::optional<BuiltWorkload> build_chakra_workload(const Scenario& sc, const topo::Topology& t);

}  // namespace moesim::cli
