#include "experiments/sweep_runner.hpp"

#include <sched.h>

#include <algorithm>
#include <thread>

#include <fmt/format.h>

#include "sim/core/error.hpp"

namespace fs = std::filesystem;

namespace moesim::cli {

unsigned default_jobs() {
  cpu_set_t set;
  if (::sched_getaffinity(0, sizeof set, &set) == 0) {
    const int n = CPU_COUNT(&set);
    if (n > 0) return static_cast<unsigned>(n);
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

SweepSession open_session(const SweepArgs& args, std::vector<std::string> run_columns,
                          const std::vector<std::string>& command, const std::string& launcher) {
  SweepSession s;
  s.plan = make_plan(args, std::move(run_columns));
  s.results = std::make_unique<ResultsFile>(args.out, s.plan.columns, args.retry_failed);
  write_sweep_json(fs::path(args.out) / "sweep.json", args, s.plan, command);
  size_t done = 0;
  for (size_t i = 0; i < s.plan.points.size(); ++i) {
    const SweepPoint& p = s.plan.points[i];
    if (!in_shard(p, args)) continue;
    ++s.shard_points;
    if (s.results->done().count(p.id)) {
      ++done;
    } else {
      s.pending.push_back(i);
    }
  }
  const std::string shard = args.shard_count > 1
                                ? fmt::format(" (shard {}/{} of {})", args.shard_index,
                                              args.shard_count, s.plan.points.size())
                                : "";
  fmt::print("moesim sweep: {} points{}; {} done before, {} to run; {}; results in {}\n",
             s.shard_points, shard, done, s.pending.size(), launcher, s.results->path().string());
  if (s.results->dropped_rows() > 0) {
    fmt::print("dropped {} rows of results.csv ({}); their points run again\n",
               s.results->dropped_rows(),
               args.retry_failed ? "failed points, or a line torn when a sweep was killed"
                                 : "a line torn when a sweep was killed");
  }
  std::fflush(stdout);
  return s;
}

void record(SweepSession& session, const ChildResult& result, Progress& progress) {
  const SweepPoint& point = session.plan.points[result.index];
  PointRows rows = point_rows(session.plan, point, result);
  session.results->append_timing(point.id, to_string(rows.status), result.wall_s);
  // `pending` is in plan order, so a point's position is found by binary search.
  const auto at = std::lower_bound(session.pending.begin(), session.pending.end(), result.index);
  if (at == session.pending.end() || *at != result.index) {
    throw InternalError(fmt::format("sweep: point {} finished but was not pending", point.id));
  }
  session.waiting.emplace(static_cast<size_t>(at - session.pending.begin()), std::move(rows.block));
  for (auto it = session.waiting.begin();
       it != session.waiting.end() && it->first == session.written;
       it = session.waiting.erase(it)) {
    session.results->append(it->second);
    ++session.written;
  }
  const bool ok = rows.status == PointStatus::Ok;
  ++(ok ? session.ok : session.failed);
  progress.finished(ok);
}

void run_local(SweepSession& session, const SweepArgs& args, const std::string& moesim,
               unsigned jobs) {
  Progress progress(session.shard_points, session.shard_points - session.pending.size(),
                    args.progress);
  ProcessPool pool(args.timeout_s, args.timeout_text);
  const fs::path dir(args.out);
  size_t next = 0;
  while (next < session.pending.size() || pool.running() > 0) {
    while (pool.running() < jobs && next < session.pending.size()) {
      const SweepPoint& p = session.plan.points[session.pending[next++]];
      pool.start(make_job(session.plan, p, moesim, dir));
    }
    for (const ChildResult& r : pool.wait(200))
      record(session, r, progress);
    progress.tick();
  }
  progress.close();
}

int print_summary(const SweepSession& session) {
  size_t ok = 0, bad = 0;
  for (const auto& [id, status] : session.results->done())
    ++(status == "ok" ? ok : bad);
  fmt::print("sweep: ran {} points ({} ok, {} not ok); {} holds {} points ok and {} not ok\n",
             session.ok + session.failed, session.ok, session.failed,
             session.results->path().string(), ok + session.ok, bad + session.failed);
  if (ok + session.ok > 0 || bad + session.failed == 0) return 0;
  fmt::print(stderr, "sweep: no point succeeded: see the message column of {}\n",
             session.results->path().string());
  return 1;
}

}  // namespace moesim::cli
