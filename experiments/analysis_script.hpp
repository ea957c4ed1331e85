// The python scripts of analysis/ (plot.py, report.py) as `moesim plot` and `moesim report`
// run them: under Debian's /usr/bin/python3 with python3-matplotlib and python3-pandas
// (MOESIM_PYTHON overrides it), the script installed beside the binary or else the one in
// the source tree this binary was built from.
#pragma once

#include <string>
#include <vector>

namespace moesim::cli {

// Runs `python analysis/SCRIPT ARGS...` with this process's stdin/stdout/stderr and returns
// its exit code when it is 0 or 2 (the script printed its one-line error for bad input).
// Throws InputError naming `command` when the interpreter or the script is missing, Error
// when the script failed otherwise.
int run_analysis_script(const std::string& command, const std::string& script,
                        const std::vector<std::string>& args);

}  // namespace moesim::cli
