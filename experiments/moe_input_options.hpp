// The options naming what an MoE workload routes instead of the synthetic router: a router
// trace (--trace, --trace-layout) or per-expert slot counts (--loads, workloads/moe_slots.hpp).
// Declared here, beside the rest of the option table (experiments/options.cpp), which places
// them after --moe-model. `--loads` serves `moesim place` too (its "policy" group).
#pragma once

#include <vector>

#include "sim/core/options.hpp"

namespace moesim::cli {

std::vector<OptionSpec> moe_input_options();

}  // namespace moesim::cli
