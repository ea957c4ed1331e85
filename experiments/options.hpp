// Every option of the `moesim` command, declared once (name, default, unit, group, help).
// The same keys work on the command line and in a config file (Boost.Program_options INI
// syntax: `key = value`); an unknown key is an error naming the file and line. Values stay
// text here and are parsed into typed values in scenario.cpp ("parse, don't validate").
#pragma once

#include <map>
#include <string>
#include <vector>

#include <boost/program_options/options_description.hpp>

namespace moesim::cli {

struct OptionDef {
  std::string name;
  std::string def;    // default value as text
  std::string group;  // "topology", "workload", "simulation", "output", "experiment"
  std::string help;   // ends with the unit or accepted values
  bool is_param;      // a scenario parameter: becomes a column of results.csv
};

const std::vector<OptionDef>& option_defs();

// The options of the named groups, for Boost.Program_options and --help.
boost::program_options::options_description describe(const std::vector<std::string>& groups);

// Resolved option values with where each came from ("--leaves", "exp.ini:3" or "default").
class Settings {
 public:
  const std::string& get(const std::string& name) const;
  // What to name in an error about this option: "--leaves" or "exp.ini:3: leaves".
  std::string where(const std::string& name) const;
  // Where the value came from: "default", "command line" or "file:line".
  const std::string& source(const std::string& name) const;
  bool help = false;
  void set(const std::string& name, std::string value, std::string source);

 private:
  std::map<std::string, std::pair<std::string, std::string>> values_;  // name -> (value, source)
};

// Parses args (without the program and subcommand names) for the given groups, then the
// --config file if any. Command-line values win over the file. InputError on any problem.
Settings parse_settings(const std::vector<std::string>& args,
                        const std::vector<std::string>& groups);

}  // namespace moesim::cli
