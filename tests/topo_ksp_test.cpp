// Tests for Yen's k shortest paths: against brute-force enumeration of every simple host-to-host
// path (hosts never forward) on small graphs, plus the structural properties every result must
// have: valid walks from src to dst, simple, distinct, in non-decreasing cost.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "topologies/jellyfish.hpp"
#include "topologies/ksp.hpp"
#include "topologies/leaf_spine.hpp"
#include "topologies/routing.hpp"
#include "topologies/rsn.hpp"

namespace {

using namespace moesim::topo;
using moesim::operator""_Gbps;
using moesim::operator""_MiB;
using moesim::TimePs;

// Costs of every simple path from host src to host dst that enters no other host, sorted.
std::vector<uint64_t> brute_force_costs(const Topology& t, uint32_t src, uint32_t dst) {
  const auto s = static_cast<uint32_t>(t.host_vertex(src));
  const auto d = static_cast<uint32_t>(t.host_vertex(dst));
  std::vector<uint64_t> costs;
  std::vector<uint8_t> on_path(t.num_vertices(), 0);
  const std::function<void(uint32_t, uint64_t)> walk = [&](uint32_t v, uint64_t cost) {
    if (v == d) {
      costs.push_back(cost);
      return;
    }
    if (v != s && t.graph()[v].kind == VertexKind::Host) return;
    on_path[v] = 1;
    for (const uint32_t l : t.out_links(v)) {
      const uint32_t w = t.link(l).to;
      if (!on_path[w]) walk(w, cost + static_cast<uint64_t>(t.link(l).latency.ps) + 1);
    }
    on_path[v] = 0;
  };
  walk(s, 0);
  std::sort(costs.begin(), costs.end());
  return costs;
}

// Every property a KSP answer must have, whatever the graph.
void check_paths(const Topology& t, uint32_t src, uint32_t dst, const std::vector<KPath>& paths) {
  std::set<std::vector<uint32_t>> distinct;
  for (size_t i = 0; i < paths.size(); ++i) {
    const KPath& p = paths[i];
    REQUIRE(!p.links.empty());
    CHECK(t.link(p.links.front()).from == t.host_vertex(src));
    CHECK(t.link(p.links.back()).to == t.host_vertex(dst));
    std::set<uint32_t> visited{t.link(p.links.front()).from};
    for (size_t j = 0; j < p.links.size(); ++j) {
      const DirLink& l = t.link(p.links[j]);
      if (j > 0) CHECK(l.from == t.link(p.links[j - 1]).to);  // a walk
      CHECK(visited.insert(l.to).second);                     // simple: no vertex twice
      if (j + 1 < p.links.size()) CHECK(t.graph()[l.to].kind != VertexKind::Host);
    }
    CHECK(p.cost == path_cost(t, p.links));
    if (i > 0) CHECK(paths[i - 1].cost <= p.cost);
    CHECK(distinct.insert(p.links).second);
  }
}

void check_against_brute_force(const Topology& t, uint32_t src, uint32_t dst, uint32_t k) {
  const std::vector<KPath> paths = k_shortest_paths(t, src, dst, k);
  check_paths(t, src, dst, paths);
  const std::vector<uint64_t> all = brute_force_costs(t, src, dst);
  // Yen returns min(k, #paths) paths whose costs are the k smallest of all simple paths.
  REQUIRE(paths.size() == std::min<size_t>(k, all.size()));
  for (size_t i = 0; i < paths.size(); ++i)
    CHECK(paths[i].cost == all[i]);
}

// 3 leaves x 2 spines x 1 host, 1 us links: between two leaves, one 4-link path per spine, then
// 6-link detours through the third leaf (leaf -> spine -> leaf2 -> other spine -> leaf).
Topology small_leaf_spine() {
  LeafSpineParams p;
  p.leaves = 3;
  p.spines = 2;
  p.hosts_per_leaf = 1;
  return build_leaf_spine(p);
}

// Switches with different latencies, so costs differ and ties are rare.
Topology ring_with_chords() {
  Topology t("ring with chords");
  const Vertex a = t.add_vertex(VertexKind::Host, "a");
  const Vertex b = t.add_vertex(VertexKind::Host, "b");
  std::vector<Vertex> s;
  for (int i = 0; i < 6; ++i)
    s.push_back(t.add_vertex(VertexKind::Switch, "s" + std::to_string(i)));
  const auto link = [&](Vertex u, Vertex v, int64_t ns) {
    t.add_link(u, v, LinkKind::Fabric, 100_Gbps, TimePs{ns * 1000}, 1_MiB);
  };
  for (int i = 0; i < 6; ++i)
    link(s[i], s[(i + 1) % 6], 100 + 10 * i);
  link(s[0], s[3], 250);
  link(s[1], s[4], 170);
  link(a, s[0], 5);
  link(a, s[2], 7);  // a is dual-homed, and must not be used as transit by b's paths
  link(b, s[4], 5);
  return t;
}

}  // namespace

TEST_CASE("topo::Ksp: matches brute force on a small leaf-spine") {
  const Topology t = small_leaf_spine();
  // The 2 shortest go via one spine each: cost 4 x (1 us + 1).
  const std::vector<KPath> two = k_shortest_paths(t, 0, 1, 2);
  REQUIRE(two.size() == 2);
  CHECK(two[0].cost == 4 * 1'000'001);
  CHECK(two[1].cost == 4 * 1'000'001);
  for (const uint32_t k : {1u, 2u, 3u, 4u, 10u})
    check_against_brute_force(t, 0, 1, k);
}

TEST_CASE("topo::Ksp: matches brute force on graphs with distinct latencies") {
  const Topology t = ring_with_chords();
  for (const uint32_t k : {1u, 3u, 8u, 50u}) {
    check_against_brute_force(t, 0, 1, k);
    check_against_brute_force(t, 1, 0, k);
  }
}

TEST_CASE("topo::Ksp: matches brute force on a small Jellyfish and an RSN") {
  SECTION("Jellyfish 10 switches of degree 3") {
    JellyfishParams p;
    p.switches = 10;
    p.degree = 3;
    p.hosts_per_switch = 1;
    const Topology t = build_jellyfish(p);
    for (uint32_t dst = 1; dst < 10; dst += 3)
      check_against_brute_force(t, 0, dst, 25);
  }
  SECTION("RSN of 12 switches with length-dependent latencies") {
    RsnParams p;
    p.switches = 12;
    p.mean_degree = 4;
    p.kernel_scale = 0.3;
    p.keep_giant = true;
    const RsnResult r = build_rsn(p);
    const uint32_t last = r.topology.num_hosts() - 1;
    check_against_brute_force(r.topology, 0, last, 40);
  }
}

TEST_CASE("topo::Ksp: the first path is a least-cost route of the routing view") {
  const Topology t = ring_with_chords();
  const Routing r(t);
  const std::vector<KPath> p = k_shortest_paths(t, 0, 1, 1);
  REQUIRE(p.size() == 1);
  CHECK(p[0].cost == r.cost(static_cast<uint32_t>(t.host_vertex(0)), 1));
}

TEST_CASE("topo::Ksp: edge cases") {
  const Topology t = small_leaf_spine();
  CHECK(k_shortest_paths(t, 0, 1, 0).empty());
  const auto self = k_shortest_paths(t, 2, 2, 5);
  REQUIRE(self.size() == 1);  // the empty path, as count_paths counts it
  CHECK(self[0].links.empty());
  CHECK_THROWS_AS(k_shortest_paths(t, 0, 3, 1), std::out_of_range);
  // An unreachable host has no paths.
  Topology island("island");
  island.add_vertex(VertexKind::Host, "a");
  island.add_vertex(VertexKind::Host, "b");
  CHECK(k_shortest_paths(island, 0, 1, 3).empty());
}

TEST_CASE("topo::Ksp: hop costs count links and agree with the hop routing view") {
  // Under RouteCost::Hops a link costs 1: every path's cost is its link count, the first path
  // is as short as the routing view's least hop count, and costs never decrease. On the ring
  // with chords b hangs off s4 and a off s0 and s2, neither adjacent to s4, so the fewest links
  // are 4: a-s0-{s1,s5,s3}-s4-b and a-s2-{s1,s3}-s4-b, five paths; the sixth is longer.
  const Topology t = ring_with_chords();
  const Routing hops(t, RouteCost::Hops);
  const std::vector<KPath> p = k_shortest_paths(t, 0, 1, 10, RouteCost::Hops);
  REQUIRE(p.size() == 10);
  for (size_t i = 0; i < 5; ++i)
    CHECK(p[i].cost == 4);
  CHECK(p[5].cost > 4);
  CHECK(p[0].cost == hops.cost(static_cast<uint32_t>(t.host_vertex(0)), 1));
  for (size_t i = 0; i < p.size(); ++i) {
    CHECK(p[i].cost == p[i].links.size());
    CHECK(p[i].cost == path_cost(t, p[i].links, RouteCost::Hops));
    if (i > 0) CHECK(p[i - 1].cost <= p[i].cost);
  }
  CHECK(count_paths(hops, 0, 1) == 5);
}
