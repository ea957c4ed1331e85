// Tests for the Topology container, the leaf-spine builder (shape, validation, derived rates,
// NVLink servers) and GraphML/DOT export.
#include <cstdint>
#include <limits>
#include <sstream>
#include <string>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/graphml.hpp>
#include <boost/graph/graphviz.hpp>
#include <catch2/catch.hpp>

#include "sim/core/error.hpp"
#include "topologies/export.hpp"
#include "topologies/leaf_spine.hpp"
#include "topologies/topology.hpp"

namespace {

using Catch::Matchers::Contains;
using moesim::BitsPerSec;
using moesim::InputError;
using moesim::operator""_Gbps;
using namespace moesim::topo;

// 4 leaves x 2 spines x 3 hosts per leaf, 400 Gb/s hosts, 1:1.
LeafSpineParams tiny_params() {
  LeafSpineParams p;
  p.leaves = 4;
  p.spines = 2;
  p.hosts_per_leaf = 3;
  return p;
}

Topology tiny_leaf_spine() {
  return build_leaf_spine(tiny_params());
}

// 2 leaves x 2 spines x 4 GPUs per leaf, 2 GPUs per server: 4 servers, 2 under each leaf.
LeafSpineParams nvlink_params() {
  LeafSpineParams p;
  p.leaves = 2;
  p.spines = 2;
  p.hosts_per_leaf = 4;
  p.gpus_per_server = 2;
  return p;
}

}  // namespace

TEST_CASE("topo::LeafSpine: counts hosts - vertices and links") {
  const Topology t = tiny_leaf_spine();
  // hosts 4 x 3 = 12; vertices 12 + 4 leaves + 2 spines = 18;
  // edges 12 host links + 4 x 2 fabric links = 20; directed links 2 x 20 = 40.
  CHECK(t.num_hosts() == 12);
  CHECK(t.num_vertices() == 18);
  CHECK(boost::num_edges(t.graph()) == 20);
  CHECK(t.num_links() == 40);
}

TEST_CASE("topo::LeafSpine: lays out vertices and links in a fixed order") {
  const Topology t = tiny_leaf_spine();
  const Graph& g = t.graph();
  // Hosts first, then leaves (from 12), then spines (from 16).
  CHECK(g[0].name == "host0");
  CHECK(g[0].kind == VertexKind::Host);
  CHECK(g[11].host == 11);
  CHECK(g[11].server == 11);  // one host per server without NVLink
  CHECK(g[12].name == "leaf0");
  CHECK(g[12].host == -1);
  CHECK(g[16].name == "spine0");
  CHECK(g[16].kind == VertexKind::Spine);
  CHECK(t.host_vertex(7) == 7);
  // Host 5 sits under leaf 5 / 3 = 1; its NIC is edge 5: links 10 (up) and 11 (down).
  CHECK(t.link_name(10) == "host5->leaf1");
  CHECK(t.link_name(11) == "leaf1->host5");
  CHECK(t.link(10).kind == LinkKind::HostLink);
  // Fabric edges follow, leaf-major: leaf 3, spine 1 is edge 12 + 3 * 2 + 1 = 19.
  CHECK(t.link_name(2 * 19) == "leaf3->spine1");
  CHECK(t.link(2 * 19).kind == LinkKind::Fabric);
}

TEST_CASE("topo::Topology: directed links pair up and out_links are sorted") {
  const Topology t = tiny_leaf_spine();
  const Graph& g = t.graph();
  for (auto [it, end] = boost::edges(g); it != end; ++it) {
    const uint32_t e = g[*it].id;
    const DirLink& fwd = t.link(2 * e);
    const DirLink& back = t.link(2 * e + 1);
    CHECK(fwd.from == boost::source(*it, g));
    CHECK(fwd.to == boost::target(*it, g));
    CHECK(back.from == fwd.to);
    CHECK(back.to == fwd.from);
  }
  uint32_t total = 0;
  for (uint32_t v = 0; v < t.num_vertices(); ++v) {
    const auto& out = t.out_links(v);
    total += static_cast<uint32_t>(out.size());
    for (size_t i = 0; i < out.size(); ++i) {
      CHECK(t.link(out[i]).from == v);
      if (i > 0) CHECK(out[i - 1] < out[i]);
    }
  }
  CHECK(total == t.num_links());  // every directed link leaves exactly one vertex
  // A leaf has 3 hosts below and 2 spines above; a spine one link per leaf.
  CHECK(t.out_links(12).size() == 5);
  CHECK(t.out_links(16).size() == 4);
}

TEST_CASE("topo::LeafSpine: derives the fabric rate from the oversubscription") {
  LeafSpineParams p = tiny_params();
  SECTION("1:1") {
    // 3 hosts x 400 Gb/s into a leaf, 2 uplinks: 1200 / 2 = 600 Gb/s per uplink.
    CHECK(effective_fabric_rate(p) == 600_Gbps);
    const Topology t = build_leaf_spine(p);
    CHECK(t.link(2 * 12).rate == 600_Gbps);  // edge 12: leaf0 <-> spine0
    CHECK(t.link(0).rate == 400_Gbps);
  }
  SECTION("3:1") {
    p.oversubscription = 3.0;  // 1200 Gb/s / (2 x 3) = 200 Gb/s
    CHECK(effective_fabric_rate(p) == 200_Gbps);
  }
  SECTION("rounds to the nearest bit/s") {
    p.host_rate = BitsPerSec{1'000'000'000};
    p.spines = 7;  // 3 x 1e9 / 7 = 428571428.57 bit/s -> 428571429
    CHECK(effective_fabric_rate(p) == BitsPerSec{428'571'429});
  }
  SECTION("an explicit fabric rate wins") {
    p.fabric_rate = 100_Gbps;
    CHECK(effective_fabric_rate(p) == 100_Gbps);
    CHECK(build_leaf_spine(p).link(2 * 12).rate == 100_Gbps);
  }
}

TEST_CASE("topo::LeafSpine: accepts a single leaf without spines") {
  LeafSpineParams p = tiny_params();
  p.leaves = 1;
  p.spines = 0;
  const Topology t = build_leaf_spine(p);
  CHECK(t.num_vertices() == 4);  // 3 hosts + 1 leaf
  CHECK(t.num_links() == 6);     // 3 host links, both directions
}

TEST_CASE("topo::LeafSpine: rejects zero counts") {
  LeafSpineParams p = tiny_params();
  SECTION("leaves") {
    p.leaves = 0;
    REQUIRE_THROWS_AS(build_leaf_spine(p), InputError);
    REQUIRE_THROWS_WITH(build_leaf_spine(p), Contains("--leaves") && Contains("'0'"));
  }
  SECTION("spines with several leaves") {
    p.spines = 0;
    REQUIRE_THROWS_AS(build_leaf_spine(p), InputError);
    REQUIRE_THROWS_WITH(build_leaf_spine(p), Contains("--spines") && Contains("'0'"));
  }
  SECTION("hosts per leaf") {
    p.hosts_per_leaf = 0;
    REQUIRE_THROWS_AS(build_leaf_spine(p), InputError);
    REQUIRE_THROWS_WITH(build_leaf_spine(p), Contains("--hosts-per-leaf"));
  }
  SECTION("GPUs per server") {
    p.gpus_per_server = 0;
    REQUIRE_THROWS_AS(build_leaf_spine(p), InputError);
    REQUIRE_THROWS_WITH(build_leaf_spine(p), Contains("--gpus-per-server"));
  }
}

TEST_CASE("topo::LeafSpine: rejects zero rates") {
  LeafSpineParams p = tiny_params();
  SECTION("host rate") {
    p.host_rate = BitsPerSec{0};
    REQUIRE_THROWS_AS(build_leaf_spine(p), InputError);
    REQUIRE_THROWS_WITH(build_leaf_spine(p), Contains("--host-rate"));
  }
  SECTION("fabric rate") {
    p.fabric_rate = BitsPerSec{0};
    REQUIRE_THROWS_AS(build_leaf_spine(p), InputError);
    REQUIRE_THROWS_WITH(build_leaf_spine(p), Contains("--fabric-rate"));
  }
  SECTION("NVLink rate with GPU servers") {
    p.gpus_per_server = 3;
    p.nvlink_rate = BitsPerSec{0};
    REQUIRE_THROWS_AS(build_leaf_spine(p), InputError);
    REQUIRE_THROWS_WITH(build_leaf_spine(p), Contains("--nvlink-rate"));
  }
}

TEST_CASE("topo::LeafSpine: rejects a bad oversubscription") {
  LeafSpineParams p = tiny_params();
  SECTION("zero") {
    p.oversubscription = 0.0;
  }
  SECTION("negative") {
    p.oversubscription = -2.0;
  }
  SECTION("infinite") {
    p.oversubscription = std::numeric_limits<double>::infinity();
  }
  SECTION("not a number") {
    p.oversubscription = std::numeric_limits<double>::quiet_NaN();
  }
  SECTION("so large the fabric rate rounds to 0") {
    p.oversubscription = 1e30;
  }
  REQUIRE_THROWS_AS(build_leaf_spine(p), InputError);
  REQUIRE_THROWS_WITH(build_leaf_spine(p), Contains("--oversubscription"));
  REQUIRE_THROWS_AS(effective_fabric_rate(p), InputError);
}

TEST_CASE("topo::LeafSpine: rejects both a fabric rate and an oversubscription") {
  LeafSpineParams p = tiny_params();
  p.fabric_rate = 100_Gbps;
  p.oversubscription = 2.0;
  REQUIRE_THROWS_AS(build_leaf_spine(p), InputError);
  REQUIRE_THROWS_WITH(build_leaf_spine(p),
                      Contains("--oversubscription") && Contains("--fabric-rate"));
}

TEST_CASE("topo::LeafSpine: rejects servers that straddle leaves") {
  LeafSpineParams p = tiny_params();
  p.gpus_per_server = 2;  // 3 hosts per leaf is not a multiple of 2
  REQUIRE_THROWS_AS(build_leaf_spine(p), InputError);
  REQUIRE_THROWS_WITH(build_leaf_spine(p), Contains("--gpus-per-server") && Contains("'2'"));
}

TEST_CASE("topo::LeafSpine: rejects negative latencies") {
  LeafSpineParams p = tiny_params();
  p.gpus_per_server = 3;
  SECTION("host latency") {
    p.host_latency = moesim::TimePs{-1};
    REQUIRE_THROWS_AS(build_leaf_spine(p), InputError);
    REQUIRE_THROWS_WITH(build_leaf_spine(p), Contains("--host-latency"));
  }
  SECTION("fabric latency") {
    p.fabric_latency = moesim::TimePs{-1};
    REQUIRE_THROWS_AS(build_leaf_spine(p), InputError);
    REQUIRE_THROWS_WITH(build_leaf_spine(p), Contains("--fabric-latency"));
  }
  SECTION("NVLink latency") {
    p.nvlink_latency = moesim::TimePs{-1};
    REQUIRE_THROWS_AS(build_leaf_spine(p), InputError);
    REQUIRE_THROWS_WITH(build_leaf_spine(p), Contains("--nvlink-latency"));
  }
}

TEST_CASE("topo::LeafSpine: rejects too large a cluster") {
  LeafSpineParams p = tiny_params();
  SECTION("hosts") {
    p.leaves = 1001;
    p.hosts_per_leaf = 1000;  // 1,001,000 hosts > 1,000,000
    REQUIRE_THROWS_AS(build_leaf_spine(p), InputError);
    REQUIRE_THROWS_WITH(build_leaf_spine(p), Contains("--hosts-per-leaf") && Contains("1001000"));
  }
  SECTION("spines") {
    p.spines = 1'000'001;
    REQUIRE_THROWS_AS(build_leaf_spine(p), InputError);
    REQUIRE_THROWS_WITH(build_leaf_spine(p), Contains("--spines"));
  }
}

TEST_CASE("topo::LeafSpine: rejects a zero buffer") {
  LeafSpineParams p = tiny_params();
  p.buffer = moesim::Bytes{0};
  REQUIRE_THROWS_AS(build_leaf_spine(p), InputError);
  REQUIRE_THROWS_WITH(build_leaf_spine(p), Contains("--buffer"));
}

TEST_CASE("topo::LeafSpine: builds NVLink servers") {
  const LeafSpineParams p = nvlink_params();
  const Topology t = build_leaf_spine(p);
  const Graph& g = t.graph();
  // 8 GPUs in 8 / 2 = 4 servers; vertices 8 + 2 leaves + 2 spines + 4 NVSwitches = 16.
  CHECK(t.num_hosts() == 8);
  CHECK(t.num_vertices() == 16);
  // Edges: 8 NICs + 2 x 2 fabric + 8 NVLinks (one per GPU) = 20.
  CHECK(t.num_links() == 2 * 20);
  CHECK(g[0].name == "gpu0");
  CHECK(g[5].server == 2);      // GPU 5 is in server 5 / 2 = 2
  CHECK(g[12].name == "nvs0");  // after 8 GPUs, 2 leaves, 2 spines
  CHECK(g[12].kind == VertexKind::NvSwitch);
  CHECK(g[15].server == 3);
  // NVLink edges come last: GPU 5 <-> nvs2 is edge 12 + 5 = 17.
  CHECK(t.link_name(2 * 17) == "gpu5->nvs2");
  CHECK(t.link(2 * 17).kind == LinkKind::NvLink);
  CHECK(t.link(2 * 17).rate == p.nvlink_rate);
  CHECK(t.link(2 * 17).latency == p.nvlink_latency);
  uint32_t nvlinks = 0;
  for (const DirLink& l : t.links())
    nvlinks += l.kind == LinkKind::NvLink;
  CHECK(nvlinks == 2 * 8);
}

TEST_CASE("topo::export: GraphML parses back with its attributes") {
  const Topology t = build_leaf_spine(nvlink_params());
  std::stringstream ss;
  write_graphml(ss, t);

  struct V {
    std::string name, kind;
    int host = 0;
  };
  struct E {
    long rate = 0;  // GraphML has no unsigned types: the file declares rate_bps as "long"
    long latency = 0;
    std::string kind;
  };
  using Back = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, V, E>;
  Back back;
  boost::dynamic_properties dp(boost::ignore_other_properties);
  dp.property("name", get(&V::name, back));
  dp.property("kind", get(&V::kind, back));
  dp.property("host", get(&V::host, back));
  dp.property("rate_bps", get(&E::rate, back));
  dp.property("latency_ps", get(&E::latency, back));
  dp.property("kind", get(&E::kind, back));
  boost::read_graphml(ss, back, dp);

  REQUIRE(boost::num_vertices(back) == t.num_vertices());
  REQUIRE(boost::num_edges(back) == t.num_links() / 2);
  CHECK(back[12].name == "nvs0");
  CHECK(back[12].kind == "nvswitch");
  CHECK(back[5].host == 5);
  // Edges keep their order, so edge 17 is GPU 5's NVLink (see the NVLink test).
  auto [it, end] = boost::edges(back);
  std::advance(it, 17);
  CHECK(back[*it].kind == "nvlink");
  CHECK(static_cast<uint64_t>(back[*it].rate) == t.link(2 * 17).rate.bps);
  CHECK(back[*it].latency == t.link(2 * 17).latency.ps);
}

TEST_CASE("topo::export: DOT parses back with names as node ids") {
  const Topology t = tiny_leaf_spine();
  std::stringstream ss;
  write_dot(ss, t);

  struct V {
    std::string name;
  };
  using Back = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, V>;
  Back back;
  boost::dynamic_properties dp(boost::ignore_other_properties);
  dp.property("node_id", get(&V::name, back));
  REQUIRE(boost::read_graphviz(ss, back, dp, "node_id"));

  CHECK(boost::num_vertices(back) == t.num_vertices());
  CHECK(boost::num_edges(back) == t.num_links() / 2);
  CHECK(back[17].name == "spine1");
  // Every edge, and nothing else, carries a label (its rate and latency).
  const std::string text = ss.str();
  size_t labels = 0;
  for (size_t at = text.find("label="); at != std::string::npos; at = text.find("label=", at + 1)) {
    ++labels;
  }
  CHECK(labels == t.num_links() / 2);
}
