// Tests for the rail-optimised builder: shape, GPU-to-rail wiring, NVLink inside a server,
// path counts across rails, derived fabric rate, and one SECTION per rejected parameter.
#include <cstdint>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "sim/core/error.hpp"
#include "tests/topo_checks.hpp"
#include "topologies/rail.hpp"
#include "topologies/routing.hpp"

namespace {

using Catch::Matchers::Contains;
using moesim::BitsPerSec;
using moesim::InputError;
using moesim::operator""_Gbps;
using moesim::test::count_kind;
using namespace moesim::topo;

// 3 servers x 4 GPUs, 2 spines: hosts 0..11, rails 12..15, spines 16..17, nvs 18..20.
RailParams small_rail() {
  RailParams p;
  p.servers = 3;
  p.gpus_per_server = 4;
  p.spines = 2;
  p.host_rate = 100_Gbps;
  return p;
}

}  // namespace

TEST_CASE("topo::Rail: counts GPUs - rails - spines and NVSwitches") {
  const Topology t = build_rail(small_rail());
  CHECK(t.num_hosts() == 12);
  CHECK(count_kind(t, VertexKind::Leaf) == 4);  // one rail per GPU position
  CHECK(count_kind(t, VertexKind::Spine) == 2);
  CHECK(count_kind(t, VertexKind::NvSwitch) == 3);
  // 12 NICs + 4 x 2 rail-spine links + 12 NVLinks = 32 links.
  CHECK(t.num_links() == 2 * 32);
}

TEST_CASE("topo::Rail: GPU i of every server sits on rail i") {
  const Topology t = build_rail(small_rail());
  const Graph& g = t.graph();
  for (uint32_t h = 0; h < t.num_hosts(); ++h) {
    // Edge h is GPU h's NIC; GPU h is GPU h % 4 of server h / 4.
    CHECK(t.link_name(2 * h) == fmt::format("gpu{}->rail{}", h, h % 4));
    CHECK(g[t.host_vertex(h)].server == static_cast<int32_t>(h / 4));
  }
  // NVLinks come last: GPU 6 <-> nvs1 is edge 12 + 8 + 6 = 26.
  CHECK(t.link_name(2 * 26) == "gpu6->nvs1");
  CHECK(t.link(2 * 26).kind == LinkKind::NvLink);
}

TEST_CASE("topo::Rail: routes same-server pairs over NVLink and other rails over spines") {
  const Topology t = build_rail(small_rail());
  const Routing r(t);
  // GPUs 0 and 1 share server 0: gpu -> nvs -> gpu, 2 x (25 ns + 1).
  CHECK(r.cost(t.host_vertex(0), 1) == 2 * (25'000 + 1));
  CHECK(count_paths(r, 0, 1) == 1);
  // GPUs 0 and 4 are on rail 0 of servers 0 and 1: through rail0 only, 2 x (1 us + 1).
  CHECK(r.cost(t.host_vertex(0), 4) == 2 * (1'000'000 + 1));
  // GPU 0 (rail 0) to GPU 5 (server 1, rail 1): rail0 -> spine -> rail1, one path per spine.
  CHECK(count_paths(r, 0, 5) == 2);
  CHECK(r.cost(t.host_vertex(0), 5) == 4 * (1'000'000 + 1));
  CHECK(moesim::test::every_host_pair_reachable(t));
}

TEST_CASE("topo::Rail: derives the fabric rate from the oversubscription") {
  RailParams p = small_rail();
  // A rail has 3 servers x 100 Gb/s below and 2 uplinks: 150 Gb/s each at 1:1, 50 at 3:1.
  CHECK(effective_fabric_rate(p) == 150_Gbps);
  p.oversubscription = 3;
  CHECK(effective_fabric_rate(p) == 50_Gbps);
  CHECK(build_rail(p).link(2 * 12).rate == 50_Gbps);  // edge 12: rail0 <-> spine0
}

TEST_CASE("topo::Rail: one server needs no spines") {
  RailParams p = small_rail();
  p.servers = 1;
  p.spines = 0;
  const Topology t = build_rail(p);
  CHECK(t.num_hosts() == 4);
  CHECK(moesim::test::every_host_pair_reachable(t));
}

TEST_CASE("topo::Rail: rejects bad parameters") {
  RailParams p = small_rail();
  SECTION("zero servers") {
    p.servers = 0;
    REQUIRE_THROWS_WITH(build_rail(p), Contains("--servers") && Contains("'0'"));
  }
  SECTION("zero GPUs per server") {
    p.gpus_per_server = 0;
    REQUIRE_THROWS_WITH(build_rail(p), Contains("--gpus-per-server") && Contains("'0'"));
  }
  SECTION("too many GPUs") {
    p.servers = 200'000;
    p.gpus_per_server = 8;  // 1.6 M > 1 M
    REQUIRE_THROWS_WITH(build_rail(p), Contains("--servers") && Contains("1600000"));
  }
  SECTION("no spines for several servers and rails") {
    p.spines = 0;
    REQUIRE_THROWS_WITH(build_rail(p), Contains("--spines") && Contains("'0'"));
  }
  SECTION("zero host rate") {
    p.host_rate = BitsPerSec{0};
    REQUIRE_THROWS_WITH(build_rail(p), Contains("--host-rate"));
  }
  SECTION("zero fabric rate") {
    p.fabric_rate = BitsPerSec{0};
    REQUIRE_THROWS_WITH(build_rail(p), Contains("--fabric-rate"));
  }
  SECTION("zero NVLink rate") {
    p.nvlink_rate = BitsPerSec{0};
    REQUIRE_THROWS_WITH(build_rail(p), Contains("--nvlink-rate"));
  }
  SECTION("negative oversubscription") {
    p.oversubscription = -1;
    REQUIRE_THROWS_WITH(build_rail(p), Contains("--oversubscription") && Contains("'-1'"));
  }
  SECTION("negative NVLink latency") {
    p.nvlink_latency = moesim::TimePs{-5};
    REQUIRE_THROWS_WITH(build_rail(p), Contains("--nvlink-latency"));
  }
  SECTION("zero buffer") {
    p.buffer = moesim::Bytes{0};
    REQUIRE_THROWS_WITH(build_rail(p), Contains("--buffer"));
  }
  REQUIRE_THROWS_AS(build_rail(p), InputError);
}
