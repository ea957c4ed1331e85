// `moesim report DIR`: one self-contained DIR/report.html (tables and inline SVG figures, no
// script and no external resource) from a run or sweep directory, made by analysis/report.py.
// This driver checks the argument; the script reads the CSV files and writes the page.
#include <filesystem>

#include <fmt/format.h>

#include "experiments/analysis_script.hpp"
#include "experiments/commands.hpp"
#include "sim/core/error.hpp"

namespace fs = std::filesystem;

namespace moesim::cli {

int report_command(const Context&, const Args& args) {
  if (args.size() == 1 && (args[0] == "--help" || args[0] == "-h")) {
    fmt::print(
        "Usage: moesim report DIR\n"
        "Writes DIR/report.html from the results.csv of a `moesim run` or `moesim sweep`\n"
        "directory: the constant options, CCT per transport and model, the key metrics per\n"
        "row, and as inline SVG a CCT bar chart and, when their CSV files are there, link\n"
        "utilisation (links.csv), the phases timeline (phases.csv) and queue bytes over time\n"
        "(timeseries.csv). The page needs no network and no script. Needs /usr/bin/python3\n"
        "with python3-matplotlib and python3-pandas (MOESIM_PYTHON overrides it).\n");
    return 0;
  }
  if (args.size() != 1 || args[0].starts_with("-")) {
    throw InputError("report: expected exactly one directory, e.g. moesim report out");
  }
  const fs::path dir = args[0];
  if (!fs::is_regular_file(dir / "results.csv")) {
    throw InputError(fmt::format(
        "report: '{}': no results.csv: expected a directory written by moesim run or sweep",
        dir.string()));
  }
  return run_analysis_script("report", "report.py", {dir.string()});
}

}  // namespace moesim::cli
