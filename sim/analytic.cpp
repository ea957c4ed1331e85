// The analytic model: no time dynamics, only lower bounds.
//  - link bound: every link must carry its bytes, so makespan >= max_l bytes_l / rate_l;
//  - critical path: a flow alone on its paths drains no faster than its slowest subflow at
//    that subflow's bottleneck rate min_l(rate_l / coef_l), nor faster than its busiest link
//    carries all of its subflows' bytes, then needs its path latency; compute tasks take
//    their duration; the DAG's longest chain of these is a bound too.
// The makespan reported is the larger of the two, and node times are the critical-path
// schedule (each node as early as its predecessors allow, running alone).
#include <algorithm>
#include <cmath>
#include <deque>

#include "sim/model.hpp"
#include "sim/time_limits.hpp"

namespace moesim::sim {
namespace {

TimePs ceil_ps(double seconds) {
  // Round up to whole ps, forgiving floating-point noise far below 1 ps.
  return TimePs{static_cast<int64_t>(std::ceil(seconds * 1e12 - 1e-6))};
}

// A node running alone. A flow's subflows share links (at least the sender's NIC), so the
// flow needs both the slowest subflow's own drain time and, on every link, its total bytes
// over the link rate; each is a lower bound, and the latency of its fastest path follows.
TimePs isolated_time(const DagNode& n, uint32_t node, const PathSet& p,
                     const std::vector<double>& cap, std::vector<double>& load) {
  if (n.kind == NodeKind::Compute) return n.duration;
  TimePs worst{0};
  TimePs min_latency{INT64_MAX};
  double shared_s = 0;
  for (uint32_t s = p.node_begin[node]; s < p.node_begin[node + 1]; ++s) {
    double rate = INFINITY;
    auto links = p.sub_links(s);
    auto coefs = p.sub_coefs(s);
    for (size_t i = 0; i < links.size(); ++i) {
      rate = std::min(rate, cap[links[i]] / coefs[i]);
      load[links[i]] += coefs[i] * static_cast<double>(p.bytes[s]);
    }
    worst = std::max(worst, ceil_ps(static_cast<double>(p.bytes[s]) / rate) + p.latency[s]);
    min_latency = std::min(min_latency, p.latency[s]);
  }
  for (uint32_t s = p.node_begin[node]; s < p.node_begin[node + 1]; ++s) {
    for (uint32_t l : p.sub_links(s)) {
      shared_s = std::max(shared_s, load[l] / cap[l]);
      load[l] = 0;  // reset the scratch array for the next node
    }
  }
  if (min_latency.ps == INT64_MAX) return worst;
  return std::max(worst, ceil_ps(shared_s) + min_latency);
}

}  // namespace

RunResult run_analytic(const topo::Topology& topo, const Workload& w, const PathSet& paths) {
  check_run_fits_clock(topo, w, paths);
  const std::vector<double> cap = link_capacities(topo);
  std::vector<double> load(cap.size(), 0.0);
  RunResult r;
  r.nodes.assign(w.size(), NodeRecord{});
  std::vector<uint32_t> preds_left(w.size());
  std::deque<uint32_t> ready;
  for (uint32_t n = 0; n < w.size(); ++n) {
    preds_left[n] = w.num_predecessors(n);
    if (preds_left[n] == 0) ready.push_back(n);
  }
  while (!ready.empty()) {  // Kahn's order: every node after all its predecessors
    const uint32_t n = ready.front();
    ready.pop_front();
    NodeRecord& rec = r.nodes[n];
    rec.finish = rec.start + isolated_time(w.node(n), n, paths, cap, load);
    rec.subflows = paths.node_begin[n + 1] - paths.node_begin[n];
    for (uint32_t s : w.successors(n)) {
      r.nodes[s].start = std::max(r.nodes[s].start, rec.finish);
      if (--preds_left[s] == 0) ready.push_back(s);
    }
    ++r.events;
  }
  complete_result(topo, w, paths, r);
  r.makespan = std::max(r.makespan, ceil_ps(r.link_bound_s));
  return r;
}

}  // namespace moesim::sim
