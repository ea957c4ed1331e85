// The path builder the path policies share (sim/path_policies.cpp): ECMP next-hop hashing
// with per-switch salts from the "ecmp" stream, equal-cost path enumeration with a Yen top-up,
// the per-hop equal split of ideal multipath, and split:K's least-loaded subflow placement.
// It appends subflows to one PathSet in DAG node order.
#pragma once

#include <algorithm>
#include <queue>
#include <span>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "sim/core/error.hpp"
#include "sim/core/rng.hpp"
#include "sim/paths.hpp"
#include "topologies/ksp.hpp"
#include "topologies/tiers.hpp"

namespace moesim::sim {

// split:K chooses among at most this many equal-cost paths per flow (enumerated in link-id
// order); a leaf-spine has as many paths as spines, so this only bites on very wide fabrics.
constexpr size_t kMaxCandidatePaths = 64;

struct Path {
  std::vector<uint32_t> links;
  TimePs latency;
};

[[noreturn]] inline void unreachable(const topo::Topology& topo, const DagNode& n) {
  throw InputError(fmt::format("topology: host {} cannot reach host {}: no path in '{}'", n.src,
                               n.dst, topo.description()));
}

class PathBuilder {
 public:
  PathBuilder(const topo::Routing& r, const Workload& w, uint64_t seed)
      : r_(r), topo_(r.topology()), up_down_(topo::has_up_down_tiers(topo_)) {
    out_.node_begin.reserve(w.size() + 1);
    Rng rng = make_stream(seed, "ecmp");
    salt_.resize(topo_.num_vertices());
    for (auto& s : salt_)
      s = rng.next_u64();
    out_.link_begin.push_back(0);
  }

  Path ecmp_path(uint32_t node, const DagNode& n) const {
    Path p;
    const uint32_t dst_v = topo_.host_vertex(n.dst);
    uint32_t v = topo_.host_vertex(n.src);
    while (v != dst_v) {
      auto hops = r_.next_hops(v, n.dst);
      if (hops.empty()) unreachable(topo_, n);
      const uint32_t l = hops.size() == 1 ? hops[0] : hops[mix64(node ^ salt_[v]) % hops.size()];
      p.links.push_back(l);
      p.latency += topo_.link(l).latency;
      v = topo_.link(l).to;
    }
    return p;
  }

  // Equal-cost paths from src to dst, depth first in link-id order, at most `limit`.
  std::vector<Path> enumerate_paths(const DagNode& n, size_t limit) const {
    std::vector<Path> paths;
    Path cur;
    enumerate_from(topo_.host_vertex(n.src), n, cur, paths, limit);
    if (paths.empty()) unreachable(topo_, n);
    return paths;
  }

  void add_subflow(uint32_t node, std::span<const uint32_t> links, std::span<const double> coefs,
                   uint64_t bytes, TimePs latency) {
    out_.links.insert(out_.links.end(), links.begin(), links.end());
    out_.coefs.insert(out_.coefs.end(), coefs.begin(), coefs.end());
    out_.link_begin.push_back(static_cast<uint32_t>(out_.links.size()));
    out_.bytes.push_back(bytes);
    out_.latency.push_back(latency);
    out_.owner.push_back(node);
  }

  void add_single_path(uint32_t node, const Path& p, uint64_t bytes) {
    ones_.assign(p.links.size(), 1.0);
    add_subflow(node, p.links, ones_, bytes, p.latency);
  }

  // Per-hop equal split over the next-hop DAG: frac(v) flows into v, and each next hop of v
  // gets frac(v)/|NH(v)|. Vertices are visited in decreasing cost-to-destination order, which
  // is a topological order of the DAG because cost strictly decreases along every next hop.
  void add_ideal(uint32_t node, const DagNode& n) {
    if (frac_.empty()) {
      frac_.assign(topo_.num_vertices(), 0.0);
      lat_.assign(topo_.num_vertices(), TimePs{0});
    }
    const uint32_t dst_v = topo_.host_vertex(n.dst);
    const uint32_t src_v = topo_.host_vertex(n.src);
    std::priority_queue<std::pair<uint64_t, uint32_t>> order;  // (cost, vertex), max first
    frac_[src_v] = 1.0;
    order.push({r_.cost(src_v, n.dst), src_v});
    std::vector<uint32_t> links;
    std::vector<double> coefs;
    while (!order.empty()) {
      const uint32_t v = order.top().second;
      order.pop();
      if (v == dst_v) continue;
      auto hops = r_.next_hops(v, n.dst);
      if (hops.empty()) unreachable(topo_, n);
      const double share = frac_[v] / static_cast<double>(hops.size());
      for (uint32_t l : hops) {
        const uint32_t w = topo_.link(l).to;
        if (frac_[w] == 0.0) order.push({r_.cost(w, n.dst), w});
        frac_[w] += share;
        lat_[w] = std::max(lat_[w], lat_[v] + topo_.link(l).latency);
        links.push_back(l);
        coefs.push_back(share);
      }
    }
    const TimePs latency = lat_[dst_v];
    for (uint32_t l : links) {  // reset the scratch arrays for the next flow
      frac_[topo_.link(l).from] = 0.0;
      frac_[topo_.link(l).to] = 0.0;
      lat_[topo_.link(l).to] = TimePs{0};
    }
    frac_[src_v] = 0.0;
    add_subflow(node, links, coefs, n.size.count, latency);
  }

  // Equal-cost paths first; where there are fewer than k, the next-shortest simple paths
  // (Yen's algorithm under the routing view's cost) make up the k, as KSP routing on random
  // graphs does (Jellyfish). Not on a tiered Clos (topologies/tiers.hpp): there the equal-cost
  // paths are all the up-down ones, and Yen's next paths go down through a third switch and
  // back up (valleys, which up-down routing forbids), so k is capped at the equal-cost paths.
  // A pair whose least-cost route is NVLink only keeps it: the scale-up domain is never split
  // onto the network.
  std::vector<Path> split_candidates(const DagNode& n, uint32_t k) const {
    std::vector<Path> cands = enumerate_paths(n, kMaxCandidatePaths);
    if (cands.size() >= k || up_down_) return cands;
    const bool nvlink_only = std::all_of(cands[0].links.begin(), cands[0].links.end(), [&](auto l) {
      return topo_.link(l).kind == topo::LinkKind::NvLink;
    });
    if (nvlink_only) return cands;
    for (topo::KPath& kp : topo::k_shortest_paths(topo_, n.src, n.dst, k, r_.metric())) {
      if (cands.size() == k) break;
      const bool known = std::any_of(cands.begin(), cands.end(),
                                     [&](const Path& c) { return c.links == kp.links; });
      if (known) continue;
      Path p{std::move(kp.links), TimePs{0}};
      for (const uint32_t l : p.links)
        p.latency += topo_.link(l).latency;
      cands.push_back(std::move(p));
    }
    return cands;
  }

  // split:K: min(K, #paths) subflows of near-equal size on distinct paths (split_candidates);
  // each goes to the candidate path whose most-loaded link (in this sender's own placed bytes)
  // is least loaded, ties broken by a per-flow rotation so equal candidates are not always
  // taken in id order. Counts in the PathSet the flows that the up-down cap leaves with fewer
  // than k subflows.
  void add_split(uint32_t node, const DagNode& n, uint32_t k,
                 std::unordered_map<uint32_t, double>& load) {
    std::vector<Path> cands = split_candidates(n, k);
    const size_t m = std::min<size_t>(k, cands.size());
    if (up_down_ && m < k && climbs_past_leaf(cands.front())) {
      ++out_.split_cap.flows;
      out_.split_cap.max_paths = std::max(out_.split_cap.max_paths, static_cast<uint32_t>(m));
    }
    const size_t rot = mix64(node ^ salt_[topo_.host_vertex(n.src)]) % cands.size();
    std::vector<bool> used(cands.size(), false);
    for (size_t j = 0; j < m; ++j) {
      const uint64_t bytes = n.size.count / m + (j < n.size.count % m ? 1 : 0);
      size_t best = cands.size();
      double best_load = 0;
      for (size_t c = 0; c < cands.size(); ++c) {
        const size_t i = (c + rot) % cands.size();
        if (used[i]) continue;
        double worst = 0;
        for (uint32_t l : cands[i].links)
          worst = std::max(worst, load[l]);
        if (best == cands.size() || worst < best_load) {
          best = i;
          best_load = worst;
        }
      }
      used[best] = true;
      for (uint32_t l : cands[best].links)
        load[l] += static_cast<double>(bytes);
      if (bytes > 0) add_single_path(node, cands[best], bytes);
    }
  }

  PathSet& out() { return out_; }

 private:
  // A path that reaches a spine or above: a valley detour exists for it (a path that turns at
  // its leaf has no other simple path, hosts being single-homed), so only such a path is
  // capped by up-down routing rather than by the graph.
  bool climbs_past_leaf(const Path& p) const {
    return std::any_of(p.links.begin(), p.links.end(), [&](uint32_t l) {
      return topo::tier(topo_.graph()[topo_.link(l).to].kind).value_or(0) >= 2;
    });
  }

  void enumerate_from(uint32_t v, const DagNode& n, Path& cur, std::vector<Path>& paths,
                      size_t limit) const {
    if (paths.size() >= limit) return;
    if (v == topo_.host_vertex(n.dst)) {
      paths.push_back(cur);
      return;
    }
    for (uint32_t l : r_.next_hops(v, n.dst)) {
      cur.links.push_back(l);
      cur.latency += topo_.link(l).latency;
      enumerate_from(topo_.link(l).to, n, cur, paths, limit);
      cur.latency = cur.latency - topo_.link(l).latency;
      cur.links.pop_back();
    }
  }

  const topo::Routing& r_;
  const topo::Topology& topo_;
  bool up_down_;  // a tiered Clos: split:K takes no valley paths
  std::vector<uint64_t> salt_;
  std::vector<double> ones_;
  std::vector<double> frac_;
  std::vector<TimePs> lat_;
  PathSet out_;
};

}  // namespace moesim::sim
