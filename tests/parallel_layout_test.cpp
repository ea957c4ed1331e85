// The parallel layout (--tp --pp --dp --ep --rank-order) and expert-parallel groups in the
// MoE pipeline (issue 13 item 1).
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <sstream>
#include <tuple>

#include "cli_util.hpp"
#include "sim/core/error.hpp"
#include "tests/input_error.hpp"
#include "tests/moe_fixtures.hpp"
#include "workloads/moe_pipeline.hpp"
#include "workloads/parallel_layout.hpp"

using namespace moesim;
using namespace moesim::workload;
using Catch::Matchers::Contains;

namespace {

// `n` GPUs in servers of `per` consecutive GPUs.
std::vector<int32_t> servers(uint32_t n, uint32_t per) {
  std::vector<int32_t> s(n);
  for (uint32_t g = 0; g < n; ++g)
    s[g] = static_cast<int32_t>(g / per);
  return s;
}

}  // namespace

TEST_CASE("workload::ParallelLayout: every GPU one coordinate - EP groups partition DP ranks") {
  // T 2 x P 2 x D 4 = 16 GPUs, E 2: D / E = 2 expert-DP groups; 2 x 2 x 2 = 8 EP groups of 2.
  const ParallelLayout l({.tp = 2, .pp = 2, .dp = 4, .ep = 2}, servers(16, 4));
  REQUIRE(l.num_gpus() == 16);
  CHECK(l.num_ep_groups() == 8);
  std::set<std::tuple<uint32_t, uint32_t, uint32_t>> coords;
  for (uint32_t g = 0; g < 16; ++g) {
    const GpuCoord& c = l.coord(g);
    CHECK(c.tp < 2);
    CHECK(c.pp < 2);
    CHECK(c.dp < 4);
    CHECK(c.ep == c.dp % 2);  // EP groups are consecutive DP ranks
    coords.insert({c.tp, c.pp, c.dp});
    CHECK(c.dp_group == c.tp + 2 * c.pp);
  }
  CHECK(coords.size() == 16);  // one GPU per (tp, pp, dp)
  // Default order tp, ep, dp, pp: gpu = tp + 2 (ep + 2 (edp + 2 pp)). GPU 5 = 1 + 2 x 2:
  // tp 1, ep 0, edp 1, pp 0 -> dp = 0 + 2 x 1 = 2.
  CHECK(std::tie(l.coord(5).tp, l.coord(5).ep, l.coord(5).dp, l.coord(5).pp) ==
        std::tuple{1u, 0u, 2u, 0u});
  // The EP groups partition the GPUs; each holds one stage and one TP rank, E distinct EP
  // ranks.
  std::set<uint32_t> seen;
  for (uint32_t grp = 0; grp < l.num_ep_groups(); ++grp) {
    const auto& m = l.ep_group(grp);
    REQUIRE(m.size() == 2);
    for (uint32_t r = 0; r < m.size(); ++r) {
      CHECK(seen.insert(m[r]).second);
      CHECK(l.coord(m[r]).ep == r);
      CHECK(l.coord(m[r]).ep_group == grp);
      CHECK(l.coord(m[r]).pp == l.coord(m[0]).pp);
      CHECK(l.coord(m[r]).tp == l.coord(m[0]).tp);
    }
  }
  CHECK(seen.size() == 16);
}

TEST_CASE("workload::ParallelLayout: the rank order sets the fastest dimension") {
  // Order pp, dp, ep, tp on 8 GPUs, P 2, D 4, E 2: GPU 1 is the next stage of GPU 0.
  const ParallelLayout l(
      {.tp = 1, .pp = 2, .dp = 4, .ep = 2, .order = parse_rank_order({"pp", "dp", "ep", "tp"})},
      servers(8, 1));
  CHECK(l.coord(1).pp == 1);
  CHECK(l.coord(1).dp == 0);
  // GPU 2: pp 0, edp 1 -> dp = ep 0 + 2 x 1 = 2; GPU 4: ep 1 -> dp 1.
  CHECK(l.coord(2).dp == 2);
  CHECK(l.coord(4).dp == 1);
}

TEST_CASE("workload::ParallelLayout: bad layouts are refused naming the option") {
  using test::input_error;
  // 2 x 1 x 3 = 6 != 8.
  CHECK_THAT(input_error([] { ParallelLayout({.tp = 2, .dp = 3}, servers(8, 2)); }),
             Contains("2 x 1 x 3 = 6 to equal the 8 GPUs"));
  CHECK_THAT(input_error([] { ParallelLayout({.dp = 8, .ep = 3}, servers(8, 1)); }),
             Contains("a divisor of --dp 8"));
  // TP 4 over servers of 2 GPUs: a TP group would span two servers.
  CHECK_THAT(input_error([] { ParallelLayout({.tp = 4}, servers(8, 2)); }),
             Contains("TP groups inside one server"));
  // TP 2 with dp fastest: GPUs 0 and 1 are DP peers, the TP pair (0, 4) crosses servers.
  CHECK_THAT(input_error([] {
               ParallelLayout({.tp = 2, .order = parse_rank_order({"dp", "ep", "tp", "pp"})},
                              servers(8, 2));
             }),
             Contains("TP groups inside one server"));
  CHECK_THROWS_AS(parse_rank_order({"tp", "tp", "dp", "pp"}), InputError);
  CHECK_THROWS_AS(parse_rank_order({"tp", "ep", "dp"}), InputError);
  // Within servers it is accepted.
  CHECK_NOTHROW(ParallelLayout({.tp = 2}, servers(8, 2)));
}

TEST_CASE("workload::route_ep_groups: dispatch stays inside each EP group") {
  MoeSpec s = test::tiny_mixtral(2, 1, 3, 32);
  s.placement = "contiguous";
  const std::vector<uint32_t> leaves(8, 0);
  // 8 GPUs in 2 EP groups of 4 (8 experts: 2 per GPU).
  const ParallelLayout two({.dp = 8, .ep = 4}, servers(8, 1));
  const MoeLayers l = route_ep_groups(s, two, leaves);
  REQUIRE(l.traffic.size() == 2);
  for (size_t i = 0; i < l.traffic.size(); ++i) {
    for (uint32_t a = 0; a < 8; ++a) {
      for (uint32_t b = 0; b < 8; ++b) {
        if (two.coord(a).ep_group != two.coord(b).ep_group) CHECK(l.traffic[i].at(a, b) == 0);
      }
    }
    // Each group routes 32 tokens per GPU x 4 GPUs = 128 tokens: 256 in all, 512 slots.
    CHECK(l.stats[i].tokens == 256);
    CHECK(l.stats[i].slots == 512);
    uint64_t rows = 0;
    for (const auto& g : l.traffic[i].expert_rows)
      for (const uint64_t r : g)
        rows += r;
    CHECK(rows == 512);  // dropless: every slot computed once
  }
  // The groups draw different tokens (seeded per group): their traffic blocks differ.
  bool differ = false;
  for (uint32_t a = 0; a < 4; ++a)
    for (uint32_t b = 0; b < 4; ++b)
      differ = differ || l.traffic[0].at(a, b) != l.traffic[0].at(4 + a, 4 + b);
  CHECK(differ);
  // One group over every GPU is exactly route_trace.
  const ParallelLayout one({}, servers(8, 1));
  const MoeLayers a = route_ep_groups(s, one, leaves);
  const MoeLayers b = route_trace(s, 8, leaves, trace_source(s, 8));
  CHECK(a.traffic[1].tokens == b.traffic[1].tokens);
}

TEST_CASE("cli::run: --ep writes layout.csv and a bad layout exits 2 with nothing written") {
  test::TempDir dir;
  const std::string base =
      "run --workload moe --moe-layers 1 --tokens-per-gpu 16 --leaves 2 --hosts-per-leaf 4 "
      "--spines 2 --model analytic --transport ecmp ";
  REQUIRE(test::run_moesim(dir, base + "--ep 4 --out o") == 0);
  CHECK_THAT(test::slurp(dir.path / "stdout.txt"),
             Contains("layout: TP 1 x PP 1 x DP 8 (EP 4: 2 expert-parallel groups)"));
  const std::string csv = test::slurp(dir.path / "o" / "layout.csv");
  CHECK(csv.rfind("gpu,server,leaf,tp,pp,dp,ep,ep_group,dp_group\n", 0) == 0);
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 9);  // header + 8 GPUs
  for (const std::string bad : {"--dp 3", "--ep 3", "--tp 2", "--rank-order tp,dp"}) {
    INFO(bad);
    CHECK(test::run_moesim(dir, base + bad + " --out b") == 2);
    CHECK(!test::fs::exists(dir.path / "b"));
  }
}
