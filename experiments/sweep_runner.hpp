// Running a sweep: opening its directory (plan, results.csv, sweep.json, what is left to
// run) and running the points as child processes, --jobs at a time. `moesim sweep` runs
// everything here; `moesim-mpi` uses the same session on rank 0 and the same pool on every
// rank.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "experiments/sweep_args.hpp"
#include "experiments/sweep_plan.hpp"
#include "experiments/sweep_progress.hpp"
#include "experiments/sweep_results.hpp"

namespace moesim::cli {

struct SweepSession {
  SweepPlan plan;
  std::unique_ptr<ResultsFile> results;
  std::vector<size_t> pending;  // indices into plan.points: this shard's points not yet done
  size_t shard_points = 0;      // points of this shard
  size_t ok = 0;                // finished in this run
  size_t failed = 0;
  // The reorder buffer: rows of finished points wait here until every pending point before
  // them has been written, so results.csv holds the points in plan order whatever order they
  // finish in (--jobs, MPI ranks). Keyed by position in `pending`; `written` positions are out.
  std::map<size_t, std::string> waiting;
  size_t written = 0;
};

// Builds the plan, takes the sweep directory, repairs and reads results.csv, writes
// sweep.json (`command` is recorded in it) and prints what is left to run.
SweepSession open_session(const SweepArgs& args, std::vector<std::string> run_columns,
                          const std::vector<std::string>& command, const std::string& launcher);

// Counts a finished point, appends its time to timings.csv (in the order points finish) and
// its rows to results.csv once every earlier pending point is there (plan order).
void record(SweepSession& session, const ChildResult& result, Progress& progress);

// Runs the session's pending points with `moesim` as the child program, `jobs` at a time.
void run_local(SweepSession& session, const SweepArgs& args, const std::string& moesim,
               unsigned jobs);

// The closing line on stdout: points ok and failed, and where the results are. Returns the
// exit code: 1 (with a line on stderr) when results.csv holds points and none of them is ok.
int print_summary(const SweepSession& session);

// The default of --jobs: the number of cores this process may use.
unsigned default_jobs();

}  // namespace moesim::cli
