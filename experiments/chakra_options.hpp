// The options of Chakra execution traces (`--workload chakra`, `moesim chakra export`),
// declared here and registered into the option table of experiments/options.cpp by one line.
#pragma once

#include <vector>

#include "sim/core/options.hpp"

namespace moesim::cli {

std::vector<OptionSpec> chakra_option_specs();

}  // namespace moesim::cli
