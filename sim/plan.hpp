// The `plan` path policy: a global single-path assignment computed before each wave of flows
// starts — the constructive side of the theorem that single-path routing with minimal
// splitting matches ideal multipath in maximum link load on a 2-tier leaf-spine.
#pragma once

#include "sim/core/workload_dag.hpp"
#include "sim/paths.hpp"
#include "topologies/routing.hpp"

namespace moesim::sim {

// Lays out every flow of `w`. Throws InputError if the topology is not a 2-tier leaf-spine.
PathSet plan_paths(const topo::Routing& routing, const Workload& w);

}  // namespace moesim::sim
