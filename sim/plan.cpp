// The `plan` path policy: before a wave of flows starts, assign every flow one spine (or, where
// unavoidable, a few spines) of a 2-tier leaf-spine so that no fabric link carries more than
// the ideal multipath load. The method is König's theorem made constructive with integers:
//
//  1. Waves. Flows with the same tag and the same DAG level (longest chain of predecessors,
//     compute tasks included) start together; each wave is planned on its own. A flow whose
//     least-cost path crosses no spine (same leaf, or one server's NVLink) keeps that path.
//     When all flows of the wave have one size g, each leaf pair with k flows first deals
//     floor(k/S) of them to every spine (even_amounts); only the k mod S left over go through
//     steps 2-5, and the even plan is kept unless it loads a fabric link more than they would.
//  2. Leaf matrix. M[a][b] = bytes from leaf a to leaf b. T0 = the largest row or column sum:
//     the ideal per-hop equal split puts T0/S bytes on the busiest of a leaf's S uplinks (or a
//     spine's downlinks to a leaf), and no routing can do better, since those S links carry T0.
//     The per-spine budget is B = ceil(T0/S), except that when every flow of the wave has the
//     same size g and B < g (leaf degree <= S) it is B = g: one whole flow per fabric link,
//     nothing split (T0/S cannot be reached unsplit there, and a link carrying one flow is
//     never a worse bottleneck than the NICs that flow also crosses on a 1:1 fabric).
//  3. Padding. With T = S*B, pad M to P >= M whose rows and columns all sum to T, filling the
//     row and column deficits north-west-corner style (padding is fictitious traffic).
//  4. Birkhoff-von Neumann. P/T is doubly stochastic, so its support holds a perfect matching
//     (Hall); take the smallest entry d on it, record (matching, d), subtract, repeat. Every
//     step zeroes an entry, so there are at most L^2 steps; all numbers stay integers.
//  5. Time axis. Lay the matchings end to end on [0, T); spine c owns [cB, (c+1)B). At every
//     instant one matching is active, so each leaf sends to (and receives from) exactly one
//     leaf: within a spine's interval every row and column gets at most B bytes. Within each
//     leaf pair the real bytes come first and the padding after; the real bytes of pair (a, b)
//     that fall in spine c's interval are A[a][b][c], and they sum to M[a][b].
//  6. Flows. Each leaf pair places its flows (largest first, equal sizes in diagonal order of
//     their hosts: see fill_pair) on the spines' amounts A[a][b][.]: first whole, each on the
//     spine whose remaining amount fits it most tightly; the flows that fit nowhere are then
//     poured over the remaining amounts in spine order, one subflow per spine they touch. That
//     splits at most S-1 flows per leaf pair. With equal sizes g and amounts that are
//     multiples of g (all-to-all and permutations on a 1:1 fabric with hosts per leaf =
//     spines) every flow fits whole: no split at all.
//
// Cost per wave with L leaves: O(L^2) memory; at most L^2 matchings, each re-matching only the
// rows that lost their entry, one augmenting path (O(L^2)) apiece: O(L^4) time at worst.
//
// The result: every fabric link carries at most B = ceil(T0/S) bytes of the wave (the ideal
// maximum, rounded up to a whole byte), and every subflow follows a least-cost path
// src host -> src leaf -> spine -> dst leaf -> dst host over the hosts' NICs.
#include "sim/plan.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "sim/core/error.hpp"

namespace moesim::sim {
namespace {

constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();

// One piece of a flow: `bytes` over spine `spine`, or over the flow's first least-cost path
// when spine == kNone (flows that cross no spine).
struct Piece {
  uint32_t spine = kNone;
  uint64_t bytes = 0;
};

// The leaf-spine as the planner sees it: leaves and spines numbered in vertex order.
struct LeafSpine {
  uint32_t leaves = 0;
  uint32_t spines = 0;
  std::vector<uint32_t> host_leaf;   // per host: its leaf
  std::vector<uint32_t> host_slot;   // per host: its rank among its leaf's hosts (host order)
  std::vector<uint32_t> leaf_hosts;  // per leaf: its hosts
  std::vector<uint32_t> host_up;     // per host: the link host -> its leaf (reverse: ^ 1)
  std::vector<uint32_t> up;          // leaf * spines + spine: the link leaf -> spine (reverse: ^ 1)
};

[[noreturn]] void not_leaf_spine(const topo::Topology& t, const std::string& what) {
  throw InputError(fmt::format("--transport plan: needs a 2-tier leaf-spine topology; '{}' has {}",
                               t.description(), what));
}

[[noreturn]] void unreachable(const topo::Topology& topo, const DagNode& n) {
  throw InputError(fmt::format("topology: host {} cannot reach host {}: no path in '{}'", n.src,
                               n.dst, topo.description()));
}

// The kinds of vertex a link of kind `k` joins in a leaf-spine.
std::pair<topo::VertexKind, topo::VertexKind> ends(topo::LinkKind k) {
  using topo::VertexKind;
  switch (k) {
    case topo::LinkKind::HostLink:
      return {VertexKind::Host, VertexKind::Leaf};
    case topo::LinkKind::Fabric:
      return {VertexKind::Leaf, VertexKind::Spine};
    case topo::LinkKind::NvLink:
      break;
  }
  return {VertexKind::Host, VertexKind::NvSwitch};
}

bool joins(const topo::Graph& g, const topo::DirLink& l) {
  const auto [a, b] = ends(l.kind);
  const auto from = g[l.from].kind, to = g[l.to].kind;
  return (from == a && to == b) || (from == b && to == a);
}

// Checks the shape (host links join a host and a leaf, fabric links a leaf and a spine, NVLinks
// a host and an NVSwitch; one host link per host; one fabric link per leaf and spine).
LeafSpine read_leaf_spine(const topo::Topology& t) {
  using topo::LinkKind;
  using topo::VertexKind;
  const topo::Graph& g = t.graph();
  LeafSpine ls;
  std::vector<uint32_t> index(t.num_vertices(), kNone);  // leaf or spine number
  std::vector<uint32_t> leaves, spines;                  // their vertices
  for (uint32_t v = 0; v < t.num_vertices(); ++v) {
    if (g[v].kind == VertexKind::Leaf) {
      index[v] = ls.leaves++;
      leaves.push_back(v);
    } else if (g[v].kind == VertexKind::Spine) {
      index[v] = ls.spines++;
      spines.push_back(v);
    }
  }
  if (ls.spines == 0) not_leaf_spine(t, "no spine switches");
  for (uint32_t l = 0; l < t.num_links(); l += 2) {
    const topo::DirLink& d = t.link(l);
    if (!joins(g, d)) {
      not_leaf_spine(
          t, fmt::format("a {} link {} joining a {} and a {}", to_string(d.kind), t.link_name(l),
                         to_string(g[d.from].kind), to_string(g[d.to].kind)));
    }
  }
  ls.leaf_hosts.assign(ls.leaves, 0);
  for (uint32_t h = 0; h < t.num_hosts(); ++h) {
    uint32_t count = 0;
    for (uint32_t l : t.out_links(t.host_vertex(h))) {
      if (t.link(l).kind != LinkKind::HostLink) continue;
      ++count;
      ls.host_up.push_back(l);
      ls.host_leaf.push_back(index[t.link(l).to]);
      ls.host_slot.push_back(ls.leaf_hosts[index[t.link(l).to]]++);
    }
    if (count != 1) {
      not_leaf_spine(t, fmt::format("host {} with {} links to leaves, not 1", h, count));
    }
  }
  ls.up.assign(static_cast<size_t>(ls.leaves) * ls.spines, kNone);
  for (uint32_t v = 0; v < t.num_vertices(); ++v) {
    if (g[v].kind != VertexKind::Leaf) continue;
    for (uint32_t l : t.out_links(v)) {
      if (t.link(l).kind != LinkKind::Fabric) continue;
      uint32_t& slot = ls.up[static_cast<size_t>(index[v]) * ls.spines + index[t.link(l).to]];
      if (slot != kNone) {
        not_leaf_spine(t,
                       fmt::format("two links between {} and {}", g[v].name, g[t.link(l).to].name));
      }
      slot = l;
    }
  }
  for (size_t i = 0; i < ls.up.size(); ++i) {
    if (ls.up[i] == kNone) {
      not_leaf_spine(t, fmt::format("no link between {} and {}", g[leaves[i / ls.spines]].name,
                                    g[spines[i % ls.spines]].name));
    }
  }
  return ls;
}

// Flow ids grouped by (DAG level, tag), in that order; ids ascending within a wave.
std::vector<std::vector<uint32_t>> waves(const Workload& w) {
  const auto n = static_cast<uint32_t>(w.size());
  std::vector<uint32_t> level(n, 0), waiting(n), ready;
  for (uint32_t id = 0; id < n; ++id) {
    waiting[id] = w.num_predecessors(id);
    if (waiting[id] == 0) ready.push_back(id);
  }
  while (!ready.empty()) {  // Kahn's algorithm: a node is popped after all its predecessors
    const uint32_t u = ready.back();
    ready.pop_back();
    for (uint32_t s : w.successors(u)) {
      level[s] = std::max(level[s], level[u] + 1);
      if (--waiting[s] == 0) ready.push_back(s);
    }
  }
  std::map<std::pair<uint32_t, uint32_t>, std::vector<uint32_t>> by_key;
  for (uint32_t id = 0; id < n; ++id) {
    if (w.node(id).kind == NodeKind::Flow) by_key[{level[id], w.node(id).tag}].push_back(id);
  }
  std::vector<std::vector<uint32_t>> out;
  for (auto& [key, ids] : by_key)
    out.push_back(std::move(ids));
  return out;
}

// The flow's first least-cost path (the first next hop at every vertex); sets `via_spine`.
std::vector<uint32_t> first_path(const topo::Routing& r, const DagNode& n, bool& via_spine) {
  const topo::Topology& t = r.topology();
  const uint32_t dst_v = t.host_vertex(n.dst);
  uint32_t v = t.host_vertex(n.src);
  if (r.cost(v, n.dst) == std::numeric_limits<uint64_t>::max()) unreachable(t, n);
  std::vector<uint32_t> links;
  via_spine = false;
  while (v != dst_v) {
    const auto hops = r.next_hops(v, n.dst);
    if (hops.empty()) unreachable(t, n);
    links.push_back(hops[0]);
    v = t.link(hops[0]).to;
    via_spine = via_spine || t.graph()[v].kind == topo::VertexKind::Spine;
  }
  return links;
}

// Square matrices of bytes, row-major: entry (a, b) of an n x n matrix is at(a, b, n).
using Matrix = std::vector<uint64_t>;
size_t at(uint32_t a, uint32_t b, uint32_t n) {
  return size_t{a} * n + b;
}

// Adds fictitious bytes to `m` until every row and column sums to `total`.
Matrix pad(Matrix m, uint32_t n, uint64_t total) {
  std::vector<uint64_t> row(n, total), col(n, total);
  for (uint32_t a = 0; a < n; ++a) {
    for (uint32_t b = 0; b < n; ++b) {
      row[a] -= m[at(a, b, n)];
      col[b] -= m[at(a, b, n)];
    }
  }
  for (uint32_t a = 0, b = 0; a < n && b < n;) {  // north-west corner rule
    const uint64_t x = std::min(row[a], col[b]);
    m[at(a, b, n)] += x;
    row[a] -= x;
    col[b] -= x;
    if (row[a] == 0) ++a;
    if (col[b] == 0) ++b;
  }
  return m;
}

// A perfect matching on the support (entries > 0) of a matrix with equal row and column sums,
// kept across the steps of the decomposition: after a subtraction only the rows whose matched
// entry dropped to zero are re-matched, each by one augmenting path (Kuhn).
class Matcher {
 public:
  Matcher(const Matrix& p, uint32_t n)
      : p_(p), n_(n), col_of_(n, kNone), row_of_(n, kNone), seen_(n, 0) {}

  const std::vector<uint32_t>& update() {
    for (uint32_t a = 0; a < n_; ++a) {
      if (col_of_[a] != kNone && p_[at(a, col_of_[a], n_)] == 0) {
        row_of_[col_of_[a]] = kNone;
        col_of_[a] = kNone;
      }
    }
    for (uint32_t a = 0; a < n_; ++a) {
      ++stamp_;
      // Hall's theorem guarantees a perfect matching, hence an augmenting path from any row.
      if (col_of_[a] == kNone && !augment(a)) throw InternalError("plan: no perfect matching");
    }
    return col_of_;
  }

 private:
  bool augment(uint32_t a) {
    for (uint32_t b = 0; b < n_; ++b) {
      if (p_[at(a, b, n_)] == 0 || seen_[b] == stamp_) continue;
      seen_[b] = stamp_;
      if (row_of_[b] == kNone || augment(row_of_[b])) {
        col_of_[a] = b;
        row_of_[b] = a;
        return true;
      }
    }
    return false;
  }

  const Matrix& p_;
  uint32_t n_;
  std::vector<uint32_t> col_of_, row_of_;
  std::vector<uint64_t> seen_;
  uint64_t stamp_ = 0;
};

// The matchings of the Birkhoff-von Neumann decomposition laid end to end on [0, T), cut into
// the spines' intervals of length `budget`; collects per leaf pair the real bytes per spine.
class TimeAxis {
 public:
  TimeAxis(const Matrix& real, uint32_t n, uint64_t budget)
      : n_(n), budget_(budget), real_left_(real), amounts_(real.size()) {}

  void add(const std::vector<uint32_t>& col_of, uint64_t weight) {
    for (uint32_t a = 0; a < n_; ++a) {
      const size_t pair = at(a, col_of[a], n_);
      const uint64_t real = std::min(weight, real_left_[pair]);  // real bytes first
      real_left_[pair] -= real;
      lay(pair, now_, real);
    }
    now_ += weight;
  }

  // Per leaf pair at(a, b, n): (spine, bytes) in increasing spine order.
  std::vector<std::vector<Piece>>& amounts() { return amounts_; }

 private:
  void lay(size_t pair, uint64_t start, uint64_t len) {
    while (len > 0) {
      const auto spine = static_cast<uint32_t>(start / budget_);
      const uint64_t chunk = std::min(len, (spine + 1) * budget_ - start);
      auto& v = amounts_[pair];
      if (!v.empty() && v.back().spine == spine) {
        v.back().bytes += chunk;
      } else {
        v.push_back({spine, chunk});
      }
      start += chunk;
      len -= chunk;
    }
  }

  uint32_t n_;
  uint64_t budget_;
  uint64_t now_ = 0;
  Matrix real_left_;
  std::vector<std::vector<Piece>> amounts_;
};

// Birkhoff-von Neumann: peels perfect matchings off `p` (rows and columns summing to `total`)
// and hands each, with its weight, to `axis`.
void decompose(Matrix p, uint32_t n, uint64_t total, TimeAxis& axis) {
  Matcher matcher(p, n);
  while (total > 0) {
    const std::vector<uint32_t>& col_of = matcher.update();
    uint64_t weight = total;
    for (uint32_t a = 0; a < n; ++a)
      weight = std::min(weight, p[at(a, col_of[a], n)]);
    axis.add(col_of, weight);
    for (uint32_t a = 0; a < n; ++a)
      p[at(a, col_of[a], n)] -= weight;
    total -= weight;
  }
}

// Places the flows of one leaf pair (largest first) on its per-spine amounts: whole on the
// tightest-fitting spine when one fits, the rest poured over the leftovers in spine order.
// Flows of equal size go in diagonal order: by (destination slot - source slot) mod the
// larger leaf's host count, then source slot. In an all-to-all each diagonal holds every
// host of both leaves once, so the runs of consecutive flows that land on one spine give
// every source host (and every destination host) its share of each spine's bytes, as
// split:S does; in host order the first hosts of a leaf would fill a spine's amount alone.
void fill_pair(const LeafSpine& ls, std::vector<uint32_t> flows, std::vector<Piece> amounts,
               const Workload& w, std::vector<std::vector<Piece>>& pieces) {
  auto size = [&](uint32_t id) { return w.node(id).size.count; };
  uint64_t flow_bytes = 0, spine_bytes = 0;
  for (uint32_t f : flows)
    flow_bytes += size(f);
  for (const Piece& a : amounts)
    spine_bytes += a.bytes;
  if (flow_bytes != spine_bytes) {
    throw InternalError(fmt::format("plan: a leaf pair's flows hold {} bytes, its spines {}",
                                    flow_bytes, spine_bytes));
  }
  const DagNode& first = w.node(flows.front());
  const uint32_t width =
      std::max(ls.leaf_hosts[ls.host_leaf[first.src]], ls.leaf_hosts[ls.host_leaf[first.dst]]);
  auto diagonal = [&](uint32_t id) {
    const DagNode& d = w.node(id);
    return (ls.host_slot[d.dst] + width - ls.host_slot[d.src]) % width;
  };
  auto key = [&](uint32_t id) {  // ~size: larger flows first
    return std::tuple(~size(id), diagonal(id), ls.host_slot[w.node(id).src], id);
  };
  std::sort(flows.begin(), flows.end(), [&](uint32_t x, uint32_t y) { return key(x) < key(y); });
  std::vector<uint32_t> rest;
  for (uint32_t f : flows) {
    Piece* best = nullptr;
    for (Piece& a : amounts) {
      if (a.bytes >= size(f) && (best == nullptr || a.bytes < best->bytes)) best = &a;
    }
    if (best == nullptr) {
      rest.push_back(f);
      continue;
    }
    best->bytes -= size(f);
    pieces[f].push_back({best->spine, size(f)});
  }
  size_t i = 0;
  for (uint32_t f : rest) {
    for (uint64_t need = size(f); need > 0;) {
      while (amounts[i].bytes == 0)
        ++i;
      const uint64_t chunk = std::min(need, amounts[i].bytes);
      pieces[f].push_back({amounts[i].spine, chunk});
      amounts[i].bytes -= chunk;
      need -= chunk;
    }
  }
}

// Steps 2-5 for a leaf matrix `m`: per leaf pair at(a, b, n), the real bytes per spine in
// increasing spine order. Every fabric link gets at most max(ceil(T0/S), min_budget) bytes.
std::vector<std::vector<Piece>> spine_amounts(const LeafSpine& ls, const Matrix& m,
                                              uint64_t min_budget) {
  const uint32_t n = ls.leaves;
  std::vector<uint64_t> row(n, 0), col(n, 0);
  for (uint32_t a = 0; a < n; ++a) {
    for (uint32_t b = 0; b < n; ++b) {
      row[a] += m[at(a, b, n)];
      col[b] += m[at(a, b, n)];
    }
  }
  const uint64_t t0 = std::max(*std::max_element(row.begin(), row.end()),
                               *std::max_element(col.begin(), col.end()));
  if (t0 == 0) return std::vector<std::vector<Piece>>(m.size());
  const uint64_t budget = std::max((t0 + ls.spines - 1) / ls.spines, min_budget);
  const uint64_t total = budget * ls.spines;
  TimeAxis axis(m, n, budget);
  decompose(pad(m, n, total), n, total, axis);
  return std::move(axis.amounts());
}

// The busiest fabric link under per-pair spine amounts: uplink (a, c) carries the pairs (a, .)
// on spine c, downlink (c, b) the pairs (., b).
uint64_t max_link_bytes(const LeafSpine& ls, const std::vector<std::vector<Piece>>& amounts) {
  const uint32_t n = ls.leaves;
  std::vector<uint64_t> up(size_t{n} * ls.spines, 0), down(size_t{n} * ls.spines, 0);
  for (uint32_t a = 0; a < n; ++a) {
    for (uint32_t b = 0; b < n; ++b) {
      for (const Piece& p : amounts[at(a, b, n)]) {
        up[size_t{a} * ls.spines + p.spine] += p.bytes;
        down[size_t{b} * ls.spines + p.spine] += p.bytes;
      }
    }
  }
  return std::max(*std::max_element(up.begin(), up.end()),
                  *std::max_element(down.begin(), down.end()));
}

// Flows of one size g, dealt out evenly first: a leaf pair with k flows puts floor(k/S) of them
// on every spine, and only the k mod S left over go through the matchings. Every spine then
// carries the same mix of leaf pairs, as under split:S; the matchings alone cut the time axis
// so that, on a 2:1 fabric, one spine's downlink to a leaf is fed by one leaf's uplink and
// another's by two, whose incast the packet model pays for while the first spine idles
// (README). Nullopt when this would load some fabric link more than `bound` bytes.
std::optional<std::vector<std::vector<Piece>>> even_amounts(
    const LeafSpine& ls, const std::vector<std::vector<uint32_t>>& pair_flows, uint64_t g,
    uint64_t bound) {
  Matrix rest(pair_flows.size(), 0);
  for (size_t pair = 0; pair < pair_flows.size(); ++pair)
    rest[pair] = pair_flows[pair].size() % ls.spines * g;
  std::vector<std::vector<Piece>> amounts = spine_amounts(ls, rest, g);
  for (size_t pair = 0; pair < pair_flows.size(); ++pair) {
    const uint64_t even = pair_flows[pair].size() / ls.spines * g;
    if (even == 0) continue;
    std::vector<Piece> merged(ls.spines);
    for (uint32_t c = 0; c < ls.spines; ++c)
      merged[c] = {c, even};
    for (const Piece& p : amounts[pair])
      merged[p.spine].bytes += p.bytes;
    amounts[pair] = std::move(merged);
  }
  if (max_link_bytes(ls, amounts) > bound) return std::nullopt;
  return amounts;
}

// Plans the inter-leaf flows of one wave (all of them cross a spine).
void plan_fabric(const LeafSpine& ls, const Workload& w, const std::vector<uint32_t>& flows,
                 std::vector<std::vector<Piece>>& pieces) {
  const uint32_t n = ls.leaves;
  Matrix m(static_cast<size_t>(n) * n, 0);
  std::vector<std::vector<uint32_t>> pair_flows(m.size());
  const uint64_t g = w.node(flows.front()).size.count;
  bool equal = true;
  for (uint32_t f : flows) {
    const DagNode& d = w.node(f);
    m[at(ls.host_leaf[d.src], ls.host_leaf[d.dst], n)] += d.size.count;
    pair_flows[at(ls.host_leaf[d.src], ls.host_leaf[d.dst], n)].push_back(f);
    equal = equal && d.size.count == g;
  }
  std::vector<std::vector<Piece>> amounts = spine_amounts(ls, m, equal ? g : 0);
  if (equal) {
    if (auto even = even_amounts(ls, pair_flows, g, max_link_bytes(ls, amounts))) {
      amounts = std::move(*even);
    }
  }
  for (size_t pair = 0; pair < m.size(); ++pair) {
    if (!pair_flows[pair].empty()) {
      fill_pair(ls, std::move(pair_flows[pair]), std::move(amounts[pair]), w, pieces);
    }
  }
}

class Emitter {
 public:
  explicit Emitter(size_t num_nodes) {
    out_.node_begin.reserve(num_nodes + 1);
    out_.link_begin.push_back(0);
  }

  void begin_node() { out_.node_begin.push_back(static_cast<uint32_t>(out_.num_subflows())); }

  void add(const topo::Topology& t, uint32_t node, const std::vector<uint32_t>& links,
           uint64_t bytes) {
    TimePs latency;
    for (uint32_t l : links)
      latency += t.link(l).latency;
    out_.links.insert(out_.links.end(), links.begin(), links.end());
    out_.coefs.insert(out_.coefs.end(), links.size(), 1.0);
    out_.link_begin.push_back(static_cast<uint32_t>(out_.links.size()));
    out_.bytes.push_back(bytes);
    out_.latency.push_back(latency);
    out_.owner.push_back(node);
  }

  PathSet& out() { return out_; }

 private:
  PathSet out_;
};

}  // namespace

PathSet plan_paths(const topo::Routing& routing, const Workload& w) {
  const topo::Topology& t = routing.topology();
  const LeafSpine ls = read_leaf_spine(t);
  std::vector<std::vector<Piece>> pieces(w.size());
  for (const std::vector<uint32_t>& wave : waves(w)) {
    std::vector<uint32_t> fabric;
    for (uint32_t f : wave) {
      const DagNode& d = w.node(f);
      bool via_spine = false;
      first_path(routing, d, via_spine);
      if (via_spine && ls.host_leaf[d.src] != ls.host_leaf[d.dst]) {
        fabric.push_back(f);
      } else {
        pieces[f].push_back({kNone, d.size.count});
      }
    }
    if (!fabric.empty()) plan_fabric(ls, w, fabric, pieces);
  }

  Emitter e(w.size());
  for (uint32_t id = 0; id < w.size(); ++id) {
    e.begin_node();
    const DagNode& d = w.node(id);
    for (const Piece& p : pieces[id]) {
      if (p.spine == kNone) {
        bool via_spine = false;
        e.add(t, id, first_path(routing, d, via_spine), p.bytes);
        continue;
      }
      const size_t a = ls.host_leaf[d.src], b = ls.host_leaf[d.dst];
      e.add(t, id,
            {ls.host_up[d.src], ls.up[a * ls.spines + p.spine], ls.up[b * ls.spines + p.spine] ^ 1,
             ls.host_up[d.dst] ^ 1},
            p.bytes);
    }
  }
  e.begin_node();
  return std::move(e.out());
}

}  // namespace moesim::sim
