// `moesim reproduce`: runs the claim groups of experiments/reproduce/registry.cpp (or those of
// --only), prints every row with its verdict, writes reproduce.csv and one CSV per curve, then
// draws the curves as figures. `--markdown FILE` prints the README table of a reproduce.csv.
// A row outside its band is reported, never hidden, and the exit code stays 0: the tests are
// what fail.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <boost/program_options.hpp>

#include "experiments/commands.hpp"
#include "experiments/output_dir.hpp"
#include "experiments/reproduce/claim.hpp"
#include "experiments/reproduce/report.hpp"
#include "sim/core/error.hpp"

namespace po = boost::program_options;

namespace moesim::cli {
namespace {

using reproduce::Entry;

po::options_description reproduce_options() {
  po::options_description desc("reproduce options");
  desc.add_options()("only", po::value<std::string>(),
                     "NAME[,NAME]: run only these claim groups (see --list)")(
      "quick", "small settings (for CI); every row whose setting differs from the source says so")(
      "out", po::value<std::string>()->default_value(""),
      "output directory (default: the next free moesim-out/run-NNN)")(
      "markdown", po::value<std::string>(),
      "FILE: print the Markdown table of a reproduce.csv and run nothing")(
      "list", "list the claim groups and exit")("help,h", "print this help");
  return desc;
}

std::vector<const Entry*> selection(const po::variables_map& vm) {
  std::vector<const Entry*> out;
  if (!vm.count("only")) {
    for (const Entry* e : reproduce::registry())
      out.push_back(e);
    return out;
  }
  std::stringstream ss(vm["only"].as<std::string>());
  for (std::string name; std::getline(ss, name, ',');) {
    const Entry* e = reproduce::find(name);
    if (!e) {
      std::string names;
      for (const Entry* r : reproduce::registry())
        names += (names.empty() ? "" : ", ") + std::string(r->name);
      throw InputError(fmt::format("--only: '{}': expected claim groups from {}", name, names));
    }
    if (std::find(out.begin(), out.end(), e) == out.end()) out.push_back(e);
  }
  if (out.empty()) throw InputError("--only: '': expected one or more claim group names");
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(fmt::format("--markdown: '{}': cannot read: expected a file", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

int reproduce_command(const Context& ctx, const Args& args) {
  const po::options_description desc = reproduce_options();
  po::variables_map vm;
  try {
    const int style =
        po::command_line_style::default_style & ~po::command_line_style::allow_guessing;
    po::store(po::command_line_parser(args).options(desc).style(style).run(), vm);
  } catch (const po::error& e) {
    throw InputError(fmt::format("command line: {}: expected options from --help", e.what()));
  }
  if (vm.count("help")) {
    fmt::print(
        "Usage: moesim reproduce [--only NAME[,NAME]] [--quick] [--out DIR]\n"
        "       moesim reproduce --markdown reproduce.csv\n"
        "Runs a fixed set of named cases that published papers report, and writes\n"
        "reproduce.csv (claim,source,setting,paper_value,moesim_value,ratio,unit,note,band,\n"
        "status) and a figure per claim whose curve is the claim. A row whose moesim / paper\n"
        "ratio falls outside its band is printed as OUTSIDE; the exit code is still 0.\n\n{}",
        fmt::streamed(desc));
    return 0;
  }
  if (vm.count("list")) {
    for (const Entry* e : reproduce::registry())
      fmt::print("{:<16} {}\n", e->name, e->summary);
    return 0;
  }
  if (vm.count("markdown")) {
    if (vm.count("only") || vm.count("quick")) {
      throw InputError(
          "--markdown: prints the table of an existing reproduce.csv: expected no "
          "--only or --quick with it");
    }
    const std::string path = vm["markdown"].as<std::string>();
    fmt::print("{}", reproduce::markdown_table(read_file(path), path));
    return 0;
  }
  const std::vector<const Entry*> chosen = selection(vm);
  reproduce::Options opt;
  opt.quick = vm.count("quick") > 0;
  std::vector<std::string> files = {"reproduce.csv"};
  for (const Entry* e : chosen) {
    if (e->figure) files.push_back(std::string(e->figure) + ".csv");
  }
  OutputDir out(vm["out"].as<std::string>(), files, "--out");
  std::ofstream& csv = out.open("reproduce.csv");
  csv << reproduce::kCsvHeader;
  size_t rows = 0, outside = 0;
  std::vector<std::pair<std::string, std::vector<std::string>>> figures;  // stem, plot args
  const auto start = std::chrono::steady_clock::now();
  for (const Entry* e : chosen) {
    fmt::print("== {}: {}{}\n", e->name, e->summary, opt.quick ? " (quick)" : "");
    const auto t0 = std::chrono::steady_clock::now();
    const reproduce::Result res = e->run(opt);
    for (const reproduce::Row& r : res.rows) {
      fmt::print("  {:<30} paper {:>11.5g}  moesim {:>11.5g}  ratio {:7.4f}  [{}] {}  {}\n",
                 r.claim, r.paper_value, r.moesim_value, r.ratio(), r.band(), reproduce::status(r),
                 r.unit);
      reproduce::write_csv_row(csv, r);
      ++rows, outside += r.within() ? 0 : 1;
    }
    if (e->figure && !res.curve.csv.empty()) {
      out.open(std::string(e->figure) + ".csv") << res.curve.csv;
      figures.emplace_back(e->figure, res.curve.plot_args);
    }
    fmt::print("  ({:.1f} s)\n",
               std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  out.commit();
  fmt::print("{} rows, {} outside their band; {:.1f} s; wrote reproduce.csv in {}\n", rows, outside,
             std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
             out.path().string());
  // The figures. The CSVs stand on their own; a missing plotting stack only costs the figures.
  for (const auto& [stem, plot_args] : figures) {
    std::vector<std::string> plot = {(out.path() / (stem + ".csv")).string()};
    plot.insert(plot.end(), plot_args.begin(), plot_args.end());
    plot.push_back("--out");
    plot.push_back((out.path() / stem).string());
    try {
      if (plot_command(ctx, plot) != 0)
        fmt::print(stderr, "moesim reproduce: {} not drawn\n", stem);
    } catch (const Error& e) {
      fmt::print(stderr, "moesim reproduce: figure {} skipped: {}\n", stem, e.what());
    }
  }
  return 0;
}

}  // namespace moesim::cli
