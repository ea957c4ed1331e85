// `moesim sweep`: runs a grid of `moesim run` points as child processes of this binary,
// --jobs at a time, into one results.csv that a re-run resumes; also --merge of shards.
#include <fmt/format.h>

#include "analysis/csv.hpp"
#include "experiments/commands.hpp"
#include "experiments/options.hpp"
#include "experiments/sweep_csv.hpp"
#include "experiments/sweep_runner.hpp"

namespace moesim::cli {
namespace {

void print_usage() {
  fmt::print(
      "Usage: moesim sweep [sweep options] [--] [moesim run options]\n"
      "Runs `moesim run` once per point of a grid, each in its own process, --jobs at a time,\n"
      "and writes every point's rows to <out>/results.csv in plan order (all parameters, the\n"
      "metrics, then point, status, message) and its wall time to <out>/timings.csv. Run\n"
      "options that are not varied are\n"
      "passed to every point. Re-running the same command resumes: recorded points are\n"
      "skipped. Each point's own files are in <out>/points/<point id>/.\n\n"
      "Example: moesim sweep --set transport=ecmp,ideal --set oversubscription=1:3:0.5 \\\n"
      "           --seeds 5 --jobs 4 --out sw --leaves 4 --spines 4 --model fluid\n"
      "         moesim sweep --merge s0/results.csv s1/results.csv --out all\n\n{}",
      sweep_options_help());
}

// The header of a `moesim run` results.csv: the scenario options, then the metrics.
std::vector<std::string> run_columns() {
  std::vector<std::string> cols;
  for (const OptionSpec& d : option_specs()) {
    if (d.is_param) cols.push_back(d.name);
  }
  for (const std::string& m : analysis::summary_columns())
    cols.push_back(m);
  return cols;
}

}  // namespace

int sweep_command(const Context&, const Args& args) {
  const SweepArgs a = parse_sweep_args(args);
  if (a.help) {
    print_usage();
    return 0;
  }
  if (a.print_columns) {
    fmt::print("{}", csv_line(run_columns()));
    return 0;
  }
  if (!a.merge.empty()) {
    const size_t points = merge_results(a.merge, a.out);
    fmt::print("merged {} points from {} files into {}/results.csv\n", points, a.merge.size(),
               a.out);
    return 0;
  }
  const unsigned jobs = a.jobs ? a.jobs : default_jobs();
  std::vector<std::string> command = {"moesim", "sweep"};
  command.insert(command.end(), args.begin(), args.end());
  SweepSession session = open_session(a, run_columns(), command, fmt::format("--jobs {}", jobs));
  run_local(session, a, "/proc/self/exe", jobs);
  return print_summary(session);
}

}  // namespace moesim::cli
