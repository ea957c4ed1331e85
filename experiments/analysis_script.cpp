// Finds the interpreter and the script of analysis/ and runs them (see analysis_script.hpp).
#include "experiments/analysis_script.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>

#include "experiments/sweep_process.hpp"
#include "sim/core/error.hpp"

namespace fs = std::filesystem;

namespace moesim::cli {
namespace {

std::string find_python(const std::string& command) {
  const char* env = std::getenv("MOESIM_PYTHON");
  const std::string python = env && *env ? env : MOESIM_PYTHON;
  if (::access(python.c_str(), X_OK) != 0) {
    throw InputError(
        fmt::format("{}: '{}' not found: expected Debian's python3 with python3-matplotlib and "
                    "python3-pandas (apt-get install python3 python3-matplotlib python3-pandas)",
                    command, python));
  }
  return python;
}

// Installed in <prefix>/share/moesim beside <prefix>/bin/moesim, or in the source tree.
fs::path find_script(const std::string& command, const std::string& script) {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  const fs::path installed = exe.parent_path().parent_path() / "share" / "moesim" / script;
  if (!ec && fs::exists(installed)) return installed;
  const fs::path source = fs::path(MOESIM_SOURCE_DIR) / "analysis" / script;
  if (fs::exists(source)) return source;
  throw InputError(fmt::format(
      "{}: {} not found in '{}' or '{}': expected an installed moesim or its source tree", command,
      script, installed.string(), source.string()));
}

}  // namespace

int run_analysis_script(const std::string& command, const std::string& script,
                        const std::vector<std::string>& args) {
  std::vector<std::string> argv = {find_python(command), find_script(command, script).string()};
  argv.insert(argv.end(), args.begin(), args.end());
  std::cout.flush();
  const int rc = run_and_wait(argv);
  if (rc == 0 || rc == 2) return rc;
  throw Error(fmt::format("{}: {} exited with code {}", command, argv[1], rc));
}

}  // namespace moesim::cli
