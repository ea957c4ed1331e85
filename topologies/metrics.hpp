// Graph metrics of a Topology, as `moesim topo` reports them. The "switch graph" is the network
// fabric: every vertex that is neither a host nor an NVLink switch, with the links among them.
// Hop distances are counted in that graph with BFS; path counts come from the routing view
// (topologies/routing.hpp); the bisection estimate is topologies/bisection.hpp's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "topologies/routing.hpp"
#include "topologies/topology.hpp"

namespace moesim::topo {

struct MetricsOptions {
  // Routing view to count equal-cost paths with; built here when null and the topology has at
  // most max_routing_hosts hosts (it holds a cost per host and vertex), else paths are skipped.
  const Routing* routing = nullptr;
  uint32_t max_routing_hosts = 4096;
  uint32_t path_sources = 16;       // evenly spaced source hosts, each to every other host
  uint32_t max_bfs_sources = 2000;  // beyond this many switches, BFS from an even sample
  std::vector<double> edge_length;  // per edge id (e.g. RsnInfo::edge_length), if spatial
  bool bisection = true;            // estimate the bisection bandwidth (the slowest part)
  uint64_t seed = 1;                // for the bisection estimate's random starts
  uint32_t bisection_random_starts = 4;
};

struct PathCounts {
  uint64_t pairs = 0;  // host pairs sampled
  uint64_t min = 0, median = 0, max = 0;
};

struct TopoMetrics {
  uint32_t nodes = 0;
  uint32_t hosts = 0;
  uint32_t switches = 0;  // vertices of the switch graph
  uint32_t nvswitches = 0;
  uint32_t links = 0;         // full-duplex links (all kinds)
  uint32_t switch_links = 0;  // full-duplex links of the switch graph
  uint32_t degree_min = 0;    // switch-graph degree (links to other switches)
  double degree_mean = 0;
  uint32_t degree_max = 0;
  uint32_t components = 0;  // of the switch graph
  uint32_t diameter = 0;    // hops, over reachable switch pairs from the BFS sources
  double aspl = 0;          // average shortest path length (hops), same pairs
  uint32_t bfs_sources = 0;
  bool sampled = false;               // BFS from a sample: diameter is then a lower bound
  double clustering = 0;              // average local clustering coefficient of the switch graph
  double mean_switch_latency_us = 0;  // over switch-graph links
  std::optional<double> mean_edge_length;  // over switch-graph links, when lengths are given
  std::optional<PathCounts> equal_cost_paths;
  std::optional<BitsPerSec> bisection;  // estimate (an upper bound; see bisection.hpp)
  std::string bisection_start;
};

TopoMetrics compute_metrics(const Topology& t, const MetricsOptions& options = {});

// "metric,value" header and one row per metric (absent metrics are left out).
std::string metrics_csv(const TopoMetrics& m);

}  // namespace moesim::topo
