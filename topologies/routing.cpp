// Routing view construction: one Dijkstra per destination host over the reversed links, then
// the equal-cost next-hop sets read off the exact integer costs. Serial on purpose: the result
// must not depend on thread scheduling, and the build is cheap next to a simulation.
#include "topologies/routing.hpp"

#include <algorithm>
#include <functional>
#include <limits>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

namespace moesim::topo {
namespace {

constexpr uint64_t kUnreachable = std::numeric_limits<uint64_t>::max();

// Saturating, so absurd latencies cannot wrap around into a "short" path.
uint64_t add_sat(uint64_t a, uint64_t b) {
  return a > kUnreachable - b ? kUnreachable : a + b;
}

// The links out of every vertex in compressed form (arcs [begin[v], begin[v+1]) of vertex v,
// in link id order), with the cost of each link and of its reverse. Dijkstra runs from the
// destination over reverse costs; the next-hop pass reads forward costs. Flat arrays because
// both loops run once per destination over every link.
struct Arcs {
  std::vector<uint32_t> begin;
  std::vector<uint32_t> to;
  std::vector<uint32_t> link;
  std::vector<uint64_t> cost;          // of link: v -> to
  std::vector<uint64_t> reverse_cost;  // of its reverse: to -> v
};

Arcs make_arcs(const Topology& topo, RouteCost metric) {
  Arcs a;
  const uint32_t n = topo.num_vertices();
  a.begin.reserve(n + 1);
  for (uint32_t v = 0; v < n; ++v) {
    a.begin.push_back(static_cast<uint32_t>(a.to.size()));
    for (const uint32_t l : topo.out_links(v)) {
      a.to.push_back(topo.link(l).to);
      a.link.push_back(l);
      a.cost.push_back(link_cost(topo.link(l), metric));
      a.reverse_cost.push_back(link_cost(topo.link(l ^ 1u), metric));
    }
  }
  a.begin.push_back(static_cast<uint32_t>(a.to.size()));
  return a;
}

}  // namespace

// Latency in ps + 1: the +1 makes hop count break ties among zero-latency links. Or 1 per hop.
uint64_t link_cost(const DirLink& l, RouteCost metric) {
  if (metric == RouteCost::Hops) return 1;
  return add_sat(static_cast<uint64_t>(l.latency.ps), 1);
}

Routing::Routing(const Topology& topo, RouteCost metric)
    : topo_(&topo), num_vertices_(topo.num_vertices()), metric_(metric) {
  const uint32_t n = num_vertices_;
  const uint32_t num_hosts = topo.num_hosts();
  const Graph& g = topo.graph();
  std::vector<uint8_t> is_host(n);  // bytes, not vector<bool>: read in the inner loops
  for (uint32_t v = 0; v < n; ++v)
    is_host[v] = g[v].kind == VertexKind::Host;
  const Arcs arcs = make_arcs(topo, metric);

  offsets_.resize(static_cast<size_t>(num_hosts) * (n + 1));
  hops_.resize(num_hosts);
  cost_.assign(static_cast<size_t>(num_hosts) * n, kUnreachable);

  // Min-heap of (cost, vertex) with lazy deletion; reused across destinations.
  using Entry = std::pair<uint64_t, uint32_t>;
  std::vector<Entry> heap;
  std::vector<uint32_t> hops;
  for (uint32_t dst = 0; dst < num_hosts; ++dst) {
    const auto t = static_cast<uint32_t>(topo.host_vertex(dst));
    uint64_t* dist = cost_.data() + static_cast<size_t>(dst) * n;
    dist[t] = 0;
    heap.assign(1, {0, t});
    while (!heap.empty()) {
      std::pop_heap(heap.begin(), heap.end(), std::greater<>());
      const auto [d, u] = heap.back();
      heap.pop_back();
      if (d != dist[u]) continue;  // stale entry
      for (uint32_t i = arcs.begin[u]; i < arcs.begin[u + 1]; ++i) {
        const uint32_t w = arcs.to[i];
        const uint64_t nd = add_sat(d, arcs.reverse_cost[i]);
        if (nd < dist[w]) {
          dist[w] = nd;
          // Hosts do not forward: a host other than t gets its cost but is never expanded,
          // so it need not enter the heap (most vertices are hosts: this is the main saving).
          if (is_host[w]) continue;
          heap.emplace_back(nd, w);
          std::push_heap(heap.begin(), heap.end(), std::greater<>());
        }
      }
    }

    // Costs are exact integers, so "lies on a least-cost path" is an equality test.
    uint32_t* off = offsets_.data() + static_cast<size_t>(dst) * (n + 1);
    hops.clear();
    for (uint32_t v = 0; v < n; ++v) {
      off[v] = static_cast<uint32_t>(hops.size());
      if (v == t || dist[v] == kUnreachable) continue;
      for (uint32_t i = arcs.begin[v]; i < arcs.begin[v + 1]; ++i) {  // increasing link id
        const uint32_t w = arcs.to[i];
        if (is_host[w] && w != t) continue;
        if (dist[w] != kUnreachable && add_sat(dist[w], arcs.cost[i]) == dist[v]) {
          hops.push_back(arcs.link[i]);
        }
      }
    }
    off[n] = static_cast<uint32_t>(hops.size());
    hops_[dst].assign(hops.begin(), hops.end());  // exact size, no slack
  }
}

uint64_t count_paths(const Routing& r, uint32_t src, uint32_t dst) {
  const Topology& topo = r.topology();
  if (src >= topo.num_hosts() || dst >= topo.num_hosts()) {
    throw std::out_of_range(
        fmt::format("count_paths: host {} or {} not below {}", src, dst, topo.num_hosts()));
  }
  // paths(v) = sum of paths(w) over next hops v -> w; paths(dst) = 1. Next hops form a DAG
  // (cost strictly falls along them), so a memoised depth-first walk from src terminates and
  // touches only the part of the DAG that src can reach.
  // `done` is separate from the counts because a saturated count equals any sentinel.
  std::vector<uint64_t> paths(topo.num_vertices(), 0);
  std::vector<bool> done(topo.num_vertices(), false);
  const auto t = static_cast<uint32_t>(topo.host_vertex(dst));
  paths[t] = 1;
  done[t] = true;
  std::vector<uint32_t> stack{static_cast<uint32_t>(topo.host_vertex(src))};
  while (!stack.empty()) {
    const uint32_t v = stack.back();
    if (done[v]) {
      stack.pop_back();
      continue;
    }
    bool ready = true;
    uint64_t sum = 0;
    for (const uint32_t l : r.next_hops(v, dst)) {
      const uint32_t w = topo.link(l).to;
      if (!done[w]) {
        ready = false;
        stack.push_back(w);
      } else {
        sum = add_sat(sum, paths[w]);
      }
    }
    if (ready) {
      paths[v] = sum;  // 0 when dst is unreachable from v
      done[v] = true;
      stack.pop_back();
    }
  }
  return paths[topo.host_vertex(src)];
}

}  // namespace moesim::topo
