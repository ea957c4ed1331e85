// The command line of `moesim sweep` (and `moesim-mpi sweep`): the sweep's own options
// (Boost.Program_options); every other argument is a fixed option of `moesim run`, passed as
// given to every point.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "experiments/sweep_grid.hpp"

namespace moesim::cli {

struct SweepArgs {
  GridSpec grid;
  std::vector<std::string> fixed_args;  // run options for every point, as given
  std::string out;                      // the sweep directory
  unsigned jobs = 0;                    // points at a time; 0 = the default of the launcher
  std::optional<double> timeout_s;      // per point
  std::string timeout_text;
  uint32_t shard_index = 0;
  uint32_t shard_count = 1;
  bool progress = false;           // forced on (otherwise: when stderr is a terminal)
  bool retry_failed = false;       // re-run points recorded as failed, timeout or crashed
  std::vector<std::string> merge;  // --merge: shard results.csv files to join into --out
  bool print_columns = false;      // internal: print a `moesim run` results.csv header
  bool help = false;
};

// Parses the arguments after `sweep`. InputError names the option and the bad value.
SweepArgs parse_sweep_args(const std::vector<std::string>& args);

// The help text of the sweep's own options.
std::string sweep_options_help();

}  // namespace moesim::cli
