// Tests for the Jellyfish builder: every switch reaches full degree with no self-loops or
// parallel links, the graph is connected (also for degree 2, where random constructions are
// mostly disconnected and must be merged), the seed fixes the graph, and bad parameters are
// rejected one by one.
#include <algorithm>
#include <cstdint>
#include <numeric>
#include <set>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "sim/core/error.hpp"
#include "tests/topo_checks.hpp"
#include "topologies/jellyfish.hpp"

namespace {

using Catch::Matchers::Contains;
using moesim::InputError;
using namespace moesim::topo;

JellyfishParams jellyfish(uint32_t switches, uint32_t degree, uint64_t seed = 1) {
  JellyfishParams p;
  p.switches = switches;
  p.degree = degree;
  p.hosts_per_switch = 1;
  p.seed = seed;
  return p;
}

// Number of switches reachable from switch 0.
uint32_t reachable(uint32_t n, const std::vector<std::pair<uint32_t, uint32_t>>& edges) {
  std::vector<std::vector<uint32_t>> adj(n);
  for (const auto& [u, v] : edges) {
    adj[u].push_back(v);
    adj[v].push_back(u);
  }
  std::vector<uint8_t> seen(n, 0);
  std::vector<uint32_t> stack{0};
  seen[0] = 1;
  uint32_t count = 1;
  while (!stack.empty()) {
    const uint32_t v = stack.back();
    stack.pop_back();
    for (const uint32_t w : adj[v]) {
      if (!seen[w]) {
        seen[w] = 1;
        ++count;
        stack.push_back(w);
      }
    }
  }
  return count;
}

}  // namespace

TEST_CASE("topo::Jellyfish: every switch has exactly the requested degree") {
  const auto [n, r] = GENERATE(std::pair{80u, 8u}, std::pair{15u, 4u}, std::pair{10u, 9u},
                               std::pair{101u, 6u}, std::pair{64u, 3u}, std::pair{2u, 1u});
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    const auto edges = random_regular_graph(jellyfish(n, r, seed));
    // A regular graph has n r / 2 edges; sorted (u < v) pairs with no repeats means simple.
    REQUIRE(edges.size() == size_t{n} * r / 2);
    std::vector<uint32_t> degree(n, 0);
    for (const auto& [u, v] : edges) {
      CHECK(u < v);
      ++degree[u];
      ++degree[v];
    }
    CHECK(std::set(edges.begin(), edges.end()).size() == edges.size());
    CHECK(std::all_of(degree.begin(), degree.end(), [r = r](uint32_t d) { return d == r; }));
    CHECK(reachable(n, edges) == n);
  }
}

TEST_CASE("topo::Jellyfish: degree 2 gives one ring - merged from many cycles") {
  // A random 2-regular graph is a union of cycles (about ln(n)/2 of them), so for n = 500 a
  // construction is almost never a single cycle; the merge step must make it one.
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    const auto edges = random_regular_graph(jellyfish(500, 2, seed));
    CHECK(edges.size() == 500);
    CHECK(reachable(500, edges) == 500);
  }
}

TEST_CASE("topo::Jellyfish: the seed fixes the graph") {
  const auto a = random_regular_graph(jellyfish(40, 6, 7));
  const auto b = random_regular_graph(jellyfish(40, 6, 7));
  const auto c = random_regular_graph(jellyfish(40, 6, 8));
  CHECK(a == b);
  CHECK(a != c);
}

TEST_CASE("topo::Jellyfish: builds hosts on switches and routes every pair") {
  JellyfishParams p = jellyfish(12, 3);
  p.hosts_per_switch = 3;
  const Topology t = build_jellyfish(p);
  // 36 hosts, 12 switches; 36 host links + 12 x 3 / 2 = 18 switch links.
  CHECK(t.num_hosts() == 36);
  CHECK(moesim::test::count_kind(t, VertexKind::Switch) == 12);
  CHECK(t.num_links() == 2 * (36 + 18));
  CHECK(t.link_name(2 * 5) == "host5->sw1");  // host 5 is on switch 5 / 3 = 1
  for (uint32_t v = t.num_hosts(); v < t.num_vertices(); ++v)
    CHECK(t.out_links(v).size() == 3 + 3);  // 3 hosts + 3 switch ports
  CHECK(moesim::test::every_host_pair_reachable(t));
}

TEST_CASE("topo::Jellyfish: rejects bad parameters") {
  JellyfishParams p = jellyfish(10, 3);
  SECTION("zero switches") {
    p.switches = 0;
    REQUIRE_THROWS_WITH(build_jellyfish(p), Contains("--switches") && Contains("'0'"));
  }
  SECTION("degree not below the switch count") {
    p.degree = 10;
    REQUIRE_THROWS_WITH(build_jellyfish(p), Contains("--degree") && Contains("'10'"));
  }
  SECTION("degree 1 with more than two switches") {
    p.degree = 1;
    REQUIRE_THROWS_WITH(build_jellyfish(p), Contains("--degree") && Contains("'1'"));
  }
  SECTION("odd number of ports in all") {
    p.switches = 9;  // 9 x 3 = 27 ports cannot pair up
    REQUIRE_THROWS_WITH(build_jellyfish(p), Contains("--degree") && Contains("'3'"));
  }
  SECTION("zero hosts per switch") {
    p.hosts_per_switch = 0;
    REQUIRE_THROWS_WITH(build_jellyfish(p), Contains("--hosts-per-switch"));
  }
  SECTION("zero attempts") {
    p.max_attempts = 0;
    REQUIRE_THROWS_WITH(build_jellyfish(p), Contains("--max-attempts"));
  }
  SECTION("zero fabric rate") {
    p.fabric_rate = moesim::BitsPerSec{0};
    REQUIRE_THROWS_WITH(build_jellyfish(p), Contains("--fabric-rate"));
  }
  SECTION("negative fabric latency") {
    p.fabric_latency = moesim::TimePs{-1};
    REQUIRE_THROWS_WITH(build_jellyfish(p), Contains("--fabric-latency"));
  }
  REQUIRE_THROWS_AS(build_jellyfish(p), InputError);
}
