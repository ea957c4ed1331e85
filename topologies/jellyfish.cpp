// Jellyfish construction (Singla et al., §3): join random pairs of switches that both have a
// free port and are not yet adjacent; when no such pair is left but a switch still has free
// ports, break a random link (x, y) and join the stuck switch(es) to x and y. Components of the
// result are then merged by degree-preserving double-edge swaps on non-bridge edges, so the
// graph is connected without rejecting whole constructions. All randomness comes from
// make_stream(seed, "jellyfish"), in a fixed order.
#include "topologies/jellyfish.hpp"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "sim/core/rng.hpp"
#include "topologies/param_checks.hpp"
#include "topologies/registry.hpp"

namespace moesim::topo {
namespace {

using detail::reject;
using Edge = std::pair<uint32_t, uint32_t>;

constexpr uint64_t kMaxVertices = 1'000'000;

void validate(const JellyfishParams& p) {
  if (p.switches < 1 || p.switches > kMaxVertices) {
    reject("--switches", fmt::format("{}", p.switches),
           fmt::format("an integer from 1 to {}", kMaxVertices));
  }
  if (p.degree >= p.switches && p.switches > 1) {
    reject("--degree", fmt::format("{}", p.degree),
           fmt::format("at most --switches - 1 = {} (no parallel links)", p.switches - 1));
  }
  if (p.switches > 2 && p.degree < 2) {
    reject("--degree", fmt::format("{}", p.degree),
           "an integer >= 2 when --switches > 2 (degree 1 is a matching: disconnected)");
  }
  if (p.switches == 2 && p.degree != 1) {
    reject("--degree", fmt::format("{}", p.degree), "1 when --switches is 2");
  }
  if (p.switches == 1 && p.degree != 0) {
    reject("--degree", fmt::format("{}", p.degree), "0 when --switches is 1");
  }
  if ((uint64_t{p.switches} * p.degree) % 2 != 0) {
    reject("--degree", fmt::format("{}", p.degree),
           fmt::format("an even number when --switches ({}) is odd: ports pair up into links",
                       p.switches));
  }
  if (p.hosts_per_switch < 1 || uint64_t{p.switches} * p.hosts_per_switch > kMaxVertices) {
    reject("--hosts-per-switch", fmt::format("{}", p.hosts_per_switch),
           fmt::format("an integer >= 1 with --switches x --hosts-per-switch at most {}",
                       kMaxVertices));
  }
  if (p.max_attempts < 1) {
    reject("--max-attempts", fmt::format("{}", p.max_attempts), "an integer >= 1");
  }
  detail::require_positive("--host-rate", p.host_rate);
  detail::require_positive("--fabric-rate", p.fabric_rate);
  detail::require_non_negative("--host-latency", p.host_latency);
  detail::require_non_negative("--fabric-latency", p.fabric_latency);
  detail::require_buffer("--buffer", p.buffer);
}

// A simple graph under construction: adjacency lists (short: at most `degree` entries), the
// edge list, and the set of switches with free ports with O(1) insert and erase.
class Construction {
 public:
  Construction(uint32_t n, uint32_t r) : r_(r), adj_(n), open_pos_(n) {
    for (uint32_t v = 0; v < n; ++v) {
      open_pos_[v] = v;
      open_.push_back(v);
    }
    if (r == 0) open_.clear();
  }

  uint32_t free_ports(uint32_t v) const { return r_ - static_cast<uint32_t>(adj_[v].size()); }
  bool adjacent(uint32_t u, uint32_t v) const {
    return std::find(adj_[u].begin(), adj_[u].end(), v) != adj_[u].end();
  }
  const std::vector<uint32_t>& open() const { return open_; }
  const std::vector<Edge>& edges() const { return edges_; }
  const std::vector<std::vector<uint32_t>>& adj() const { return adj_; }

  void link(uint32_t u, uint32_t v) {
    adj_[u].push_back(v);
    adj_[v].push_back(u);
    edges_.emplace_back(u, v);
    if (free_ports(u) == 0) close(u);
    if (free_ports(v) == 0) close(v);
  }
  // Removes edge number i (its slot is taken by the last edge).
  Edge unlink(size_t i) {
    const Edge e = edges_[i];
    edges_[i] = edges_.back();
    edges_.pop_back();
    for (const auto& [a, b] : {e, Edge{e.second, e.first}}) {
      if (free_ports(a) == 0) reopen(a);
      auto& l = adj_[a];
      *std::find(l.begin(), l.end(), b) = l.back();
      l.pop_back();
    }
    return e;
  }

 private:
  void close(uint32_t v) {
    const uint32_t at = open_pos_[v];
    open_[at] = open_.back();
    open_pos_[open_[at]] = at;
    open_.pop_back();
  }
  void reopen(uint32_t v) {
    open_pos_[v] = static_cast<uint32_t>(open_.size());
    open_.push_back(v);
  }

  uint32_t r_;
  std::vector<std::vector<uint32_t>> adj_;
  std::vector<Edge> edges_;
  std::vector<uint32_t> open_;
  std::vector<uint32_t> open_pos_;  // valid only for open switches
};

// Index of a uniformly chosen edge satisfying ok(edge), or nothing. Random probes first, then
// an exhaustive scan, so a rare valid edge is still found.
template <class Ok>
std::optional<size_t> pick_edge(const Construction& c, Rng& rng, Ok ok) {
  const auto& edges = c.edges();
  if (edges.empty()) return std::nullopt;
  for (int probe = 0; probe < 64; ++probe) {
    const size_t i = rng.below(edges.size());
    if (ok(edges[i])) return i;
  }
  std::vector<size_t> valid;
  for (size_t i = 0; i < edges.size(); ++i) {
    if (ok(edges[i])) valid.push_back(i);
  }
  if (valid.empty()) return std::nullopt;
  return valid[rng.below(valid.size())];
}

// A random non-adjacent pair of open switches, or nothing if all open switches are adjacent.
std::optional<Edge> pick_pair(const Construction& c, Rng& rng, uint32_t r) {
  const auto& open = c.open();
  const size_t f = open.size();
  if (f < 2) return std::nullopt;
  // An open switch has fewer than r neighbours, so with more than r open switches a valid pair
  // exists: keep drawing. Otherwise draw a little, then scan all pairs.
  for (int probe = 0; f > r || probe < 64; ++probe) {
    const uint32_t u = open[rng.below(f)], v = open[rng.below(f)];
    if (u != v && !c.adjacent(u, v)) return Edge{u, v};
  }
  std::vector<Edge> valid;
  for (size_t i = 0; i < f; ++i) {
    for (size_t j = i + 1; j < f; ++j) {
      if (!c.adjacent(open[i], open[j])) valid.emplace_back(open[i], open[j]);
    }
  }
  if (valid.empty()) return std::nullopt;
  return valid[rng.below(valid.size())];
}

// Fills every port; false if the construction got stuck for good.
bool fill_ports(Construction& c, Rng& rng, uint32_t r) {
  while (!c.open().empty()) {
    if (const auto pair = pick_pair(c, rng, r)) {
      c.link(pair->first, pair->second);
      continue;
    }
    const uint32_t u = c.open()[rng.below(c.open().size())];
    if (c.free_ports(u) >= 2) {
      // Break x - y and join u to both.
      const auto i = pick_edge(c, rng, [&](Edge e) {
        return e.first != u && e.second != u && !c.adjacent(u, e.first) && !c.adjacent(u, e.second);
      });
      if (!i) return false;
      const Edge e = c.unlink(*i);
      c.link(u, e.first);
      c.link(u, e.second);
      continue;
    }
    // u has one free port, so (free ports pair up) another switch v does too; they are
    // adjacent. Break x - y and join u - x, v - y.
    uint32_t v = u;
    while (v == u)
      v = c.open()[rng.below(c.open().size())];
    const auto i = pick_edge(c, rng, [&](Edge e) {
      const auto [x, y] = e;
      return x != u && x != v && y != u && y != v && !c.adjacent(u, x) && !c.adjacent(v, y);
    });
    if (!i) return false;
    const Edge e = c.unlink(*i);
    c.link(u, e.first);
    c.link(v, e.second);
  }
  return true;
}

// Component label of every switch (labels 0.., in order of the smallest member).
std::vector<uint32_t> components(const std::vector<std::vector<uint32_t>>& adj, uint32_t& count) {
  const auto n = static_cast<uint32_t>(adj.size());
  std::vector<uint32_t> label(n, UINT32_MAX);
  count = 0;
  std::vector<uint32_t> stack;
  for (uint32_t s = 0; s < n; ++s) {
    if (label[s] != UINT32_MAX) continue;
    label[s] = count;
    stack.assign(1, s);
    while (!stack.empty()) {
      const uint32_t v = stack.back();
      stack.pop_back();
      for (const uint32_t w : adj[v]) {
        if (label[w] == UINT32_MAX) {
          label[w] = count;
          stack.push_back(w);
        }
      }
    }
    ++count;
  }
  return label;
}

// Joins components pairwise: remove a cycle edge a - b of one and c - d of another, add
// a - c and b - d. Degrees are kept, no parallel edge can appear (the two sides were
// disconnected), and removing a cycle edge keeps each side connected, so the two merge.
bool merge_components(Construction& c, Rng& rng) {
  for (;;) {
    uint32_t count = 0;
    const std::vector<uint32_t> label = components(c.adj(), count);
    if (count <= 1) return true;
    std::optional<size_t> picked[2];
    for (uint32_t side = 0; side < 2; ++side) {
      // A cycle edge: u - v is on a cycle iff v is still reachable from u without it.
      picked[side] = pick_edge(c, rng, [&](Edge e) {
        if (label[e.first] != side) return false;
        std::vector<uint8_t> seen(c.adj().size(), 0);
        std::vector<uint32_t> stack{e.first};
        seen[e.first] = 1;
        while (!stack.empty()) {
          const uint32_t x = stack.back();
          stack.pop_back();
          for (const uint32_t y : c.adj()[x]) {
            if (seen[y] || (x == e.first && y == e.second)) continue;
            if (y == e.second) return true;
            seen[y] = 1;
            stack.push_back(y);
          }
        }
        return false;
      });
      if (!picked[side]) return false;  // a tree component: impossible for degree >= 2
    }
    // Unlink the higher index first so the lower one stays valid.
    const size_t hi = std::max(*picked[0], *picked[1]), lo = std::min(*picked[0], *picked[1]);
    const Edge e_hi = c.unlink(hi), e_lo = c.unlink(lo);
    c.link(e_lo.first, e_hi.first);
    c.link(e_lo.second, e_hi.second);
  }
}

}  // namespace

std::vector<Edge> random_regular_graph(const JellyfishParams& p) {
  validate(p);
  Rng rng = make_stream(p.seed, "jellyfish");
  for (uint32_t attempt = 0; attempt < p.max_attempts; ++attempt) {
    Construction c(p.switches, p.degree);
    if (!fill_ports(c, rng, p.degree) || !merge_components(c, rng)) continue;
    std::vector<Edge> edges = c.edges();
    for (auto& [u, v] : edges) {
      if (u > v) std::swap(u, v);
    }
    std::sort(edges.begin(), edges.end());
    return edges;
  }
  throw InputError(fmt::format(
      "--degree: value '{}': expected a degree for which a connected {}-regular graph on {} "
      "switches could be built; {} attempts failed (--max-attempts)",
      p.degree, p.degree, p.switches, p.max_attempts));
}

Topology build_jellyfish(const JellyfishParams& p) {
  const std::vector<Edge> edges = random_regular_graph(p);  // validates p
  Topology t(fmt::format(
      "jellyfish: {} switches of degree {}, {} hosts per switch, seed {}, host links {} / {}, "
      "fabric links {} / {}",
      p.switches, p.degree, p.hosts_per_switch, p.seed, p.host_rate, p.host_latency, p.fabric_rate,
      p.fabric_latency));
  const uint32_t num_hosts = p.switches * p.hosts_per_switch;
  for (uint32_t h = 0; h < num_hosts; ++h)
    t.add_vertex(VertexKind::Host, fmt::format("host{}", h), static_cast<int32_t>(h));
  std::vector<Vertex> switches;
  for (uint32_t s = 0; s < p.switches; ++s)
    switches.push_back(t.add_vertex(VertexKind::Switch, fmt::format("sw{}", s)));
  for (uint32_t h = 0; h < num_hosts; ++h) {
    t.add_link(t.host_vertex(h), switches[h / p.hosts_per_switch], LinkKind::HostLink, p.host_rate,
               p.host_latency, p.buffer);
  }
  for (const auto& [u, v] : edges) {
    t.add_link(switches[u], switches[v], LinkKind::Fabric, p.fabric_rate, p.fabric_latency,
               p.buffer);
  }
  return t;
}

namespace {

BuiltTopology jellyfish_from(const OptionValues& o) {
  const LinkOptions l = link_options(o);
  JellyfishParams p;
  p.switches = option_u32(o, "switches");
  p.degree = option_u32(o, "degree");
  p.hosts_per_switch = option_u32(o, "hosts-per-switch");
  p.host_rate = l.host_rate;
  p.fabric_rate = l.flat_rate();
  p.host_latency = p.fabric_latency = l.latency;
  p.buffer = l.buffer;
  p.seed = l.seed;
  return {build_jellyfish(p), std::nullopt, p.fabric_rate};
}

TopologySize jellyfish_size(const OptionValues& o) {
  const double switches = static_cast<double>(o.count("switches"));
  const double hosts = switches * static_cast<double>(o.count("hosts-per-switch"));
  return {hosts, hosts + switches, hosts + switches * static_cast<double>(o.count("degree")) / 2,
          "--switches, --hosts-per-switch, --degree"};
}

}  // namespace

extern const TopologyEntry jellyfish_topology = {
    "jellyfish", "random --degree-regular graph of --switches switches", &jellyfish_from,
    &jellyfish_size};

}  // namespace moesim::topo
