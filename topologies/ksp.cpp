// Yen's algorithm (J. Y. Yen, "Finding the k shortest loopless paths in a network", 1971) on the
// Topology's directed link arrays. Each round takes the last accepted path, and for every spur
// vertex on it runs a Dijkstra that avoids (a) the root's vertices before the spur, so paths stay
// simple, and (b) the next link of every accepted path sharing that root, so the new path
// differs; root + spur paths are candidates, and the cheapest becomes the next path.
#include "topologies/ksp.hpp"

#include <algorithm>
#include <functional>
#include <limits>
#include <optional>
#include <set>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

namespace moesim::topo {
namespace {

constexpr uint64_t kInf = std::numeric_limits<uint64_t>::max();

uint64_t add_sat(uint64_t a, uint64_t b) {
  return a > kInf - b ? kInf : a + b;
}

// Dijkstra from `from` to `to` over links not banned, through vertices not banned, never
// expanding a host other than `from` (and entering a host only if it is `to`). Reuses its
// buffers across calls.
class SpurSearch {
 public:
  SpurSearch(const Topology& t, RouteCost metric)
      : t_(t), metric_(metric), dist_(t.num_vertices(), kInf), pred_(t.num_vertices(), 0) {}

  std::optional<KPath> run(uint32_t from, uint32_t to, const std::vector<uint8_t>& banned_vertex,
                           const std::vector<uint8_t>& banned_link) {
    for (const uint32_t v : touched_)
      dist_[v] = kInf;
    touched_.clear();
    using Entry = std::pair<uint64_t, uint32_t>;
    std::vector<Entry>& heap = heap_;
    heap.assign(1, {0, from});
    dist_[from] = 0;
    touched_.push_back(from);
    const Graph& g = t_.graph();
    while (!heap.empty()) {
      std::pop_heap(heap.begin(), heap.end(), std::greater<>());
      const auto [d, u] = heap.back();
      heap.pop_back();
      if (d != dist_[u]) continue;
      if (u == to) break;
      if (u != from && g[u].kind == VertexKind::Host) continue;  // hosts do not forward
      for (const uint32_t l : t_.out_links(u)) {
        const DirLink& link = t_.link(l);
        const uint32_t w = link.to;
        if (banned_link[l] || banned_vertex[w]) continue;
        if (g[w].kind == VertexKind::Host && w != to) continue;
        const uint64_t nd = add_sat(d, link_cost(link, metric_));
        if (nd < dist_[w]) {
          if (dist_[w] == kInf) touched_.push_back(w);
          dist_[w] = nd;
          pred_[w] = l;
          heap.emplace_back(nd, w);
          std::push_heap(heap.begin(), heap.end(), std::greater<>());
        }
      }
    }
    if (dist_[to] == kInf) return std::nullopt;
    KPath p;
    p.cost = dist_[to];
    for (uint32_t v = to; v != from; v = t_.link(pred_[v]).from)
      p.links.push_back(pred_[v]);
    std::reverse(p.links.begin(), p.links.end());
    return p;
  }

 private:
  const Topology& t_;
  RouteCost metric_;
  std::vector<uint64_t> dist_;
  std::vector<uint32_t> pred_;
  std::vector<uint32_t> touched_;
  std::vector<std::pair<uint64_t, uint32_t>> heap_;
};

}  // namespace

uint64_t path_cost(const Topology& t, const std::vector<uint32_t>& links, RouteCost metric) {
  uint64_t c = 0;
  for (const uint32_t l : links)
    c = add_sat(c, link_cost(t.link(l), metric));
  return c;
}

std::vector<KPath> k_shortest_paths(const Topology& t, uint32_t src, uint32_t dst, uint32_t k,
                                    RouteCost metric) {
  if (src >= t.num_hosts() || dst >= t.num_hosts()) {
    throw std::out_of_range(
        fmt::format("k_shortest_paths: host {} or {} not below {}", src, dst, t.num_hosts()));
  }
  std::vector<KPath> accepted;
  if (k == 0) return accepted;
  if (src == dst) return {KPath{}};
  const auto s = static_cast<uint32_t>(t.host_vertex(src));
  const auto d = static_cast<uint32_t>(t.host_vertex(dst));
  std::vector<uint8_t> banned_vertex(t.num_vertices(), 0), banned_link(t.num_links(), 0);
  SpurSearch search(t, metric);
  auto first = search.run(s, d, banned_vertex, banned_link);
  if (!first) return accepted;
  accepted.push_back(std::move(*first));

  // Candidates ordered by (cost, links): the set both deduplicates and picks the next path.
  // No candidate repeats an accepted path: it shares a root with it only if the link after the
  // root was banned.
  std::set<std::pair<uint64_t, std::vector<uint32_t>>> candidates;
  while (accepted.size() < k) {
    const std::vector<uint32_t> prev = accepted.back().links;  // copy: accepted may grow
    uint64_t root_cost = 0;
    uint32_t spur = s;
    for (size_t i = 0; i < prev.size(); ++i) {
      std::vector<uint32_t> banned_links;
      for (const KPath& p : accepted) {
        if (p.links.size() > i && std::equal(prev.begin(), prev.begin() + i, p.links.begin())) {
          banned_link[p.links[i]] = 1;
          banned_links.push_back(p.links[i]);
        }
      }
      if (auto tail = search.run(spur, d, banned_vertex, banned_link)) {
        std::vector<uint32_t> links(prev.begin(), prev.begin() + i);
        links.insert(links.end(), tail->links.begin(), tail->links.end());
        candidates.emplace(add_sat(root_cost, tail->cost), std::move(links));
      }
      for (const uint32_t l : banned_links)
        banned_link[l] = 0;
      // The spur moves one link along; the old spur joins the root and is banned.
      banned_vertex[spur] = 1;
      root_cost = add_sat(root_cost, link_cost(t.link(prev[i]), metric));
      spur = t.link(prev[i]).to;
    }
    std::fill(banned_vertex.begin(), banned_vertex.end(), 0);
    if (candidates.empty()) break;
    auto best = candidates.extract(candidates.begin()).value();
    accepted.push_back(KPath{std::move(best.second), best.first});
  }
  return accepted;
}

}  // namespace moesim::topo
