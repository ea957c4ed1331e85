// The plan of a sweep: every point of the grid with its stable id, the fixed options, the
// columns of the sweep's results.csv, and how a point becomes a `moesim run` command and
// (once it has run) rows of results.csv. Shared by `moesim sweep` and `moesim-mpi sweep`,
// which build the same plan from the same arguments.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "experiments/sweep_args.hpp"
#include "experiments/sweep_process.hpp"

namespace moesim::cli {

struct SweepPoint {
  size_t index = 0;  // position in the grid's expansion (--shard uses it)
  std::string id;    // 16 hex digits: hash of the point's resolved, non-default options
  std::vector<std::pair<std::string, std::string>> values;  // the varied options
  std::vector<std::string> params;  // values of the plan's param columns, as resolved
};

struct SweepPlan {
  std::vector<std::string> fixed_args;
  std::vector<SweepPoint> points;          // the whole grid, in expansion order
  std::vector<std::string> columns;        // run columns, then point, status, message
  std::vector<std::string> param_columns;  // the run columns that are options
  size_t run_columns = 0;                  // how many leading columns a `moesim run` writes
};

// The columns that `moesim sweep` appends after those of `moesim run`.
const std::vector<std::string>& sweep_tail_columns();

// Resolves every point (fixed options + its values; point values win over a --config file)
// and hashes it. `run_columns` is the header of a `moesim run` results.csv; empty for a plan
// that only runs points (an MPI worker). InputError for unknown or doubly given keys and for
// two grid points that resolve to the same run.
SweepPlan make_plan(const SweepArgs& args, std::vector<std::string> run_columns);

// Whether the point belongs to shard I of N.
bool in_shard(const SweepPoint& p, const SweepArgs& args);

// The child command of a point: `moesim run <fixed> --key=value... --out <dir>`, executing
// `moesim` (/proc/self/exe for `moesim sweep`: every point runs the very binary that the
// sweep started with, even if it is rebuilt meanwhile).
ChildJob make_job(const SweepPlan& plan, const SweepPoint& point, const std::string& moesim,
                  const std::filesystem::path& sweep_dir);

// The rows a finished point adds to results.csv, as one block of complete lines: the child's
// rows mapped onto the plan's columns, or one row of the point's parameters with empty
// metrics when it did not succeed (also when its results.csv cannot be used).
struct PointRows {
  std::string block;
  PointStatus status;
};
PointRows point_rows(const SweepPlan& plan, const SweepPoint& point, const ChildResult& r);

// sweep.json: the command, the grid, and every point's index, id and values.
void write_sweep_json(const std::filesystem::path& path, const SweepArgs& args,
                      const SweepPlan& plan, const std::vector<std::string>& command);

}  // namespace moesim::cli
