// Tests for LLEP least-loaded assignment: the upstream vectors (plan, per-GPU loads and weight
// transfers exactly, in order), the capacity rule, plan invariants on random inputs, the
// paper's 95:1 example, the mapping of chunks onto source ranks, and input errors.
#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "sim/core/error.hpp"
#include "sim/core/rng.hpp"
#include "tests/policy_vectors.hpp"
#include "workloads/llep.hpp"
#include "workloads/policy_csv.hpp"

namespace {

using Catch::Matchers::Contains;
using moesim::InputError;
namespace wl = moesim::workload;

// Invariants of any plan: chunks of each expert tile [0, count) in order, loads add up, every
// chunk off the native GPU has its weight transfer, and only forced GPUs exceed the cap.
void check_plan_invariants(const wl::LlepPlan& plan, const wl::LlepConfig& c) {
  const uint64_t total = std::accumulate(plan.counts.begin(), plan.counts.end(), uint64_t{0});
  std::vector<uint64_t> loads(c.num_gpus, 0);
  std::vector<wl::WeightTransfer> transfers;
  for (uint32_t e = 0; e < plan.counts.size(); ++e) {
    uint64_t next = 0;
    for (const wl::LlepAssignment& a : plan.chunks_of(e)) {
      CHECK(a.start == next);
      CHECK(a.end > a.start);
      next = a.end;
      loads[a.gpu] += a.end - a.start;
    }
    CHECK(next == plan.counts[e]);
  }
  for (const wl::LlepAssignment& a : plan.assignments) {
    if (a.gpu != a.expert / c.local_experts)
      transfers.push_back({a.expert, a.expert / c.local_experts, a.gpu, a.start, a.end});
  }
  CHECK(loads == plan.gpu_loads);
  CHECK(std::accumulate(loads.begin(), loads.end(), uint64_t{0}) == total);
  CHECK(transfers == plan.transfers);
  for (uint32_t g = 0; g < c.num_gpus; ++g) {
    const bool forced =
        std::find(plan.forced_gpus.begin(), plan.forced_gpus.end(), g) != plan.forced_gpus.end();
    if (!forced) CHECK(loads[g] <= plan.capacity);
  }
}

}  // namespace

TEST_CASE("workload::LLEP: reproduces the upstream test vectors") {
  const auto root = moesim::test::read_policy_vectors("llep_lla_test_vectors.json");
  int cases = 0;
  int exact = 0;
  int over_cap = 0;
  for (const auto& [key, c] : root.get_child("cases")) {
    INFO("case " << cases);
    const auto counts = moesim::test::array_of<uint64_t>(c.get_child("counts"));
    const wl::LlepConfig config{c.get<uint32_t>("ep_size"), c.get<uint32_t>("num_local_experts"),
                                c.get<double>("alpha"), c.get<uint64_t>("min_tokens_per_gemm")};
    // The plan object's keys are in creation order, so flattening it gives our assignment list.
    std::vector<wl::LlepAssignment> want_plan;
    for (const auto& [expert, chunks] : c.get_child("plan")) {
      for (const auto& row : moesim::test::matrix_of<uint64_t>(chunks)) {
        want_plan.push_back({static_cast<uint32_t>(std::stoul(expert)),
                             static_cast<uint32_t>(row[0]), row[1], row[2]});
      }
    }
    const auto want_loads = moesim::test::array_of<uint64_t>(c.get_child("gpu_loads"));
    std::vector<wl::WeightTransfer> want_transfers;
    for (const auto& t : moesim::test::matrix_of<uint64_t>(c.get_child("weight_transfers"))) {
      want_transfers.push_back({static_cast<uint32_t>(t[0]), static_cast<uint32_t>(t[1]),
                                static_cast<uint32_t>(t[2]), t[3], t[4]});
    }

    const wl::LlepPlan plan = wl::llep_plan(counts, config);
    CHECK(plan.assignments == want_plan);
    CHECK(plan.gpu_loads == want_loads);
    CHECK(plan.transfers == want_transfers);
    if (plan.assignments == want_plan && plan.gpu_loads == want_loads &&
        plan.transfers == want_transfers) {
      ++exact;
    }
    check_plan_invariants(plan, config);
    if (*std::max_element(want_loads.begin(), want_loads.end()) > plan.capacity) ++over_cap;
    ++cases;
  }
  CHECK(cases == 40);
  CHECK(exact == 40);
  // The vectors' README: in 11 of the 40 cases one GPU ends above the cap (forced assignment).
  CHECK(over_cap == 11);
}

TEST_CASE("workload::LLEP: hand-derived plan and source-rank mapping") {
  // E = 4, P = 2, M = 2, counts 12 2 3 3: total 20, balanced 10, cap = int(1.0 * 10) = 10.
  // Native loads: GPU0 = 14, GPU1 = 6. Order: e0 (12), e2 (3), e3 (3), e1 (2).
  // e0: pending0 = 2, avail = 10 - 2 = 8 -> GPU0 [0, 8); rest 4 -> GPU1 (eff 6, room 4) [8, 12).
  // e2: avail = 10 - (4 + 3) = 3 -> whole on GPU1. e3: avail = 10 - 7 = 3 -> GPU1.
  // e1: avail = 10 - 8 = 2 -> GPU0. Loads 10 10; one transfer (e0, 0 -> 1, [8, 12)).
  const wl::LlepConfig config{2, 2, 1.0, 1};
  const std::vector<uint64_t> counts{12, 2, 3, 3};
  const wl::LlepPlan plan = wl::llep_plan(counts, config);
  CHECK(plan.capacity == 10);
  CHECK(plan.assignments ==
        std::vector<wl::LlepAssignment>{
            {0, 0, 0, 8}, {0, 1, 8, 12}, {2, 1, 0, 3}, {3, 1, 0, 3}, {1, 0, 0, 2}});
  CHECK(plan.gpu_loads == std::vector<uint64_t>{10, 10});
  CHECK(plan.transfers == std::vector<wl::WeightTransfer>{{0, 0, 1, 8, 12}});

  // Rank 0 sends 5 slots of e0 and rank 1 sends 7, so e0's global order is rank 0's [0, 5) then
  // rank 1's [5, 12): GPU0's [0, 8) takes rank 0's 5 and rank 1's first 3; GPU1's [8, 12) takes
  // rank 1's last 4. The other experts stay native.
  const std::vector<std::vector<uint64_t>> by_rank{{5, 2, 0, 3}, {7, 0, 3, 0}};
  const std::vector<wl::TokenMove> moves = wl::llep_token_moves(plan, by_rank);
  CHECK(moves ==
        std::vector<wl::TokenMove>{
            {0, 0, 0, 5}, {0, 1, 0, 3}, {0, 1, 1, 4}, {2, 1, 1, 3}, {3, 0, 1, 3}, {1, 0, 0, 2}});

  // The same per slot, k = 1. Tokens 0..11 choose e0 from ranks 1 0 1 0 1 0 1 0 1 0 1 1;
  // then rank 0 sends e1 x2 and e3 x3, rank 1 sends e2 x3 (matching by_rank above).
  std::vector<uint32_t> experts;
  std::vector<uint32_t> src;
  for (uint32_t t = 0; t < 12; ++t) {
    experts.push_back(0);
    src.push_back(t < 10 && t % 2 == 1 ? 0 : 1);
  }
  for (const auto& [e, r, n] : {std::tuple{1u, 0u, 2}, {3u, 0u, 3}, {2u, 1u, 3}}) {
    for (int i = 0; i < n; ++i) {
      experts.push_back(e);
      src.push_back(r);
    }
  }
  const std::vector<uint32_t> dst = wl::llep_dispatch(plan, experts, 1, src, 2);
  // Rank 0's e0 slots are ordinals 0..4 -> GPU0. Rank 1's are ordinals 5..11 in token order:
  // tokens 0, 2, 4 (ordinals 5..7) -> GPU0; tokens 6, 8, 10, 11 (8..11) -> GPU1.
  // e1 -> GPU0, e3 -> GPU1, e2 -> GPU1 (native, unsplit).
  const std::vector<uint32_t> want{0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1};
  CHECK(dst == want);
  // Per-slot destinations aggregate to the same moves.
  std::vector<std::vector<uint64_t>> sent(2, std::vector<uint64_t>(2, 0));
  for (size_t i = 0; i < dst.size(); ++i)
    ++sent[src[i]][dst[i]];
  CHECK(sent == std::vector<std::vector<uint64_t>>{{5 + 2, 3}, {3, 4 + 3}});
  // A token list whose per-expert totals differ from the plan's counts is rejected.
  experts.pop_back();
  src.pop_back();
  CHECK_THROWS_AS(wl::llep_dispatch(plan, experts, 1, src, 2), InputError);
}

TEST_CASE("workload::LLEP: capacity rule") {
  // cap = int(alpha * (total // P)): counts 10 10 10 11 on P = 4 -> 41 // 4 = 10; alpha 1.3 -> 13.
  CHECK(wl::llep_plan(std::vector<uint64_t>{10, 10, 10, 11}, {4, 1, 1.3, 1}).capacity == 13);
  // int() truncates: 1.1 * 10 = 11.0 -> 11; 1.05 * 10 = 10.5 -> 10.
  CHECK(wl::llep_plan(std::vector<uint64_t>{10, 10, 10, 11}, {4, 1, 1.1, 1}).capacity == 11);
  CHECK(wl::llep_plan(std::vector<uint64_t>{10, 10, 10, 11}, {4, 1, 1.05, 1}).capacity == 10);
  // total 1 on 4 GPUs: total // P = 0, so cap = total = 1 and nothing moves.
  const wl::LlepPlan tiny = wl::llep_plan(std::vector<uint64_t>{0, 0, 1, 0}, {4, 1, 1.0, 1});
  CHECK(tiny.capacity == 1);
  CHECK(tiny.assignments == std::vector<wl::LlepAssignment>{{2, 2, 0, 1}});
  // All zero: cap = max(0, 1) = 1, empty plan.
  const wl::LlepPlan none = wl::llep_plan(std::vector<uint64_t>(4, 0), {2, 2, 1.0, 1});
  CHECK(none.capacity == 1);
  CHECK(none.assignments.empty());
  CHECK(none.gpu_loads == std::vector<uint64_t>{0, 0});
}

TEST_CASE("workload::LLEP: paper example with 95 percent of tokens on one expert") {
  // reference/policies.md §3.1: 32768 tokens, top-4, 128 experts, 8 GPUs, "95:1": the first
  // floor(0.95 * 32768) = 31129 tokens send all 4 slots to expert 0 (124516 slots); the other
  // 1639 tokens go round-robin over the 127 cold experts. 131072 slots / 8 = 16384 = cap, so
  // every GPU ends at exactly 16384, with expert 0 spilled to the 7 other GPUs.
  std::vector<uint64_t> counts(128, 0);
  counts[0] = 4 * 31129;
  for (uint32_t t = 31129; t < 32768; ++t) {
    for (uint32_t k = 0; k < 4; ++k)
      ++counts[1 + (t + k) % 127];
  }
  const wl::LlepConfig config{8, 16, 1.0, 1024};
  const wl::LlepPlan plan = wl::llep_plan(counts, config);
  CHECK(plan.gpu_loads == std::vector<uint64_t>(8, 16384));
  CHECK(plan.transfers.size() == 7);
  CHECK(plan.forced_gpus.empty());
  // Before: GPU0 holds 124516 + its 15 cold experts; max / mean = 7.65 per the reference.
  CHECK(wl::llep_should_rebalance(counts, config, 1.3));
  check_plan_invariants(plan, config);
}

TEST_CASE("workload::LLEP: only forced GPUs exceed the cap on random inputs") {
  // Skewed random counts (a few hot experts over a light background) for many shapes; the
  // invariants must hold for every alpha and minimum chunk.
  moesim::Rng rng = moesim::make_stream(7, "llep-test");
  int forced_cases = 0;
  for (int i = 0; i < 400; ++i) {
    const uint32_t p = 1u << rng.below(5);  // 1..16 GPUs
    const uint32_t m = 1u << rng.below(4);  // 1..8 local experts
    const double alpha = std::vector<double>{1.0, 1.1, 1.3, 2.0}[rng.below(4)];
    const uint64_t min_chunk = std::vector<uint64_t>{1, 64, 1024}[rng.below(3)];
    std::vector<uint64_t> counts(p * m);
    for (auto& c : counts)
      c = rng.below(300);
    for (uint64_t h = rng.below(3) + 1; h > 0; --h)
      counts[rng.below(counts.size())] += 5000 + rng.below(55000);
    const wl::LlepConfig config{p, m, alpha, min_chunk};
    INFO("case " << i);
    const wl::LlepPlan plan = wl::llep_plan(counts, config);
    check_plan_invariants(plan, config);
    if (!plan.forced_gpus.empty()) ++forced_cases;
  }
  // With m = 1024 some remainders have no GPU with room for a full chunk: forcing happens.
  CHECK(forced_cases > 0);
}

TEST_CASE("workload::LLEP: adaptive skip and native plan") {
  const wl::LlepConfig config{2, 2, 1.0, 1};
  // Native loads 96 and 4: max / mean = 96 / 50 = 1.92 >= 1.3; 50 50 -> 1.0 < 1.3.
  CHECK(wl::llep_should_rebalance(std::vector<uint64_t>{95, 1, 2, 2}, config, 1.3));
  CHECK_FALSE(wl::llep_should_rebalance(std::vector<uint64_t>{25, 25, 25, 25}, config, 1.3));
  CHECK_FALSE(wl::llep_should_rebalance(std::vector<uint64_t>(4, 0), config, 1.3));
  const wl::LlepPlan plan = wl::native_plan(std::vector<uint64_t>{95, 1, 0, 2}, config);
  CHECK(plan.assignments ==
        std::vector<wl::LlepAssignment>{{0, 0, 0, 95}, {1, 0, 0, 1}, {3, 1, 0, 2}});
  CHECK(plan.gpu_loads == std::vector<uint64_t>{96, 2});
  CHECK(plan.transfers.empty());
}

TEST_CASE("workload::LLEP: rejects bad configurations") {
  const std::vector<uint64_t> counts{1, 2, 3, 4};
  SECTION("count list not gpus x local experts") {
    REQUIRE_THROWS_AS(wl::llep_plan(counts, {3, 1, 1.0, 1}), InputError);
  }
  SECTION("zero gpus") {
    REQUIRE_THROWS_AS(wl::llep_plan(counts, {0, 4, 1.0, 1}), InputError);
  }
  SECTION("zero local experts") {
    REQUIRE_THROWS_AS(wl::llep_plan(counts, {4, 0, 1.0, 1}), InputError);
  }
  SECTION("non-positive alpha") {
    REQUIRE_THROWS_AS(wl::llep_plan(counts, {4, 1, 0.0, 1}), InputError);
  }
  SECTION("per-rank counts that disagree with the plan") {
    const wl::LlepPlan plan = wl::llep_plan(counts, {2, 2, 1.0, 1});
    REQUIRE_THROWS_AS(wl::llep_token_moves(plan, {{1, 2, 3, 3}}), InputError);
  }
}

TEST_CASE("workload::LlepCsv: writes plan rows in assignment order") {
  // The hand-derived plan above: e0 [0, 8) on GPU0 and [8, 12) on GPU1, then e2, e3, e1.
  std::ostringstream out;
  wl::write_llep_plan_csv(out, wl::llep_plan(std::vector<uint64_t>{12, 2, 3, 3}, {2, 2, 1.0, 1}));
  CHECK(out.str() ==
        "expert,gpu,token_start,token_end\n0,0,0,8\n0,1,8,12\n2,1,0,3\n3,1,0,3\n1,0,0,2\n");
}

TEST_CASE("workload::LlepCsv: reads expert counts strictly") {
  const auto read = [](const std::string& text) {
    std::istringstream in(text);
    return wl::read_expert_counts_csv(in, "counts.csv");
  };
  CHECK(read("expert,count\n2,30\n0,10\n# note\n1,0\n") == std::vector<uint64_t>{10, 0, 30});
  SECTION("wrong header") {
    REQUIRE_THROWS_WITH(read("expert,load\n0,1\n"),
                        Contains("counts.csv:1: header 'expert,load': expected 'expert,count'"));
  }
  SECTION("fractional count") {
    REQUIRE_THROWS_WITH(read("expert,count\n0,1.5\n"),
                        Contains("counts.csv:2: field count: value '1.5'"));
  }
  SECTION("negative count") {
    REQUIRE_THROWS_WITH(read("expert,count\n0,-3\n"), Contains("value '-3'"));
  }
  SECTION("repeated expert") {
    REQUIRE_THROWS_WITH(read("expert,count\n0,1\n0,2\n"),
                        Contains("counts.csv:3: expert 0 repeated (first at line 2)"));
  }
  SECTION("gap in expert ids") {
    REQUIRE_THROWS_WITH(read("expert,count\n0,1\n2,2\n"), Contains("no row for expert 1"));
  }
  SECTION("extra field") {
    REQUIRE_THROWS_WITH(read("expert,count\n0,1,2\n"), Contains("counts.csv:2: 3 fields"));
  }
}
