// The analytic model: no time dynamics, only lower bounds.
//  - link bound: every link must carry its bytes, so makespan >= max_l bytes_l / rate_l;
//  - critical path: a flow alone on its paths drains no faster than its slowest subflow at
//    that subflow's bottleneck rate min_l(rate_l / coef_l), then needs its path latency;
//    compute tasks take their duration; the DAG's longest chain of these is a bound too.
// The makespan reported is the larger of the two, and node times are the critical-path
// schedule (each node as early as its predecessors allow, running alone).
#include <algorithm>
#include <cmath>
#include <deque>

#include "sim/model.hpp"

namespace moesim::sim {
namespace {

TimePs isolated_time(const DagNode& n, uint32_t node, const PathSet& p,
                     const std::vector<double>& cap) {
  if (n.kind == NodeKind::Compute) return n.duration;
  TimePs worst{0};
  for (uint32_t s = p.node_begin[node]; s < p.node_begin[node + 1]; ++s) {
    double rate = INFINITY;
    auto links = p.sub_links(s);
    auto coefs = p.sub_coefs(s);
    for (size_t i = 0; i < links.size(); ++i)
      rate = std::min(rate, cap[links[i]] / coefs[i]);
    const auto drain =
        static_cast<int64_t>(std::ceil(static_cast<double>(p.bytes[s]) / rate * 1e12 - 1e-6));
    worst = std::max(worst, TimePs{drain} + p.latency[s]);
  }
  return worst;
}

}  // namespace

RunResult run_analytic(const topo::Topology& topo, const Workload& w, const PathSet& paths) {
  const std::vector<double> cap = link_capacities(topo);
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
    rec.finish = rec.start + isolated_time(w.node(n), n, paths, cap);
    rec.subflows = paths.node_begin[n + 1] - paths.node_begin[n];
    for (uint32_t s : w.successors(n)) {
      r.nodes[s].start = std::max(r.nodes[s].start, rec.finish);
      if (--preds_left[s] == 0) ready.push_back(s);
    }
    ++r.events;
  }
  complete_result(topo, w, paths, r);
  const TimePs link_bound{static_cast<int64_t>(std::ceil(r.link_bound_s * 1e12))};
  r.makespan = std::max(r.makespan, link_bound);
  return r;
}

}  // namespace moesim::sim
