// Tests for the k-ary fat-tree builder: shape for k = 4 and 8, wiring, path counts, full
// bisection, oversubscription, and one SECTION per rejected parameter.
#include <cstdint>
#include <limits>

#include <catch2/catch.hpp>

#include "sim/core/error.hpp"
#include "tests/topo_checks.hpp"
#include "topologies/fat_tree.hpp"
#include "topologies/metrics.hpp"
#include "topologies/routing.hpp"

namespace {

using Catch::Matchers::Contains;
using moesim::BitsPerSec;
using moesim::InputError;
using moesim::operator""_Gbps;
using moesim::test::count_kind;
using namespace moesim::topo;

FatTreeParams fat_tree(uint32_t k) {
  FatTreeParams p;
  p.k = k;
  p.host_rate = 100_Gbps;
  return p;
}

}  // namespace

TEST_CASE("topo::FatTree: counts hosts and switches for k = 4 and 8") {
  const uint32_t k = GENERATE(4u, 8u);
  const Topology t = build_fat_tree(fat_tree(k));
  // hosts k^3/4 (16, 128); edge = aggregation = k * k/2 (8, 32); core (k/2)^2 (4, 16).
  const uint32_t half = k / 2;
  CHECK(t.num_hosts() == k * k * k / 4);
  CHECK(count_kind(t, VertexKind::Leaf) == k * half);
  CHECK(count_kind(t, VertexKind::Spine) == k * half);
  CHECK(count_kind(t, VertexKind::Core) == half * half);
  CHECK(t.num_vertices() == k * k * k / 4 + 5 * k * k / 4);
  // Links: k^3/4 host links, k * (k/2)^2 edge-aggregation, k * (k/2) * (k/2) aggregation-core:
  // 3 k^3 / 4 in all (48 and 384), each two directed links.
  CHECK(t.num_links() == 2 * (3 * k * k * k / 4));
  // Every switch has k ports: edge k/2 down + k/2 up, aggregation the same, core k down.
  for (uint32_t v = t.num_hosts(); v < t.num_vertices(); ++v)
    CHECK(t.out_links(v).size() == k);
}

TEST_CASE("topo::FatTree: wires hosts - pods and cores in a fixed order") {
  const Topology t = build_fat_tree(fat_tree(4));
  // k = 4: hosts 0..15, edges 16..23 (edge e holds hosts 2e, 2e+1), aggs 24..31, cores 32..35.
  CHECK(t.link_name(2 * 5) == "host5->edge2");
  CHECK(t.graph()[32].name == "core0");
  CHECK(t.graph()[32].kind == VertexKind::Core);
  // Edge-aggregation links follow the 16 host links: pod 1, edge 1, agg 0 is 16 + 1*4 + 1*2.
  CHECK(t.link_name(2 * 22) == "edge3->agg2");
  // Aggregation-core links start at 16 + 16 = 32; agg 3 (pod 1, position 1) joins cores 2, 3.
  CHECK(t.link_name(2 * (32 + 3 * 2)) == "agg3->core2");
  CHECK(t.link_name(2 * (32 + 3 * 2 + 1)) == "agg3->core3");
  CHECK(t.link(0).kind == LinkKind::HostLink);
  CHECK(t.link(2 * 40).kind == LinkKind::Fabric);
}

TEST_CASE("topo::FatTree: equal-cost paths are 1 - k/2 and (k/2)^2") {
  const uint32_t k = 4;
  const Topology t = build_fat_tree(fat_tree(k));
  const Routing r(t);
  // Hosts 0 and 1 share edge0; hosts 0 and 2 share pod 0 (edges 0 and 1): one path per
  // aggregation switch (k/2 = 2); hosts 0 and 4 are in different pods: (k/2)^2 = 4 cores.
  CHECK(count_paths(r, 0, 1) == 1);
  CHECK(count_paths(r, 0, 2) == k / 2);
  CHECK(count_paths(r, 0, 4) == (k / 2) * (k / 2));
  CHECK(moesim::test::every_host_pair_reachable(t));
}

TEST_CASE("topo::FatTree: has full bisection at 1:1") {
  const uint32_t k = GENERATE(4u, 8u);
  const Topology t = build_fat_tree(fat_tree(k));
  MetricsOptions o;
  o.max_routing_hosts = 0;  // paths are not needed here
  const TopoMetrics m = compute_metrics(t, o);
  // Half the hosts (k^3/8) each at the 100 Gb/s host rate: 200 Gb/s x 8 = 800 Gb/s for k = 4,
  // 64 x 100 Gb/s = 6.4 Tb/s for k = 8. No balanced cut is smaller (the fat-tree is
  // rearrangeably non-blocking), and the heuristic finds one this small (half the pods).
  REQUIRE(m.bisection);
  CHECK(m.bisection->bps == uint64_t{k} * k * k / 8 * 100'000'000'000ULL);
}

TEST_CASE("topo::FatTree: oversubscription lowers the fabric rate and the bisection") {
  FatTreeParams p = fat_tree(4);
  p.oversubscription = 2.0;
  // 100 Gb/s hosts / 2 = 50 Gb/s on every switch-to-switch link.
  CHECK(effective_fabric_rate(p) == 50_Gbps);
  const Topology t = build_fat_tree(p);
  CHECK(t.link(2 * 16).rate == 50_Gbps);  // edge 16 is the first edge-aggregation link
  CHECK(t.link(0).rate == 100_Gbps);
  MetricsOptions o;
  o.max_routing_hosts = 0;
  // The k^3/8 = 8 cross-pod core links of the full-bisection cut now carry 50 Gb/s: 400 Gb/s.
  CHECK(compute_metrics(t, o).bisection->bps == 8 * 50'000'000'000ULL);
  SECTION("an explicit fabric rate wins") {
    p.oversubscription = 1.0;
    p.fabric_rate = 25_Gbps;
    CHECK(build_fat_tree(p).link(2 * 16).rate == 25_Gbps);
  }
}

TEST_CASE("topo::FatTree: rejects bad parameters") {
  FatTreeParams p = fat_tree(4);
  SECTION("odd k") {
    p.k = 5;
    REQUIRE_THROWS_AS(build_fat_tree(p), InputError);
    REQUIRE_THROWS_WITH(build_fat_tree(p),
                        Contains("--k") && Contains("'5'") && Contains("an even number"));
  }
  SECTION("zero k") {
    p.k = 0;
    REQUIRE_THROWS_WITH(build_fat_tree(p), Contains("--k") && Contains("'0'"));
  }
  SECTION("k too large") {
    p.k = 160;  // 160^3 / 4 = 1,024,000 hosts
    REQUIRE_THROWS_WITH(build_fat_tree(p), Contains("--k") && Contains("'160'"));
  }
  SECTION("zero host rate") {
    p.host_rate = BitsPerSec{0};
    REQUIRE_THROWS_WITH(build_fat_tree(p), Contains("--host-rate"));
  }
  SECTION("zero fabric rate") {
    p.fabric_rate = BitsPerSec{0};
    REQUIRE_THROWS_WITH(build_fat_tree(p), Contains("--fabric-rate"));
  }
  SECTION("zero oversubscription") {
    p.oversubscription = 0;
    REQUIRE_THROWS_WITH(build_fat_tree(p), Contains("--oversubscription"));
  }
  SECTION("oversubscription not a number") {
    p.oversubscription = std::numeric_limits<double>::quiet_NaN();
    REQUIRE_THROWS_WITH(build_fat_tree(p), Contains("--oversubscription"));
  }
  SECTION("both a fabric rate and an oversubscription") {
    p.fabric_rate = 50_Gbps;
    p.oversubscription = 2;
    REQUIRE_THROWS_WITH(build_fat_tree(p),
                        Contains("--oversubscription") && Contains("--fabric-rate"));
  }
  SECTION("negative host latency") {
    p.host_latency = moesim::TimePs{-1};
    REQUIRE_THROWS_WITH(build_fat_tree(p), Contains("--host-latency"));
  }
  SECTION("negative fabric latency") {
    p.fabric_latency = moesim::TimePs{-1};
    REQUIRE_THROWS_WITH(build_fat_tree(p), Contains("--fabric-latency"));
  }
  SECTION("zero buffer") {
    p.buffer = moesim::Bytes{0};
    REQUIRE_THROWS_WITH(build_fat_tree(p), Contains("--buffer"));
  }
  REQUIRE_THROWS_AS(build_fat_tree(p), InputError);
}
