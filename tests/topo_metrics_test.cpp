// Tests for topology metrics on graphs whose values can be worked out by hand: a ring, a
// complete graph, leaf-spine and fat-tree shapes, and the CSV form.
#include <cstdint>
#include <string>

#include <catch2/catch.hpp>

#include "topologies/bisection.hpp"
#include "topologies/fat_tree.hpp"
#include "topologies/leaf_spine.hpp"
#include "topologies/metrics.hpp"

namespace {

using Catch::Matchers::Contains;
using moesim::operator""_Gbps;
using moesim::operator""_MiB;
using moesim::TimePs;
using namespace moesim::topo;

// n switches s0..s{n-1}, each with one host, joined by the links `pairs` (1 us, 100 Gb/s).
Topology switches_with_hosts(uint32_t n, const std::vector<std::pair<uint32_t, uint32_t>>& pairs) {
  Topology t("test graph");
  for (uint32_t i = 0; i < n; ++i)
    t.add_vertex(VertexKind::Host, "h" + std::to_string(i));
  for (uint32_t i = 0; i < n; ++i)
    t.add_vertex(VertexKind::Switch, "s" + std::to_string(i));
  for (uint32_t i = 0; i < n; ++i)
    t.add_link(i, n + i, LinkKind::HostLink, 100_Gbps, TimePs{1'000'000}, 1_MiB);
  for (const auto& [a, b] : pairs)
    t.add_link(n + a, n + b, LinkKind::Fabric, 100_Gbps, TimePs{1'000'000}, 1_MiB);
  return t;
}

Topology ring(uint32_t n) {
  std::vector<std::pair<uint32_t, uint32_t>> pairs;
  for (uint32_t i = 0; i < n; ++i)
    pairs.emplace_back(i, (i + 1) % n);
  return switches_with_hosts(n, pairs);
}

}  // namespace

TEST_CASE("topo::Metrics: a ring of 6 switches") {
  const TopoMetrics m = compute_metrics(ring(6));
  CHECK(m.nodes == 12);
  CHECK(m.hosts == 6);
  CHECK(m.switches == 6);
  CHECK(m.links == 12);
  CHECK(m.switch_links == 6);
  CHECK(m.degree_min == 2);
  CHECK(m.degree_max == 2);
  CHECK(m.degree_mean == 2.0);
  CHECK(m.components == 1);
  // From any switch: 2 at distance 1, 2 at 2, 1 at 3: diameter 3, ASPL (1+1+2+2+3)/5 = 1.8.
  CHECK(m.diameter == 3);
  CHECK(m.aspl == Approx(1.8));
  CHECK_FALSE(m.sampled);
  CHECK(m.clustering == 0.0);  // no triangles
  CHECK(m.mean_switch_latency_us == Approx(1.0));
  CHECK_FALSE(m.mean_edge_length);
  // Opposite hosts (distance 3) have 2 equal-cost paths, all others 1.
  REQUIRE(m.equal_cost_paths);
  CHECK(m.equal_cost_paths->min == 1);
  CHECK(m.equal_cost_paths->max == 2);
  // Bisection: 3 hosts a side; cutting the ring into two arcs of 3 cuts 2 links: 200 Gb/s.
  REQUIRE(m.bisection);
  CHECK(*m.bisection == 200_Gbps);
}

TEST_CASE("topo::Metrics: clustering of a complete graph and of a triangle with a tail") {
  // K4: every neighbourhood is complete: C = 1.
  CHECK(compute_metrics(switches_with_hosts(4, {{0, 1}, {0, 2}, {0, 3}, {1, 2}, {1, 3}, {2, 3}}))
            .clustering == 1.0);
  // Triangle 0-1-2 plus 2-3: C(0) = C(1) = 1, C(2) = 1 link among 3 neighbours = 1/3,
  // C(3) = 0 (degree 1): mean (1 + 1 + 1/3 + 0) / 4 = 7/12.
  const TopoMetrics m = compute_metrics(switches_with_hosts(4, {{0, 1}, {1, 2}, {0, 2}, {2, 3}}));
  CHECK(m.clustering == Approx(7.0 / 12.0));
  CHECK(m.degree_min == 1);
  CHECK(m.degree_max == 3);
}

TEST_CASE("topo::Metrics: samples BFS sources on request and uses given edge lengths") {
  MetricsOptions o;
  o.max_bfs_sources = 3;
  o.edge_length.assign(6 + 6, 0.0);  // 6 host links, then 6 ring links of length 0.5
  for (uint32_t e = 6; e < 12; ++e)
    o.edge_length[e] = 0.5;
  const TopoMetrics m = compute_metrics(ring(6), o);
  CHECK(m.sampled);
  CHECK(m.bfs_sources == 3);
  CHECK(m.aspl == Approx(1.8));  // the ring is vertex-transitive: any sample gives 1.8
  REQUIRE(m.mean_edge_length);
  CHECK(*m.mean_edge_length == Approx(0.5));
}

TEST_CASE("topo::Metrics: leaf-spine and fat-tree shapes") {
  SECTION("leaf-spine 4 x 2 x 3 at 1:1") {
    LeafSpineParams p;
    p.leaves = 4;
    p.spines = 2;
    p.hosts_per_leaf = 3;
    p.host_rate = 100_Gbps;
    const TopoMetrics m = compute_metrics(build_leaf_spine(p));
    CHECK(m.switches == 6);
    CHECK(m.degree_min == 2);  // a leaf: 2 spines
    CHECK(m.degree_max == 4);  // a spine: 4 leaves
    CHECK(m.diameter == 2);
    // 6 hosts a side at 100 Gb/s: full bisection 600 Gb/s.
    CHECK(*m.bisection == 600_Gbps);
    CHECK(m.equal_cost_paths->max == 2);
  }
  SECTION("fat-tree k = 4") {
    const TopoMetrics m = compute_metrics(build_fat_tree(FatTreeParams{}));
    CHECK(m.switches == 20);
    CHECK(m.degree_min == 2);  // edge switches: 2 uplinks
    CHECK(m.degree_max == 4);  // core switches: one link per pod
    CHECK(m.diameter == 4);    // edge -> agg -> core -> agg -> edge
    CHECK(m.clustering == 0.0);
    CHECK(m.equal_cost_paths->median == 4);  // most pairs are in different pods: (k/2)^2
  }
}

TEST_CASE("topo::Metrics: the bisection estimate keeps the host halves balanced") {
  const Topology t = build_fat_tree(FatTreeParams{});
  const BisectionEstimate b = estimate_bisection(t);
  uint32_t side0 = 0;
  for (uint32_t h = 0; h < t.num_hosts(); ++h)
    side0 += b.side[t.host_vertex(h)] == 0;
  CHECK(side0 == t.num_hosts() / 2);
  // The reported bandwidth is the capacity crossing the reported partition.
  uint64_t cut = 0;
  for (uint32_t l = 0; l < t.num_links(); l += 2)
    cut += b.side[t.link(l).from] != b.side[t.link(l).to] ? t.link(l).rate.bps : 0;
  CHECK(cut == b.bandwidth.bps);
}

TEST_CASE("topo::Metrics: prints metric - value rows") {
  const std::string csv = metrics_csv(compute_metrics(ring(6)));
  CHECK(csv.starts_with("metric,value\n"));
  CHECK_THAT(csv, Contains("\nhosts,6\n") && Contains("\ndiameter_hops,3\n") &&
                      Contains("\naspl_hops,1.8000\n") &&
                      Contains("\nbisection_bps,200000000000\n"));
}
