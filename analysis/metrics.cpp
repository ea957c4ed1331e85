#include "analysis/metrics.hpp"

#include <algorithm>
#include <cmath>

namespace moesim::analysis {

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  // Nearest rank: the smallest value with at least p% of the values at or below it.
  const auto n = static_cast<double>(values.size());
  const size_t rank = static_cast<size_t>(std::max(1.0, std::ceil(p / 100.0 * n)));
  std::nth_element(values.begin(), values.begin() + static_cast<long>(rank - 1), values.end());
  return values[rank - 1];
}

Summary summarize(const topo::Topology& topo, const Workload& w, const sim::RunResult& r) {
  Summary s;
  s.cct_us = r.makespan.us();
  s.link_bound_us = r.link_bound_s * 1e6;
  s.cct_over_bound = s.link_bound_us > 0 ? s.cct_us / s.link_bound_us : 0;
  std::vector<double> fct;
  fct.reserve(w.num_flows());
  for (uint32_t n = 0; n < w.size(); ++n) {
    const DagNode& node = w.node(n);
    if (node.kind != NodeKind::Flow) continue;
    fct.push_back((r.nodes[n].finish - r.nodes[n].start).us());
    s.bytes += node.size.count;
  }
  s.flows = fct.size();
  s.fct_p50_us = percentile(fct, 50);
  s.fct_p99_us = percentile(fct, 99);
  s.fct_max_us = fct.empty() ? 0 : *std::max_element(fct.begin(), fct.end());
  const double span_s = r.makespan.seconds();
  double fabric_sum = 0;
  size_t fabric_links = 0;
  for (uint32_t l = 0; l < r.links.size(); ++l) {
    const double util =
        span_s > 0 ? r.links[l].bytes / (topo.link(l).rate.bytes_per_sec() * span_s) : 0;
    s.max_link_util = std::max(s.max_link_util, util);
    s.max_queue_bytes = std::max(s.max_queue_bytes, r.links[l].max_queue);
    if (topo.link(l).kind == topo::LinkKind::Fabric) {
      fabric_sum += util;
      ++fabric_links;
    }
  }
  s.mean_fabric_util = fabric_links > 0 ? fabric_sum / static_cast<double>(fabric_links) : 0;
  double nic = 0, nvlink = 0;  // summed in doubles as the models record them, then rounded
  for (uint32_t l = 0; l < r.links.size(); ++l) {
    const topo::DirLink& link = topo.link(l);
    if (topo.graph()[link.from].kind != topo::VertexKind::Host) continue;
    (link.kind == topo::LinkKind::NvLink ? nvlink : nic) += r.links[l].bytes;
  }
  s.nic_bytes = static_cast<uint64_t>(std::llround(nic));
  s.nvlink_bytes = static_cast<uint64_t>(std::llround(nvlink));
  std::vector<int64_t> busy(w.num_hosts(), 0);
  for (uint32_t n = 0; n < w.size(); ++n) {
    const DagNode& node = w.node(n);
    if (node.kind == NodeKind::Compute) busy[node.src] += node.duration.ps;  // <= 2^62 each
  }
  const int64_t busiest = busy.empty() ? 0 : *std::max_element(busy.begin(), busy.end());
  s.step_us = s.cct_us;
  s.compute_us = TimePs{busiest}.us();
  s.exposed_comm_us = s.step_us - s.compute_us;
  s.subflows = r.subflows;
  s.events = r.events;
  s.solves = r.solves;
  s.split_flows = r.split_flows;
  s.packets = r.packets;
  s.trims = r.trims;
  s.drops = r.drops;
  s.retransmits = r.retransmits;
  s.timeouts = r.timeouts;
  s.pfc_frames = r.pfc_frames;
  s.pause_us = r.pause_s * 1e6;
  return s;
}

}  // namespace moesim::analysis
