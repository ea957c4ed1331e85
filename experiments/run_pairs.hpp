// The (transport, model) cross product of a scenario, shared by the commands that simulate:
// paths are laid out once per transport, then every model that supports it runs on them.
#pragma once

#include <functional>
#include <string>

#include "experiments/scenario.hpp"
#include "sim/core/workload_dag.hpp"
#include "sim/results.hpp"
#include "topologies/routing.hpp"

namespace moesim::cli {

struct RunOutcome {
  std::string transport;
  std::string model;
  sim::RunResult result;
  double wall_s = 0;  // path assignment + model run
};

// Runs every pair in the scenario's order and hands each outcome to `sink`. A pair that does
// not exist (ideal on the packet model; plan off a 2-tier leaf-spine while other transports
// are listed) is skipped with a note on stdout; split:K capped at the up-down paths of a
// tiered Clos gets a note too. Returns the number of pairs run.
size_t run_pairs(const topo::Routing& routing, const Workload& w, const Scenario& sc,
                 const std::function<void(RunOutcome&&)>& sink);

}  // namespace moesim::cli
