// Bisection estimate: starts and greedy refinement (see bisection.hpp). Gains are kept as
// signed 64-bit sums of rates in bit/s: a vertex's gain is (capacity to the other side) -
// (capacity to its own side), the cut reduction if it alone changed sides.
#include "topologies/bisection.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "sim/core/rng.hpp"

namespace moesim::topo {
namespace {

struct Arc {
  uint32_t to;
  int64_t w;  // rate in bit/s
};

class Partition {
 public:
  Partition(const std::vector<std::vector<Arc>>& adj, const std::vector<uint8_t>& is_host,
            std::vector<uint8_t> side)
      : adj_(adj), is_host_(is_host), side_(std::move(side)), gain_(adj.size(), 0) {
    for (uint32_t v = 0; v < adj_.size(); ++v) {
      for (const Arc& a : adj_[v])
        gain_[v] += side_[a.to] != side_[v] ? a.w : -a.w;
    }
  }

  void flip(uint32_t v) {
    side_[v] ^= 1;
    gain_[v] = -gain_[v];
    for (const Arc& a : adj_[v])  // a.to's link to v switched between cut and uncut
      gain_[a.to] += side_[a.to] != side_[v] ? 2 * a.w : -2 * a.w;
  }

  // Greedy refinement; see the file comment in bisection.hpp.
  void refine() {
    for (bool improved = true; improved;) {
      improved = false;
      for (uint32_t v = 0; v < adj_.size(); ++v) {
        if (!is_host_[v] && gain_[v] > 0) {
          flip(v);
          improved = true;
        }
      }
      for (;;) {
        int64_t best[2] = {INT64_MIN, INT64_MIN};
        uint32_t at[2] = {0, 0};
        for (uint32_t v = 0; v < adj_.size(); ++v) {
          if (is_host_[v] && gain_[v] > best[side_[v]]) {
            best[side_[v]] = gain_[v];
            at[side_[v]] = v;
          }
        }
        if (best[0] == INT64_MIN || best[1] == INT64_MIN) break;
        int64_t between = 0;  // a link between the two hosts stays cut after the swap
        for (const Arc& a : adj_[at[0]])
          between += a.to == at[1] ? a.w : 0;
        if (best[0] + best[1] - 2 * between <= 0) break;
        flip(at[0]);
        flip(at[1]);
        improved = true;
      }
    }
  }

  uint64_t cut() const {
    uint64_t c = 0;
    for (uint32_t v = 0; v < adj_.size(); ++v) {
      for (const Arc& a : adj_[v])
        c += (v < a.to && side_[v] != side_[a.to]) ? static_cast<uint64_t>(a.w) : 0;
    }
    return c;
  }
  const std::vector<uint8_t>& side() const { return side_; }

 private:
  const std::vector<std::vector<Arc>>& adj_;
  const std::vector<uint8_t>& is_host_;
  std::vector<uint8_t> side_;
  std::vector<int64_t> gain_;
};

// Hosts in `order`: the first half go to side 0. Switches then take the side most of their
// capacity to already-placed vertices goes to (ties: side 0), a few sweeps.
std::vector<uint8_t> split(const std::vector<std::vector<Arc>>& adj,
                           const std::vector<uint8_t>& is_host,
                           const std::vector<uint32_t>& host_order) {
  const auto n = static_cast<uint32_t>(adj.size());
  std::vector<uint8_t> side(n, 2);  // 2: not placed yet
  for (size_t i = 0; i < host_order.size(); ++i)
    side[host_order[i]] = i < host_order.size() / 2 ? 0 : 1;
  for (int sweep = 0; sweep < 4; ++sweep) {
    for (uint32_t v = 0; v < n; ++v) {
      if (is_host[v]) continue;
      int64_t pull[3] = {0, 0, 0};
      for (const Arc& a : adj[v])
        pull[side[a.to]] += a.w;
      side[v] = pull[1] > pull[0] ? 1 : 0;
    }
  }
  return side;
}

std::vector<uint32_t> bfs_order(const std::vector<std::vector<Arc>>& adj, uint32_t from) {
  std::vector<uint32_t> order{from};
  std::vector<uint8_t> seen(adj.size(), 0);
  seen[from] = 1;
  for (size_t i = 0; i < order.size(); ++i) {
    for (const Arc& a : adj[order[i]]) {
      if (!seen[a.to]) {
        seen[a.to] = 1;
        order.push_back(a.to);
      }
    }
  }
  for (uint32_t v = 0; v < adj.size(); ++v) {  // other components last
    if (!seen[v]) order.push_back(v);
  }
  return order;
}

// An approximate Fiedler vector: power iteration on (sigma I - L), L the Laplacian with link
// weights normalised to at most 1, deflated against the constant vector; sigma = 2 max degree
// bounds L's spectrum (Gershgorin), so the top of sigma I - L is L's second-smallest end.
std::vector<double> fiedler(const std::vector<std::vector<Arc>>& adj, Rng& rng) {
  const size_t n = adj.size();
  int64_t max_w = 1;
  for (const auto& arcs : adj) {
    for (const Arc& a : arcs)
      max_w = std::max(max_w, a.w);
  }
  std::vector<double> deg(n, 0), x(n), y(n);
  double sigma = 0;
  for (size_t v = 0; v < n; ++v) {
    for (const Arc& a : adj[v])
      deg[v] += static_cast<double>(a.w) / static_cast<double>(max_w);
    sigma = std::max(sigma, 2 * deg[v]);
  }
  for (double& xi : x)
    xi = rng.uniform01() - 0.5;
  for (int it = 0; it < 500; ++it) {
    for (size_t v = 0; v < n; ++v) {
      double lx = deg[v] * x[v];
      for (const Arc& a : adj[v])
        lx -= static_cast<double>(a.w) / static_cast<double>(max_w) * x[a.to];
      y[v] = sigma * x[v] - lx;
    }
    const double mean = std::accumulate(y.begin(), y.end(), 0.0) / static_cast<double>(n);
    double norm = 0;
    for (double& yi : y) {
      yi -= mean;
      norm += yi * yi;
    }
    if (norm == 0) break;
    norm = std::sqrt(norm);
    for (size_t v = 0; v < n; ++v)
      x[v] = y[v] / norm;
  }
  return x;
}

}  // namespace

BisectionEstimate estimate_bisection(const Topology& t, uint64_t seed, uint32_t random_starts) {
  const uint32_t n = t.num_vertices();
  std::vector<std::vector<Arc>> adj(n);
  std::vector<uint8_t> is_host(n, 0);
  for (uint32_t v = 0; v < n; ++v) {
    is_host[v] = t.graph()[v].kind == VertexKind::Host;
    for (const uint32_t l : t.out_links(v))
      adj[v].push_back(Arc{t.link(l).to, static_cast<int64_t>(t.link(l).rate.bps)});
  }
  std::vector<uint32_t> hosts;
  for (uint32_t h = 0; h < t.num_hosts(); ++h)
    hosts.push_back(static_cast<uint32_t>(t.host_vertex(h)));
  BisectionEstimate best{BitsPerSec{0}, std::vector<uint8_t>(n, 0), "none"};
  if (hosts.size() < 2) return best;

  const auto keep_hosts = [&](const std::vector<uint32_t>& order) {
    std::vector<uint32_t> out;
    for (const uint32_t v : order) {
      if (is_host[v]) out.push_back(v);
    }
    return out;
  };
  std::vector<std::pair<std::string, std::vector<uint32_t>>> starts;
  starts.emplace_back("index", hosts);
  // Peripheral vertex: the last one a BFS from host 0 reaches.
  starts.emplace_back("bfs", keep_hosts(bfs_order(adj, bfs_order(adj, hosts[0]).back())));
  Rng rng = make_stream(seed, "bisection");
  const std::vector<double> f = fiedler(adj, rng);
  std::vector<uint32_t> by_f = hosts;
  std::stable_sort(by_f.begin(), by_f.end(), [&](uint32_t a, uint32_t b) { return f[a] < f[b]; });
  starts.emplace_back("spectral", by_f);
  for (uint32_t r = 0; r < random_starts; ++r) {
    std::vector<uint32_t> shuffled = hosts;
    for (size_t i = shuffled.size() - 1; i > 0; --i)
      std::swap(shuffled[i], shuffled[rng.below(i + 1)]);
    starts.emplace_back("random", shuffled);
  }

  uint64_t best_cut = UINT64_MAX;
  for (const auto& [name, order] : starts) {
    Partition p(adj, is_host, split(adj, is_host, order));
    p.refine();
    if (p.cut() < best_cut) {
      best_cut = p.cut();
      best = BisectionEstimate{BitsPerSec{best_cut}, p.side(), name};
    }
  }
  return best;
}

}  // namespace moesim::topo
