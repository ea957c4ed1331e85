// `moesim plot`: figures (PNG and SVG) from moesim's CSV files, drawn by analysis/plot.py
// under Debian's /usr/bin/python3 with python3-matplotlib and python3-pandas. This driver
// checks the arguments, finds the script (installed beside the binary, else the source
// tree) and runs it; the script reads the CSV, checks the column names and --where values,
// and refuses points whose rows differ in a parameter other than the seed.
#include <filesystem>

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <boost/program_options.hpp>

#include "experiments/analysis_script.hpp"
#include "experiments/commands.hpp"
#include "sim/core/error.hpp"

namespace fs = std::filesystem;
namespace po = boost::program_options;

namespace moesim::cli {
namespace {

po::options_description plot_options() {
  po::options_description desc("plot options");
  desc.add_options()("x", po::value<std::string>(),
                     "column on the x axis (cdf: the column whose CDF to draw, "
                     "default fct_us; heatmap: the columns, default link)")(
      "y", po::value<std::string>(), "metric on the y axis (heatmap: the rows, default run)")(
      "hue", po::value<std::string>(), "one series per value of this column (cdf: default run)")(
      "col", po::value<std::string>(), "one panel per value of this column")(
      "kind", po::value<std::string>()->default_value("line"), "line|bar|cdf|heatmap|timeline")(
      "value", po::value<std::string>(), "heatmap: the colour (default utilization)")(
      "where", po::value<std::vector<std::string>>()->composing(),
      "KEY=VALUE: only rows where the column KEY equals VALUE, as text or as the same "
      "number (repeatable; a value no row has is an error)")(
      "error", po::value<std::string>()->default_value("ci95"),
      "error bars over rows that share (col, hue, x), e.g. seeds: ci95 | std | none")(
      "title", po::value<std::string>(), "figure title (default: from the columns)")(
      "logx", "logarithmic x axis")("logy", "logarithmic y axis")(
      "out", po::value<std::string>(),
      "output prefix: writes PREFIX.png and PREFIX.svg (default: beside the CSV, named after "
      "it, the kind and the y column)")("help,h", "print this help");
  return desc;
}

void print_usage() {
  fmt::print(
      "Usage: moesim plot FILE.csv --x KEY --y METRIC [--hue KEY] [--col KEY] "
      "[--kind line|bar|cdf|heatmap|timeline] [--out PREFIX]\n"
      "Draws a results.csv (of moesim run or sweep), a flows.csv (--kind cdf: FCT CDF per run),\n"
      "a links.csv (--kind heatmap: link utilisation per run), a phases.csv (--kind timeline:\n"
      "a Gantt chart of the phases per pipeline stage, one panel per run) or a traffic matrix\n"
      "CSV (--kind heatmap) as PREFIX.png and PREFIX.svg. Rows sharing (col, hue, x) make one\n"
      "point: they are averaged with error bars when they differ only in the seed, and refused\n"
      "(naming the columns; split them with --where, --col or --hue) when they differ in another\n"
      "parameter. Needs /usr/bin/python3 with python3-matplotlib and python3-pandas\n"
      "(MOESIM_PYTHON overrides the interpreter).\n\n{}",
      fmt::streamed(plot_options()));
}

}  // namespace

int plot_command(const Context&, const Args& args) {
  po::options_description desc = plot_options();
  desc.add_options()("file", po::value<std::vector<std::string>>(), "the CSV file");
  po::positional_options_description pos;
  pos.add("file", -1);
  po::variables_map vm;
  try {
    po::store(
        po::command_line_parser(args)
            .options(desc)
            .positional(pos)
            .style(po::command_line_style::default_style & ~po::command_line_style::allow_guessing)
            .run(),
        vm);
  } catch (const po::error& e) {
    throw InputError(fmt::format("command line: {}: expected options from --help", e.what()));
  }
  if (vm.count("help")) {
    print_usage();
    return 0;
  }
  if (!vm.count("file") || vm["file"].as<std::vector<std::string>>().size() != 1) {
    throw InputError(
        "plot: expected exactly one CSV file, e.g. moesim plot results.csv --x "
        "oversubscription --y cct_us");
  }
  const std::string file = vm["file"].as<std::vector<std::string>>().front();
  if (!fs::is_regular_file(file)) {
    throw InputError(
        fmt::format("plot: '{}': no such file: expected a CSV written by moesim", file));
  }
  const std::string kind = vm["kind"].as<std::string>();
  if (kind != "line" && kind != "bar" && kind != "cdf" && kind != "heatmap" && kind != "timeline") {
    throw InputError(
        fmt::format("--kind: '{}': expected line, bar, cdf, heatmap or timeline", kind));
  }
  const std::string error = vm["error"].as<std::string>();
  if (error != "ci95" && error != "std" && error != "none") {
    throw InputError(fmt::format("--error: '{}': expected ci95, std or none", error));
  }
  std::string out;
  if (vm.count("out")) {
    out = vm["out"].as<std::string>();
  } else {
    const fs::path p(file);
    const std::string y = vm.count("y") ? "-" + vm["y"].as<std::string>() : "";
    out = (p.parent_path() / fmt::format("{}-{}{}", p.stem().string(), kind, y)).string();
  }

  std::vector<std::string> argv = {file, "--kind", kind, "--error", error, "--out", out};
  for (const char* key : {"x", "y", "hue", "col", "value", "title"}) {
    if (vm.count(key)) {
      argv.push_back(fmt::format("--{}", key));
      argv.push_back(vm[key].as<std::string>());
    }
  }
  if (vm.count("where")) {
    for (const auto& w : vm["where"].as<std::vector<std::string>>()) {
      argv.push_back("--where");
      argv.push_back(w);
    }
  }
  if (vm.count("logx")) argv.push_back("--logx");
  if (vm.count("logy")) argv.push_back("--logy");
  return run_analysis_script("plot", "plot.py", argv);
}

}  // namespace moesim::cli
