// The `simgrid` network model: the Workload DAG on SimGrid 3.32's flow-level model, as an
// independent engine to cross-check `fluid` (DESIGN.md §3). It returns the same RunResult
// records as every other model.
//
// Names (engine.hpp): "simgrid" (= "simgrid:CM02": max-min rates from SimGrid's CM02 model,
// latency placed as in the fluid model), "simgrid:latency-first" (the same rates, SimGrid's
// own latency-then-bandwidth) and "simgrid:LV08" (SimGrid's default TCP-like model with its
// correction factors: not max-min, so a warning goes to stderr on every run). Every
// transport runs: ecmp, split:K and plan as
// one SimGrid transfer per subflow; ideal and spray:* (run as ideal, as in the fluid model) as
// one transfer per path of the exact path decomposition of their link fractions
// (transfers.hpp). Each run happens in a forked child process (child_process.hpp).
//
// moesim_sim must not link SimGrid, so this model lives in moesim_simgrid, which links
// moesim_sim, and joins a ModelRegistry through add_simgrid_model (moesim's main adds it to
// the registry it passes to the commands).
#pragma once

#include <memory>
#include <string_view>

#include "sim/model.hpp"
#include "sim/simgrid/engine.hpp"

namespace moesim::sim::simgrid {

// "simgrid", "simgrid:CM02", "simgrid:latency-first" or "simgrid:LV08"; InputError naming
// `what` otherwise.
SimgridMode parse_model_name(std::string_view name, std::string_view what = "--model");

std::unique_ptr<NetworkModel> make_simgrid_model(SimgridMode mode = SimgridMode::MaxMin);
// Adds the "simgrid[:VARIANT]" family to `models`.
void add_simgrid_model(ModelRegistry& models);
// The built-in models and simgrid: what the moesim program offers.
ModelRegistry all_models();

}  // namespace moesim::sim::simgrid
