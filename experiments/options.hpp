// Every option of the `moesim` command, declared once as a typed OptionSpec (name, kind,
// default, group, help, range or choices; sim/core/options.hpp). The same keys work on the
// command line and in a config file (`key = value` lines, experiments/ini_file.hpp); values are
// parsed once, here, into typed values that remember their source, so an error names
// "--leaves" or "exp.ini:3: leaves". No prefix guessing: an unknown or abbreviated option is an
// error that suggests the closest name.
#pragma once

#include <string>
#include <vector>

#include <boost/program_options/options_description.hpp>

#include "sim/core/budget.hpp"
#include "sim/core/options.hpp"

namespace moesim::cli {

// The declared options of every command, grouped ("topology", "workload", "simulation",
// "output", "policy", "experiment").
const std::vector<OptionSpec>& option_specs();
const OptionSpec* find_option(const std::string& name);

// The options of the named groups, for --help.
boost::program_options::options_description describe(const std::vector<std::string>& groups);

// Resolved, typed option values of one command.
class Settings : public OptionValues {
 public:
  bool help = false;
};

// The memory budget of --max-memory (auto: half of the machine's RAM).
MemoryBudget memory_budget(const Settings& s);

// Parses args (without the program and subcommand names) for the given groups, then the
// --config file if any. Command-line values win over the file; every file value is still
// parsed, so a bad one is reported even where the command line overrides it. InputError on
// any problem.
Settings parse_settings(const std::vector<std::string>& args,
                        const std::vector<std::string>& groups);

// The declared option closest to `name` (edit distance), for "did you mean" hints; empty when
// nothing is close.
std::string closest_option(const std::string& name, const std::vector<std::string>& groups);

}  // namespace moesim::cli
