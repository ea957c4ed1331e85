// Topology metrics: counts, switch-graph degrees, BFS hop distances, clustering, lengths and
// latencies, equal-cost path counts over a deterministic sample, and the bisection estimate.
#include "topologies/metrics.hpp"

#include <algorithm>
#include <memory>

#include <fmt/format.h>

#include "topologies/bisection.hpp"

namespace moesim::topo {
namespace {

bool in_switch_graph(VertexKind k) {
  return k != VertexKind::Host && k != VertexKind::NvSwitch;
}

// Distinct neighbours, sorted, of every switch-graph vertex (indexed by switch number).
struct SwitchGraph {
  std::vector<uint32_t> vertex;  // switch number -> Topology vertex
  std::vector<std::vector<uint32_t>> adj;
};

SwitchGraph switch_graph(const Topology& t, TopoMetrics& m, const MetricsOptions& o) {
  const Graph& g = t.graph();
  SwitchGraph sg;
  std::vector<uint32_t> number(t.num_vertices(), UINT32_MAX);
  for (uint32_t v = 0; v < t.num_vertices(); ++v) {
    if (!in_switch_graph(g[v].kind)) continue;
    number[v] = static_cast<uint32_t>(sg.vertex.size());
    sg.vertex.push_back(v);
  }
  sg.adj.resize(sg.vertex.size());
  std::vector<uint32_t> degree(sg.vertex.size(), 0);
  double latency = 0, length = 0;
  for (auto [it, end] = boost::edges(g); it != end; ++it) {
    const uint32_t a = number[boost::source(*it, g)], b = number[boost::target(*it, g)];
    if (a == UINT32_MAX || b == UINT32_MAX) continue;
    ++m.switch_links;
    ++degree[a];
    ++degree[b];
    sg.adj[a].push_back(b);
    sg.adj[b].push_back(a);
    latency += g[*it].latency.us();
    if (g[*it].id < o.edge_length.size()) length += o.edge_length[g[*it].id];
  }
  for (auto& l : sg.adj) {
    std::sort(l.begin(), l.end());
    l.erase(std::unique(l.begin(), l.end()), l.end());
  }
  m.switches = static_cast<uint32_t>(sg.vertex.size());
  if (m.switches > 0) {
    m.degree_min = *std::min_element(degree.begin(), degree.end());
    m.degree_max = *std::max_element(degree.begin(), degree.end());
    m.degree_mean = 2.0 * m.switch_links / m.switches;
  }
  if (m.switch_links > 0) {
    m.mean_switch_latency_us = latency / m.switch_links;
    if (o.edge_length.size() == boost::num_edges(g)) m.mean_edge_length = length / m.switch_links;
  }
  return sg;
}

void hop_distances(const SwitchGraph& sg, TopoMetrics& m, const MetricsOptions& o) {
  const auto n = static_cast<uint32_t>(sg.adj.size());
  // Components (BFS labels).
  std::vector<uint32_t> dist(n, UINT32_MAX), queue;
  for (uint32_t s = 0; s < n; ++s) {
    if (dist[s] != UINT32_MAX) continue;
    ++m.components;
    dist[s] = 0;
    queue.assign(1, s);
    for (size_t i = 0; i < queue.size(); ++i) {
      for (const uint32_t w : sg.adj[queue[i]]) {
        if (dist[w] == UINT32_MAX) {
          dist[w] = 0;
          queue.push_back(w);
        }
      }
    }
  }
  const uint32_t sources = std::min(n, std::max(1u, o.max_bfs_sources));
  m.sampled = sources < n;
  m.bfs_sources = sources;
  double total = 0;
  uint64_t pairs = 0;
  for (uint32_t i = 0; i < sources; ++i) {
    const auto s = static_cast<uint32_t>(uint64_t{i} * n / sources);
    std::fill(dist.begin(), dist.end(), UINT32_MAX);
    dist[s] = 0;
    queue.assign(1, s);
    for (size_t q = 0; q < queue.size(); ++q) {
      const uint32_t v = queue[q];
      for (const uint32_t w : sg.adj[v]) {
        if (dist[w] == UINT32_MAX) {
          dist[w] = dist[v] + 1;
          queue.push_back(w);
          total += dist[w];
          ++pairs;
          m.diameter = std::max(m.diameter, dist[w]);
        }
      }
    }
  }
  m.aspl = pairs ? total / static_cast<double>(pairs) : 0.0;
}

// Average over switches of (links among neighbours) / (d (d - 1) / 2); 0 when d < 2.
double clustering(const SwitchGraph& sg) {
  if (sg.adj.empty()) return 0;
  double sum = 0;
  for (uint32_t v = 0; v < sg.adj.size(); ++v) {
    const auto& nv = sg.adj[v];
    const size_t d = nv.size();
    if (d < 2) continue;
    uint64_t twice_links = 0;  // each link among neighbours is seen from both ends
    for (const uint32_t u : nv) {
      const auto& nu = sg.adj[u];
      auto a = nv.begin();
      for (auto b = nu.begin(); a != nv.end() && b != nu.end();) {
        if (*a < *b) {
          ++a;
        } else if (*b < *a) {
          ++b;
        } else {
          ++twice_links;
          ++a;
          ++b;
        }
      }
    }
    sum += static_cast<double>(twice_links) / static_cast<double>(d * (d - 1));
  }
  return sum / static_cast<double>(sg.adj.size());
}

std::optional<PathCounts> path_counts(const Topology& t, const MetricsOptions& o) {
  const uint32_t n = t.num_hosts();
  if (n < 2) return std::nullopt;
  std::unique_ptr<Routing> own;
  const Routing* r = o.routing;
  if (!r) {
    if (n > o.max_routing_hosts) return std::nullopt;
    own = std::make_unique<Routing>(t);
    r = own.get();
  }
  std::vector<uint64_t> counts;
  const uint32_t step = std::max(1u, n / std::max(1u, o.path_sources));
  for (uint32_t s = 0; s < n; s += step) {
    for (uint32_t d = 0; d < n; ++d) {
      if (d != s) counts.push_back(count_paths(*r, s, d));
    }
  }
  std::sort(counts.begin(), counts.end());
  return PathCounts{counts.size(), counts.front(), counts[counts.size() / 2], counts.back()};
}

}  // namespace

TopoMetrics compute_metrics(const Topology& t, const MetricsOptions& o) {
  TopoMetrics m;
  m.nodes = t.num_vertices();
  m.hosts = t.num_hosts();
  m.links = t.num_links() / 2;
  for (uint32_t v = 0; v < t.num_vertices(); ++v)
    m.nvswitches += t.graph()[v].kind == VertexKind::NvSwitch;
  const SwitchGraph sg = switch_graph(t, m, o);
  hop_distances(sg, m, o);
  m.clustering = clustering(sg);
  m.equal_cost_paths = path_counts(t, o);
  if (o.bisection) {
    const BisectionEstimate b = estimate_bisection(t, o.seed, o.bisection_random_starts);
    m.bisection = b.bandwidth;
    m.bisection_start = b.start;
  }
  return m;
}

std::string metrics_csv(const TopoMetrics& m) {
  std::string out = "metric,value\n";
  const auto row = [&out](std::string_view name, const auto& value) {
    out += fmt::format("{},{}\n", name, value);
  };
  row("nodes", m.nodes);
  row("hosts", m.hosts);
  row("switches", m.switches);
  row("nvswitches", m.nvswitches);
  row("links", m.links);
  row("switch_links", m.switch_links);
  row("switch_degree_min", m.degree_min);
  row("switch_degree_mean", fmt::format("{:.4f}", m.degree_mean));
  row("switch_degree_max", m.degree_max);
  row("switch_components", m.components);
  row("diameter_hops", m.diameter);
  row("aspl_hops", fmt::format("{:.4f}", m.aspl));
  row("bfs_sources", m.bfs_sources);
  row("clustering", fmt::format("{:.4f}", m.clustering));
  row("mean_switch_latency_us", fmt::format("{:.4f}", m.mean_switch_latency_us));
  if (m.mean_edge_length) row("mean_edge_length", fmt::format("{:.5f}", *m.mean_edge_length));
  if (m.equal_cost_paths) {
    row("ecmp_pairs", m.equal_cost_paths->pairs);
    row("ecmp_paths_min", m.equal_cost_paths->min);
    row("ecmp_paths_median", m.equal_cost_paths->median);
    row("ecmp_paths_max", m.equal_cost_paths->max);
  }
  if (m.bisection) {
    row("bisection_bps", m.bisection->bps);
    row("bisection", *m.bisection);
    row("bisection_start", m.bisection_start);
  }
  return out;
}

}  // namespace moesim::topo
