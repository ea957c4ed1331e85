#include "experiments/sweep_args.hpp"

#include <charconv>
#include <sstream>

#include <fmt/format.h>
#include <boost/program_options.hpp>

#include "sim/core/error.hpp"
#include "sim/core/units.hpp"

namespace po = boost::program_options;

namespace moesim::cli {
namespace {

po::options_description sweep_options() {
  po::options_description desc("sweep options");
  desc.add_options()(
      "set", po::value<std::vector<std::string>>()->composing(),
      "key=v1,v2,... or key=a:b:step (inclusive range; numbers, one optional unit): vary an "
      "option of moesim run; repeat for a cross product")(
      "zip", po::value<std::vector<std::string>>()->composing(),
      "key1,key2,...: varied keys whose equally long lists move together")(
      "grid", po::value<std::string>(),
      "grid file: `key = values` lines like --set, plus `zip = k1,k2` and `seeds = N`")(
      "seeds", po::value<std::string>(),
      "N replicas of every point with seed = base .. base+N-1 (base: --seed, default 1)")(
      "out", po::value<std::string>(),
      "sweep directory (required): results.csv, sweep.json, points/<id>/; re-running the same "
      "command resumes")(
      "jobs,j", po::value<std::string>(),
      "points run at a time (default: the number of cores; moesim-mpi: 1 per rank)")(
      "timeout", po::value<std::string>(),
      "kill a point that runs longer (a time such as 30s or 500ms; default: no limit)")(
      "shard", po::value<std::string>(),
      "I/N: run only the points whose index % N == I (job arrays; merge with --merge)")(
      "progress", "show the progress bar even when stderr is not a terminal")(
      "retry-failed", "on resume, run again the points recorded as failed, timeout or crashed")(
      "merge", po::value<std::vector<std::string>>()->multitoken(),
      "a.csv b.csv ...: join shard results into --out/results.csv (no points are run)")(
      "print-columns", "print the columns of a moesim run results.csv and exit (internal)")(
      "help,h", "print this help");
  return desc;
}

unsigned parse_jobs(const std::string& text) {
  unsigned v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || v == 0 || v > 4096) {
    throw InputError(fmt::format("--jobs: '{}': expected a whole number from 1 to 4096", text));
  }
  return v;
}

void parse_shard(const std::string& text, SweepArgs& a) {
  const size_t slash = text.find('/');
  uint32_t i = 0, n = 0;
  bool ok = slash != std::string::npos;
  if (ok) {
    auto [p1, e1] = std::from_chars(text.data(), text.data() + slash, i);
    auto [p2, e2] = std::from_chars(text.data() + slash + 1, text.data() + text.size(), n);
    ok = e1 == std::errc() && e2 == std::errc() && p1 == text.data() + slash &&
         p2 == text.data() + text.size() && slash > 0 && n > 0 && i < n;
  }
  if (!ok) {
    throw InputError(fmt::format("--shard: '{}': expected I/N with 0 <= I < N, e.g. 0/4", text));
  }
  a.shard_index = i;
  a.shard_count = n;
}

}  // namespace

std::string sweep_options_help() {
  std::ostringstream os;
  os << sweep_options();
  return os.str();
}

SweepArgs parse_sweep_args(const std::vector<std::string>& args) {
  const po::options_description desc = sweep_options();
  po::variables_map vm;
  po::parsed_options parsed(&desc);
  try {
    // No guessing: --seed (a run option) must not be taken for a prefix of --seeds.
    parsed =
        po::command_line_parser(args)
            .options(desc)
            .style(po::command_line_style::default_style & ~po::command_line_style::allow_guessing)
            .allow_unregistered()
            .run();
    po::store(parsed, vm);
  } catch (const po::error& e) {
    throw InputError(fmt::format("command line: {}: expected options from --help", e.what()));
  }
  SweepArgs a;
  a.help = vm.count("help") > 0;
  a.print_columns = vm.count("print-columns") > 0;
  a.progress = vm.count("progress") > 0;
  a.retry_failed = vm.count("retry-failed") > 0;
  a.fixed_args = po::collect_unrecognized(parsed.options, po::include_positional);
  if (vm.count("out")) a.out = vm["out"].as<std::string>();
  if (vm.count("merge")) a.merge = vm["merge"].as<std::vector<std::string>>();
  if (vm.count("jobs")) a.jobs = parse_jobs(vm["jobs"].as<std::string>());
  if (vm.count("shard")) parse_shard(vm["shard"].as<std::string>(), a);
  if (vm.count("timeout")) {
    a.timeout_text = vm["timeout"].as<std::string>();
    const TimePs t = parse_time(a.timeout_text, "--timeout");
    if (t.ps <= 0) {
      throw InputError(fmt::format("--timeout: '{}': expected a time > 0", a.timeout_text));
    }
    a.timeout_s = t.seconds();
  }
  if (vm.count("grid")) read_grid_file(vm["grid"].as<std::string>(), a.grid);
  if (vm.count("set")) {
    for (const auto& s : vm["set"].as<std::vector<std::string>>())
      a.grid.add_set(s, "--set");
  }
  if (vm.count("zip")) {
    for (const auto& z : vm["zip"].as<std::vector<std::string>>())
      a.grid.add_zip(z, "--zip");
  }
  if (vm.count("seeds")) a.grid.set_seeds(vm["seeds"].as<std::string>(), "--seeds");
  if (!a.help && !a.print_columns && a.out.empty()) {
    throw InputError(
        "--out: missing: expected the sweep directory (re-running with the same --out resumes)");
  }
  return a;
}

}  // namespace moesim::cli
