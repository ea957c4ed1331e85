// check_run_fits_clock: the makespan bound of sim/time_limits.hpp.
#include "sim/time_limits.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include <fmt/format.h>

#include "sim/core/error.hpp"
#include "sim/core/units.hpp"

namespace moesim::sim {

void check_run_fits_clock(const topo::Topology& topo, const Workload& w, const PathSet& paths) {
  const double limit_s = kMaxRunTime.seconds();
  double drain_s = 0;                       // sum of alone drain times
  std::vector<double> weight(w.size(), 0);  // compute duration, or a flow's longest latency
  for (uint32_t n = 0; n < w.size(); ++n) {
    const DagNode& node = w.node(n);
    if (node.kind == NodeKind::Compute) {
      weight[n] = node.duration.seconds();
      continue;
    }
    for (uint32_t s = paths.node_begin[n]; s < paths.node_begin[n + 1]; ++s) {
      double rate = std::numeric_limits<double>::infinity();  // bytes/s the subflow gets alone
      const auto links = paths.sub_links(s);
      const auto coefs = paths.sub_coefs(s);
      for (size_t i = 0; i < links.size(); ++i)
        rate = std::min(rate, topo.link(links[i]).rate.bytes_per_sec() / coefs[i]);
      const double alone_s = static_cast<double>(paths.bytes[s]) / rate;
      if (!(alone_s <= limit_s)) {
        throw InputError(fmt::format(
            "flow {} (host {} -> host {}, {}B) needs {:.3g} s at {:.4g} bps, the slowest rate "
            "on its path, more than the {} moesim can time: expected a smaller size or faster "
            "links",
            n, node.src, node.dst, paths.bytes[s], alone_s, rate * 8, kMaxRunTimeText));
      }
      drain_s += alone_s;
      weight[n] = std::max(weight[n], paths.latency[s].seconds());
    }
  }
  // Longest chain of weights, in Kahn's order.
  std::vector<uint32_t> preds_left(w.size());
  std::vector<uint32_t> ready;
  std::vector<double> start(w.size(), 0);
  for (uint32_t n = 0; n < w.size(); ++n) {
    preds_left[n] = w.num_predecessors(n);
    if (preds_left[n] == 0) ready.push_back(n);
  }
  double chain_s = 0;
  while (!ready.empty()) {
    const uint32_t n = ready.back();
    ready.pop_back();
    const double end = start[n] + weight[n];
    chain_s = std::max(chain_s, end);
    for (const uint32_t m : w.successors(n)) {
      start[m] = std::max(start[m], end);
      if (--preds_left[m] == 0) ready.push_back(m);
    }
  }
  if (!(drain_s + chain_s <= limit_s)) {
    throw InputError(fmt::format(
        "the run may last up to {:.3g} s ({:.3g} s for its {} flows' bytes at their slowest "
        "rates, {:.3g} s of compute and latency on its longest chain), more than the {} moesim "
        "can time: expected less traffic, faster links or shorter compute times",
        drain_s + chain_s, drain_s, w.num_flows(), chain_s, kMaxRunTimeText));
  }
}

}  // namespace moesim::sim
