// Tests for the routing view: equal-cost next-hop sets, least costs, path counts, and the rules
// that hosts never forward and that costs prefer short low-latency paths (NVLink inside a server).
#include <cstdint>
#include <limits>

#include <catch2/catch.hpp>

#include "topologies/leaf_spine.hpp"
#include "topologies/routing.hpp"
#include "topologies/topology.hpp"

namespace {

using moesim::operator""_Gbps;
using moesim::operator""_MiB;
using moesim::operator""_ps;
using moesim::operator""_us;
using namespace moesim::topo;

constexpr uint64_t kUnreachable = std::numeric_limits<uint64_t>::max();
constexpr moesim::Bytes kBuffer = 1_MiB;

// 4 leaves x 2 spines x 3 hosts per leaf, 1 us per link.
Topology tiny_leaf_spine() {
  LeafSpineParams p;
  p.leaves = 4;
  p.spines = 2;
  p.hosts_per_leaf = 3;
  return build_leaf_spine(p);
}

// 2 leaves x 8 spines x 2 hosts per leaf: hosts 0, 1 under leaf 0 (vertex 4), 2, 3 under leaf 1.
Topology two_leaves_eight_spines() {
  LeafSpineParams p;
  p.leaves = 2;
  p.spines = 8;
  p.hosts_per_leaf = 2;
  return build_leaf_spine(p);
}

// 2 leaves x 2 spines x 4 GPUs per leaf, 2 GPUs per server (nvs0 holds GPUs 0 and 1).
Topology two_gpu_servers() {
  LeafSpineParams p;
  p.leaves = 2;
  p.spines = 2;
  p.hosts_per_leaf = 4;
  p.gpus_per_server = 2;
  return build_leaf_spine(p);
}

}  // namespace

TEST_CASE("topo::Routing: a leaf has one next hop per spine towards another leaf") {
  const Topology t = two_leaves_eight_spines();
  const Routing r(t);
  const uint32_t leaf0 = 4;
  const auto hops = r.next_hops(leaf0, 2);
  REQUIRE(hops.size() == 8);
  for (size_t k = 0; k < hops.size(); ++k) {
    CHECK(t.link(hops[k]).kind == LinkKind::Fabric);
    CHECK(t.link(hops[k]).to == 6 + k);  // spines are vertices 6..13, in link id order
  }
  // Below and above the leaf there is no choice: the NIC up, one link down from each spine.
  REQUIRE(r.next_hops(t.host_vertex(0), 2).size() == 1);
  CHECK(r.next_hops(t.host_vertex(0), 2)[0] == 0);  // host0 -> leaf0 is link 0
  CHECK(r.next_hops(6, 2).size() == 1);
  CHECK(r.next_hops(t.host_vertex(2), 2).empty());  // at the destination
  // host -> leaf -> spine -> leaf -> host: 4 links of 1 us, each costing latency + 1.
  CHECK(r.cost(t.host_vertex(0), 2) == 4 * (1'000'000 + 1));
  CHECK(r.cost(t.host_vertex(2), 2) == 0);
}

TEST_CASE("topo::Routing: count_paths is the spine count between leaves and 1 within a leaf") {
  const Topology t = tiny_leaf_spine();
  const Routing r(t);
  const uint32_t hosts_per_leaf = 3;
  const uint64_t spines = 2;
  for (uint32_t s = 0; s < t.num_hosts(); ++s) {
    for (uint32_t d = 0; d < t.num_hosts(); ++d) {
      const bool same_leaf = s / hosts_per_leaf == d / hosts_per_leaf;
      CHECK(count_paths(r, s, d) == (same_leaf ? 1 : spines));
    }
  }
  const Topology wide = two_leaves_eight_spines();
  CHECK(count_paths(Routing(wide), 0, 3) == 8);
}

TEST_CASE("topo::Routing: next hops lie on least-cost paths - in link id order") {
  const Topology t = tiny_leaf_spine();
  const Routing r(t);
  for (uint32_t d = 0; d < t.num_hosts(); ++d) {
    for (uint32_t v = 0; v < t.num_vertices(); ++v) {
      const auto hops = r.next_hops(v, d);
      for (size_t i = 0; i < hops.size(); ++i) {
        const DirLink& l = t.link(hops[i]);
        CHECK(l.from == v);
        CHECK(r.cost(l.to, d) + static_cast<uint64_t>(l.latency.ps) + 1 == r.cost(v, d));
        if (i > 0) CHECK(hops[i - 1] < hops[i]);
      }
      // Every vertex but the destination can reach it here, so it has a next hop.
      CHECK(hops.empty() == (v == t.host_vertex(d)));
    }
  }
}

TEST_CASE("topo::Routing: hosts are never transit") {
  SECTION("in a leaf-spine no next hop enters a host other than the destination") {
    const Topology t = two_gpu_servers();
    const Routing r(t);
    for (uint32_t d = 0; d < t.num_hosts(); ++d) {
      for (uint32_t v = 0; v < t.num_vertices(); ++v) {
        for (const uint32_t l : r.next_hops(v, d)) {
          const uint32_t w = t.link(l).to;
          CHECK((t.graph()[w].kind != VertexKind::Host || w == t.host_vertex(d)));
        }
      }
    }
  }
  SECTION("even where forwarding through a host would be cheaper") {
    // Hosts a, b, c and switch s: a-b and b-c have zero latency (cost 1 each, 2 in all);
    // a-s and s-c take 1 us (cost 2 x 1000001). Only a -> s -> c is allowed.
    Topology t("host-transit trap");
    const Vertex a = t.add_vertex(VertexKind::Host, "a");
    const Vertex b = t.add_vertex(VertexKind::Host, "b");
    const Vertex c = t.add_vertex(VertexKind::Host, "c");
    const Vertex s = t.add_vertex(VertexKind::Leaf, "s");
    t.add_link(a, b, LinkKind::HostLink, 400_Gbps, 0_ps, kBuffer);
    t.add_link(b, c, LinkKind::HostLink, 400_Gbps, 0_ps, kBuffer);
    const uint32_t as = t.add_link(a, s, LinkKind::HostLink, 400_Gbps, 1_us, kBuffer);
    t.add_link(s, c, LinkKind::HostLink, 400_Gbps, 1_us, kBuffer);
    const Routing r(t);
    REQUIRE(r.next_hops(a, 2).size() == 1);
    CHECK(r.next_hops(a, 2)[0] == 2 * as);
    CHECK(r.cost(a, 2) == 2 * (1'000'000 + 1));
    CHECK(count_paths(r, 0, 2) == 1);
    CHECK(r.cost(a, 1) == 1);  // a reaches its neighbour b directly
  }
}

TEST_CASE("topo::Routing: a GPU pair inside a server routes over NVLink only") {
  const Topology t = two_gpu_servers();
  const Routing r(t);
  // GPUs 0 and 1 share nvs0: gpu0 -> nvs0 -> gpu1 costs 2 x (25 ns + 1) = 50002, far below
  // 2 x (1 us + 1) through their leaf.
  const auto hops = r.next_hops(t.host_vertex(0), 1);
  REQUIRE(hops.size() == 1);
  CHECK(t.link(hops[0]).kind == LinkKind::NvLink);
  CHECK(r.cost(t.host_vertex(0), 1) == 2 * (25'000 + 1));
  CHECK(count_paths(r, 0, 1) == 1);
  // GPUs 0 and 2 are in different servers under one leaf: the NIC, not another GPU's NVLink.
  const auto other = r.next_hops(t.host_vertex(0), 2);
  REQUIRE(other.size() == 1);
  CHECK(t.link(other[0]).kind == LinkKind::HostLink);
  CHECK(count_paths(r, 0, 2) == 1);
  // Across leaves: 2 spines, 2 paths, never through an NVSwitch.
  CHECK(count_paths(r, 0, 7) == 2);
}

TEST_CASE("topo::Routing: hop count breaks ties among zero-latency links") {
  // a -> s1 -> c is 2 hops, a -> s2 -> s3 -> c is 3; with latency 0 only the +1 per link
  // tells them apart: costs 2 and 3.
  Topology t("zero latency");
  const Vertex a = t.add_vertex(VertexKind::Host, "a");
  const Vertex c = t.add_vertex(VertexKind::Host, "c");
  const Vertex s1 = t.add_vertex(VertexKind::Leaf, "s1");
  const Vertex s2 = t.add_vertex(VertexKind::Leaf, "s2");
  const Vertex s3 = t.add_vertex(VertexKind::Spine, "s3");
  const uint32_t as1 = t.add_link(a, s1, LinkKind::HostLink, 400_Gbps, 0_ps, kBuffer);
  t.add_link(s1, c, LinkKind::HostLink, 400_Gbps, 0_ps, kBuffer);
  t.add_link(a, s2, LinkKind::HostLink, 400_Gbps, 0_ps, kBuffer);
  t.add_link(s2, s3, LinkKind::Fabric, 400_Gbps, 0_ps, kBuffer);
  t.add_link(s3, c, LinkKind::HostLink, 400_Gbps, 0_ps, kBuffer);
  const Routing r(t);
  REQUIRE(r.next_hops(a, 1).size() == 1);
  CHECK(r.next_hops(a, 1)[0] == 2 * as1);
  CHECK(r.cost(a, 1) == 2);
  CHECK(r.cost(s2, 1) == 2);  // s2 -> s3 -> c
  CHECK(count_paths(r, 0, 1) == 1);
}

TEST_CASE("topo::Routing: an unreachable host has no next hops and no paths") {
  Topology t("island");
  const Vertex a = t.add_vertex(VertexKind::Host, "a");
  const Vertex s = t.add_vertex(VertexKind::Leaf, "s");
  const Vertex b = t.add_vertex(VertexKind::Host, "b");
  t.add_vertex(VertexKind::Host, "lonely");
  t.add_link(a, s, LinkKind::HostLink, 400_Gbps, 1_us, kBuffer);
  t.add_link(s, b, LinkKind::HostLink, 400_Gbps, 1_us, kBuffer);
  const Routing r(t);
  CHECK(r.cost(a, 2) == kUnreachable);
  CHECK(r.next_hops(a, 2).empty());
  CHECK(r.next_hops(s, 2).empty());
  CHECK(count_paths(r, 0, 2) == 0);
  CHECK(count_paths(r, 2, 0) == 0);
  CHECK(count_paths(r, 0, 1) == 1);
  CHECK(count_paths(r, 1, 1) == 1);  // the empty path
}
