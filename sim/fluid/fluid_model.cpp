// The fluid model: every transmitting subflow gets its exact max-min fair rate (see
// maxmin.hpp), recomputed whenever a subflow starts or drains. A flow starts when all its DAG
// predecessors have finished; each subflow drains its bytes at its current rate and arrives
// one path latency later; the flow finishes when its last subflow arrives. Compute tasks take
// their duration. Between events rates are constant, so each subflow's drain time is known
// and kept in a heap; only subflows whose rate changed are re-timed.
#include <algorithm>
#include <cmath>
#include <limits>

#include "sim/core/error.hpp"
#include "sim/core/event_queue.hpp"
#include "sim/dag_frontier.hpp"
#include "sim/fluid/indexed_heap.hpp"
#include "sim/fluid/maxmin.hpp"
#include "sim/model.hpp"
#include "sim/time_limits.hpp"

namespace moesim::sim {
namespace {

enum EventKind : uint32_t { kArrive = 0, kTaskDone = 1 };

class FluidRun {
 public:
  FluidRun(const topo::Topology& topo, const Workload& w, const PathSet& p)
      : w_(w),
        p_(p),
        solver_(link_capacities(topo), FlowLinks{&p.link_begin, &p.links, &p.coefs},
                p.num_subflows()),
        drains_(p.num_subflows()),
        remaining_(p.num_subflows(), 0.0),
        last_(p.num_subflows()),
        frontier_(w),
        subs_left_(w.size()) {
    r_.nodes.assign(w.size(), NodeRecord{});
  }

  RunResult run() {
    frontier_.start_roots([this](uint32_t n) { start(n, TimePs{0}); });
    while (true) {
      if (dirty_) retime();
      const bool have_drain = !drains_.empty(), have_event = !events_.empty();
      if (!have_drain && !have_event) break;
      TimePs now = have_drain ? drains_.top_time() : events_.next_time();
      if (have_event && events_.next_time() < now) now = events_.next_time();
      if (now == kNever) throw InternalError("fluid model: a drain time passed the clock's range");
      now_ = now;
      while (!drains_.empty() && drains_.top_time() == now) {
        const uint32_t s = drains_.top_id();
        drains_.pop();
        solver_.remove(s);
        dirty_ = true;
        events_.schedule(now + p_.latency[s], kArrive, s);
        ++r_.events;
      }
      while (!events_.empty() && events_.next_time() == now) {
        const Event e = events_.pop();
        ++r_.events;
        if (e.kind == kArrive) {
          const uint32_t n = p_.owner[e.id];
          if (--subs_left_[n] == 0) finish(n, now);
        } else {
          finish(e.id, now);
        }
      }
    }
    return std::move(r_);
  }

 private:
  void start(uint32_t n, TimePs now) {
    ++r_.events;
    NodeRecord& rec = r_.nodes[n];
    rec.start = now;
    const DagNode& node = w_.node(n);
    if (node.kind == NodeKind::Compute) {
      events_.schedule(now + node.duration, kTaskDone, n);
      return;
    }
    rec.subflows = p_.node_begin[n + 1] - p_.node_begin[n];
    subs_left_[n] = rec.subflows;
    if (rec.subflows == 0) finish(n, now);  // cannot happen for a valid PathSet; never hang
    for (uint32_t s = p_.node_begin[n]; s < p_.node_begin[n + 1]; ++s) {
      remaining_[s] = static_cast<double>(p_.bytes[s]);
      last_[s] = now;
      solver_.add(s);
    }
    dirty_ = true;
  }

  void finish(uint32_t n, TimePs now) {
    r_.nodes[n].finish = now;
    frontier_.finish(n, [this, now](uint32_t m) { start(m, now); });
  }

  // New rates for the subflows whose rate may have changed; their drain times move.
  void retime() {
    dirty_ = false;
    ++r_.solves;
    const TimePs now = now_;
    for (const MaxMinSolver::Change& c : solver_.solve()) {
      const uint32_t s = c.flow;
      const double elapsed = static_cast<double>((now - last_[s]).ps) * 1e-12;
      remaining_[s] = std::max(0.0, remaining_[s] - c.old_rate * elapsed);
      last_[s] = now;
      const double rate = solver_.rate(s);
      // Round up to whole ps, forgiving floating-point noise far below 1 ps.
      const double ps = std::ceil(remaining_[s] / rate * 1e12 - 1e-6);
      drains_.set(s, drain_time(now, ps));
    }
  }

  // now + ps as a clock reading. A subflow at a tiny share of a crowded link can predict a
  // drain beyond TimePs even though the run fits the clock (check_run_fits_clock); such a
  // prediction is only a heap key that a later rate change replaces, so it is held at
  // kNever. Were it ever reached, every other subflow would have finished, and the bound
  // says this one drains before kMaxRunTime: reaching kNever is a bug.
  static TimePs drain_time(TimePs now, double ps) {
    if (!(ps < static_cast<double>(kMaxRunTime.ps))) return kNever;
    return now + TimePs{static_cast<int64_t>(ps)};
  }
  static constexpr TimePs kNever{std::numeric_limits<int64_t>::max()};

  const Workload& w_;
  const PathSet& p_;
  MaxMinSolver solver_;
  IndexedHeap drains_;
  EventQueue events_;
  std::vector<double> remaining_;  // bytes left at time last_
  std::vector<TimePs> last_;
  DagFrontier frontier_;
  std::vector<uint32_t> subs_left_;
  TimePs now_{0};
  bool dirty_ = false;
  RunResult r_;
};

}  // namespace

RunResult run_fluid(const topo::Topology& topo, const Workload& w, const PathSet& paths) {
  check_run_fits_clock(topo, w, paths);
  FluidRun run(topo, w, paths);
  RunResult r = run.run();
  complete_result(topo, w, paths, r);
  return r;
}

}  // namespace moesim::sim
