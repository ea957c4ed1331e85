// split:K on tiered Clos fabrics takes up-down paths only: K is capped at a pair's equal-cost
// paths instead of being topped up with Yen's next paths, which go down through a third
// switch and back up (valleys). Flat fabrics keep the top-up (fluid_test.cpp). Also the tier
// view itself (topologies/tiers.hpp).
#include <algorithm>
#include <set>
#include <vector>

#include <catch2/catch.hpp>

#include "sim/paths.hpp"
#include "tests/fixtures.hpp"
#include "topologies/fat_tree.hpp"
#include "topologies/jellyfish.hpp"
#include "topologies/rail.hpp"
#include "topologies/routing.hpp"
#include "topologies/tiers.hpp"
#include "workloads/collectives.hpp"

using namespace moesim;

namespace {

sim::PathSet split(const topo::Routing& r, const Workload& w, const char* transport) {
  return sim::assign_paths(r, w, sim::parse_transport(transport), 1);
}

uint32_t subflows(const sim::PathSet& p, uint32_t node) {
  return p.node_begin[node + 1] - p.node_begin[node];
}

// The subflows of `node` are distinct up-down paths of `hops` links each.
void check_up_down(const topo::Topology& t, const sim::PathSet& p, uint32_t node, size_t hops) {
  std::set<std::vector<uint32_t>> distinct;
  for (uint32_t s = p.node_begin[node]; s < p.node_begin[node + 1]; ++s) {
    const auto links = p.sub_links(s);
    CHECK(links.size() == hops);
    CHECK(topo::is_up_down(t, links));
    distinct.emplace(links.begin(), links.end());
  }
  CHECK(distinct.size() == subflows(p, node));
}

}  // namespace

TEST_CASE("topo::tiers: the builders' Clos fabrics have up-down tiers, Jellyfish has none") {
  CHECK(topo::has_up_down_tiers(topo::build_leaf_spine(test::nonblocking(2, 2, 2))));
  CHECK(topo::has_up_down_tiers(topo::build_fat_tree(topo::FatTreeParams{})));
  topo::RailParams rail;
  rail.servers = 2;
  rail.gpus_per_server = 2;
  rail.spines = 2;
  CHECK(topo::has_up_down_tiers(topo::build_rail(rail)));  // NVLinks join tier 0 to tier 0
  CHECK_FALSE(topo::has_up_down_tiers(topo::build_jellyfish(topo::JellyfishParams{})));
}

TEST_CASE("topo::is_up_down: a path down through a third leaf and back up has a valley") {
  // 3 leaves x 2 spines x 1 host; the builder's link ids: host h <-> leaf h is edge h (links
  // 2h up, 2h+1 down), then leaf-major leaf <-> spine edges: leaf j <-> spine k is edge
  // 3 + 2j + k. host0 -> leaf0 -> spine0 -> leaf1 -> host1 climbs and descends once;
  // host0 -> leaf0 -> spine0 -> leaf2 -> spine1 -> leaf1 -> host1 descends to leaf2 and climbs
  // again.
  const topo::Topology t = topo::build_leaf_spine(test::nonblocking(3, 2, 1));
  auto up = [](uint32_t leaf, uint32_t spine) { return 2 * (3 + 2 * leaf + spine); };
  const std::vector<uint32_t> direct = {0, up(0, 0), up(1, 0) + 1, 3};
  const std::vector<uint32_t> valley = {0, up(0, 0), up(2, 0) + 1, up(2, 1), up(1, 1) + 1, 3};
  for (const auto& path : {direct, valley}) {  // the ids do form the paths described
    for (size_t i = 1; i < path.size(); ++i)
      REQUIRE(t.link(path[i - 1]).to == t.link(path[i]).from);
  }
  CHECK(topo::is_up_down(t, direct));
  CHECK_FALSE(topo::is_up_down(t, valley));
}

TEST_CASE("sim::paths: split:K on a leaf-spine uses only 2-hop-up-down paths") {
  // 4 leaves x 8 spines x 2 hosts, split:16. A pair under two leaves has 8 equal-cost paths
  // (host, leaf, one spine, leaf, host: 4 links, up twice and down twice); Yen's next ones
  // would detour through a third leaf (6 links, a valley). So every inter-leaf flow gets
  // exactly 8 subflows, one per spine, and a pair under one leaf keeps its single 2-link path.
  // The note counts the 8 hosts x 6 remote hosts = 48 inter-leaf flows, at most 8 paths each.
  const topo::Topology t = topo::build_leaf_spine(test::nonblocking(4, 8, 2));
  const topo::Routing r(t);
  const Workload w = workload::all_to_all(t.num_hosts(), 1_MiB);
  const sim::PathSet p = split(r, w, "split:16");
  for (uint32_t n = 0; n < w.size(); ++n) {
    const DagNode& d = w.node(n);
    INFO(d.src << " -> " << d.dst);
    const bool same_leaf = d.src / 2 == d.dst / 2;
    CHECK(subflows(p, n) == (same_leaf ? 1u : 8u));
    check_up_down(t, p, n, same_leaf ? 2 : 4);
  }
  CHECK(p.split_cap.flows == 48);
  CHECK(p.split_cap.max_paths == 8);
  // K within the spines: no cap, no note.
  CHECK(split(r, w, "split:8").split_cap.flows == 0);
}

TEST_CASE("sim::paths: split:K on a 3-tier fat-tree uses only up-down paths") {
  // k = 4: 16 hosts, host h under edge h/2 in pod h/4. Across pods (k/2)^2 = 4 paths of 6
  // links (edge, aggregation, core, aggregation, edge); across edges of one pod k/2 = 2 paths
  // of 4 links; under one edge 1 path of 2. split:8 would once have topped up every pair but
  // the last with valley paths; now each gets one subflow per up-down path. Capped: every
  // host's 12 inter-pod and 2 intra-pod peers, 16 x 14 = 224 flows, at most 4 paths.
  const topo::Topology t = topo::build_fat_tree(topo::FatTreeParams{});
  const topo::Routing r(t);
  const Workload w = workload::all_to_all(t.num_hosts(), 1_MiB);
  const sim::PathSet p = split(r, w, "split:8");
  for (uint32_t n = 0; n < w.size(); ++n) {
    const DagNode& d = w.node(n);
    INFO(d.src << " -> " << d.dst);
    const uint32_t want = d.src / 4 != d.dst / 4 ? 4 : d.src / 2 != d.dst / 2 ? 2 : 1;
    CHECK(subflows(p, n) == want);
    check_up_down(t, p, n, want == 4 ? 6 : want == 2 ? 4 : 2);
  }
  CHECK(p.split_cap.flows == 224);
  CHECK(p.split_cap.max_paths == 4);
}
