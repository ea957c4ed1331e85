// Tests for runtime balancing: capacity formula and dropping/padding (hand-derived cases, token
// conservation, Megatron's routing vector), auxiliary-loss-free bias balancing (update rule
// and convergence on a skewed stream), and replica choice among redundant experts.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>
#include <vector>

#include "sim/core/error.hpp"
#include "sim/core/rng.hpp"
#include "tests/policy_vectors.hpp"
#include "workloads/balance.hpp"

namespace {

using moesim::InputError;
namespace wl = moesim::workload;

double max_over_mean(const std::vector<uint64_t>& load) {
  const double total = std::accumulate(load.begin(), load.end(), 0.0);
  return static_cast<double>(*std::max_element(load.begin(), load.end())) /
         (total / static_cast<double>(load.size()));
}

// Standard normal by Box-Muller on our own uniform stream (no std::*_distribution).
double normal(moesim::Rng& rng) {
  const double u1 = 1.0 - rng.uniform01();  // (0, 1]
  const double u2 = rng.uniform01();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

// 4 GPUs x 2 slots; expert 0 replicated on GPUs 0, 1, 2 (slots 0, 2, 4); expert 1 on GPU0
// (slot 1) and GPU3 (slot 6); experts 2, 3, 4 single.
wl::Placement replicated_placement() {
  return wl::make_placement({{0, 1, 0, 2, 0, 3, 1, 4}}, 5, 4);
}

}  // namespace

TEST_CASE("workload::Capacity: formula on hand-derived cases") {
  // Megatron get_capacity: ceil((T * K / E) * factor).
  CHECK(wl::expert_capacity(128, 2, 16, 1.0) == 16);   // 256 / 16 = 16
  CHECK(wl::expert_capacity(128, 2, 16, 1.25) == 20);  // 16 * 1.25 = 20
  CHECK(wl::expert_capacity(10, 1, 3, 1.0) == 4);      // ceil(3.33)
  CHECK(wl::expert_capacity(100, 2, 8, 0.5) == 13);    // 25 * 0.5 = 12.5 -> 13
  CHECK(wl::expert_capacity(8, 1, 16, 1.0) == 1);      // ceil(0.5)
  CHECK(wl::expert_capacity(8, 1, 16, 1.0, 4) == 4);   // min_capacity wins
  // Float parity with Megatron: 50 * 1.1 = 55.00000000000001 in double -> 56 (not 55).
  CHECK(wl::expert_capacity(100, 1, 2, 1.1) == 56);
  REQUIRE_THROWS_AS(wl::expert_capacity(10, 1, 0, 1.0), InputError);
  REQUIRE_THROWS_AS(wl::expert_capacity(10, 1, 2, 0.0), InputError);
  REQUIRE_THROWS_AS(wl::expert_capacity(10, 1, 2, NAN), InputError);
}

TEST_CASE("workload::Capacity: dropping and padding on a hand-derived case") {
  // 6 tokens, k = 1, 2 experts: C = ceil(6 / 2 * 1.0) = 3. Expert 0 gets slots 0 1 3 4 (one
  // too many), expert 1 gets slots 2 5.
  const std::vector<uint32_t> experts{0, 0, 1, 0, 0, 1};
  const std::vector<double> weights{0.1, 0.9, 0.5, 0.3, 0.8, 0.2};
  wl::CapacityConfig config{wl::CapacityMode::drop, 1.0, wl::DropPolicy::position};
  SECTION("position drops the latest slot") {
    const wl::CapacityResult r = wl::apply_capacity(experts, {}, 1, 2, config);
    CHECK(r.capacity == 3u);
    CHECK(r.kept == std::vector<uint8_t>{1, 1, 1, 1, 0, 1});
    CHECK(r.processed == std::vector<uint64_t>{3, 2});
    CHECK(r.rows == std::vector<uint64_t>{3, 2});
    CHECK(r.num_dropped == 1);
  }
  SECTION("probability drops the lowest weight") {
    // Expert 0 weights 0.1 0.9 0.3 0.8: keep 0.9 0.8 0.3, drop slot 0 (0.1).
    config.drop_policy = wl::DropPolicy::probability;
    const wl::CapacityResult r = wl::apply_capacity(experts, weights, 1, 2, config);
    CHECK(r.kept == std::vector<uint8_t>{0, 1, 1, 1, 1, 1});
  }
  SECTION("probability ties keep the lower token index") {
    config.drop_policy = wl::DropPolicy::probability;
    const std::vector<double> equal(6, 0.5);
    CHECK(wl::apply_capacity(experts, equal, 1, 2, config).kept ==
          std::vector<uint8_t>{1, 1, 1, 1, 0, 1});
  }
  SECTION("pad computes C rows per expert") {
    // Rows 3 and 3: expert 1's 2 real slots plus 1 padding row; 1 slot still dropped.
    config.mode = wl::CapacityMode::pad;
    const wl::CapacityResult r = wl::apply_capacity(experts, {}, 1, 2, config);
    CHECK(r.rows == std::vector<uint64_t>{3, 3});
    CHECK(r.num_padding == 1);
    CHECK(r.num_dropped == 1);
  }
  SECTION("pad to max drops nothing") {
    // max load = 4: rows 4 4, padding 8 - 6 = 2.
    config.mode = wl::CapacityMode::pad_to_max;
    const wl::CapacityResult r = wl::apply_capacity(experts, {}, 1, 2, config);
    CHECK(r.capacity == 4u);
    CHECK(r.rows == std::vector<uint64_t>{4, 4});
    CHECK(r.num_padding == 2);
    CHECK(r.num_dropped == 0);
  }
  SECTION("dropless keeps everything") {
    config.mode = wl::CapacityMode::dropless;
    const wl::CapacityResult r = wl::apply_capacity(experts, {}, 1, 2, config);
    CHECK_FALSE(r.capacity.has_value());
    CHECK(r.num_kept == 6);
    CHECK(r.rows == std::vector<uint64_t>{4, 2});
  }
}

TEST_CASE("workload::Capacity: tokens are conserved in every mode") {
  moesim::Rng rng = moesim::make_stream(3, "capacity-test");
  for (int i = 0; i < 200; ++i) {
    const uint32_t e = 2 + static_cast<uint32_t>(rng.below(15));
    const uint32_t k = 1 + static_cast<uint32_t>(rng.below(std::min<uint32_t>(e, 4)));
    const uint32_t t = 1 + static_cast<uint32_t>(rng.below(200));
    std::vector<uint32_t> experts;
    std::vector<double> weights;
    for (uint32_t s = 0; s < t * k; ++s) {
      // Skewed: half the slots go to expert 0.
      experts.push_back(rng.below(2) == 0 ? 0 : static_cast<uint32_t>(rng.below(e)));
      weights.push_back(rng.uniform01());
    }
    for (const auto mode : {wl::CapacityMode::dropless, wl::CapacityMode::drop,
                            wl::CapacityMode::pad, wl::CapacityMode::pad_to_max}) {
      for (const auto policy : {wl::DropPolicy::position, wl::DropPolicy::probability}) {
        const double factor = 0.5 + rng.uniform01();
        const wl::CapacityResult r =
            wl::apply_capacity(experts, weights, k, e, {mode, factor, policy});
        INFO("case " << i);
        // in = processed + dropped; rows = processed + padding.
        CHECK(r.num_slots == t * k);
        CHECK(r.num_kept + r.num_dropped == r.num_slots);
        CHECK(std::accumulate(r.kept.begin(), r.kept.end(), uint64_t{0}) == r.num_kept);
        CHECK(std::accumulate(r.rows.begin(), r.rows.end(), uint64_t{0}) ==
              r.num_kept + r.num_padding);
        uint64_t excess = 0;
        for (uint32_t x = 0; x < e; ++x) {
          if (r.capacity) CHECK(r.processed[x] <= *r.capacity);
          if (r.capacity) excess += r.load[x] > *r.capacity ? r.load[x] - *r.capacity : 0;
        }
        // Dropping removes exactly the excess over capacity; the other modes drop nothing.
        const bool drops = mode == wl::CapacityMode::drop || mode == wl::CapacityMode::pad;
        CHECK(r.num_dropped == (drops ? excess : 0));
      }
    }
  }
}

TEST_CASE("workload::Capacity: reproduces Megatron token dropping by probability") {
  // routing_test_vectors.json capacity_drop_probs: softmax over all 16 experts, top-2 (not
  // renormalised), C = ceil(128 * 2 / 16 * 1.0) = 16, 30 of 256 slots dropped.
  const auto root = moesim::test::read_policy_vectors("routing_test_vectors.json");
  const auto& v = root.get_child("vectors.capacity_drop_probs");
  const auto logits = moesim::test::matrix_of<double>(v.get_child("logits"));
  const auto want_kept = moesim::test::matrix_of<uint32_t>(v.get_child("kept"));
  const auto k = v.get<uint32_t>("topk");
  const uint32_t num_experts = 16;
  std::vector<double> probs;
  for (const auto& row : logits) {
    const double top = *std::max_element(row.begin(), row.end());
    double sum = 0;
    for (const double x : row)
      sum += std::exp(x - top);
    for (const double x : row)
      probs.push_back(std::exp(x - top) / sum);
  }
  const wl::TopKSelection sel = wl::select_top_k(probs, num_experts, k, {}, false);
  const wl::CapacityResult r = wl::apply_capacity(
      sel.experts, sel.weights, k, num_experts,
      {wl::CapacityMode::drop, v.get<double>("capacity_factor"), wl::DropPolicy::probability});
  CHECK(r.capacity == v.get<uint64_t>("capacity"));
  CHECK(r.num_dropped == v.get<uint64_t>("dropped"));
  size_t tokens_matching = 0;
  for (size_t t = 0; t < logits.size(); ++t) {
    std::vector<uint32_t> kept;
    for (uint32_t j = 0; j < k; ++j) {
      if (r.kept[t * k + j]) kept.push_back(sel.experts[t * k + j]);
    }
    std::sort(kept.begin(), kept.end());
    tokens_matching += kept == want_kept[t];
  }
  CHECK(tokens_matching == 128);
}

TEST_CASE("workload::BiasBalancer: update rule") {
  // counts 3 1 2 2: mean 2 -> sign(mean - c) = -1 +1 0 0.
  wl::BiasBalancer b(4, 0.001);
  b.update(std::vector<uint64_t>{3, 1, 2, 2});
  CHECK(std::vector<double>(b.bias().begin(), b.bias().end()) ==
        std::vector<double>{-0.001, 0.001, 0, 0});
  REQUIRE_THROWS_AS(b.update(std::vector<uint64_t>{1, 2}), InputError);
  REQUIRE_THROWS_AS(wl::BiasBalancer(4, -1.0), InputError);
}

TEST_CASE("workload::BiasBalancer: bias selects but raw scores weigh") {
  // Scores 0.9 0.5 0.4, bias -0.6 0 0: keys 0.3 0.5 0.4 -> experts 1 then 2; weights are the
  // raw scores renormalised: 0.5 / 0.9 and 0.4 / 0.9, times route_scale 2.5.
  const std::vector<double> scores{0.9, 0.5, 0.4};
  const std::vector<double> bias{-0.6, 0, 0};
  const wl::TopKSelection s = wl::select_top_k(scores, 3, 2, bias, true, 2.5);
  CHECK(s.experts == std::vector<uint32_t>{1, 2});
  CHECK(s.weights[0] == Approx(2.5 * 0.5 / 0.9));
  CHECK(s.weights[1] == Approx(2.5 * 0.4 / 0.9));
  // Without bias: experts 0 then 1. Equal keys: lower id first.
  CHECK(wl::select_top_k(scores, 3, 2).experts == std::vector<uint32_t>{0, 1});
  CHECK(wl::select_top_k(std::vector<double>{0.5, 0.7, 0.7}, 3, 1).experts ==
        std::vector<uint32_t>{1});
}

TEST_CASE("workload::BiasBalancer: lowers max over mean on a skewed stream") {
  // 16 experts, top-2, 1024 fresh tokens per step, sigmoid(skew_e + N(0, 0.5^2)) scores with a
  // fixed skew from -1.5 (expert 0) to +1.5 (expert 15). Unbalanced, the hottest experts take
  // most slots (max/mean about 5.5). The scores span sigmoid(-1.5) = 0.18 .. sigmoid(1.5) =
  // 0.82; with u = 0.01 the extremes' biases close that 0.64 gap from both sides (0.32 each)
  // in about 32 steps, after which max/mean sits at the sampling-noise floor of 128 slots per
  // expert (about 1.25; policies.md §1.7: a MaxVio floor of 0.2-0.3).
  const uint32_t num_experts = 16;
  const uint32_t k = 2;
  moesim::Rng rng = moesim::make_stream(11, "alf-test");
  wl::BiasBalancer balancer(num_experts, 0.01);
  std::vector<double> imbalance;
  for (int step = 0; step < 50; ++step) {
    std::vector<double> scores;
    for (uint32_t t = 0; t < 1024; ++t) {
      for (uint32_t e = 0; e < num_experts; ++e) {
        const double skew = -1.5 + 3.0 * e / (num_experts - 1);
        scores.push_back(1.0 / (1.0 + std::exp(-(skew + 0.5 * normal(rng)))));
      }
    }
    const wl::TopKSelection sel = wl::select_top_k(scores, num_experts, k, balancer.bias());
    const std::vector<uint64_t> counts = wl::slot_counts(sel.experts, num_experts);
    imbalance.push_back(max_over_mean(counts));
    balancer.update(counts);
  }
  const double first = imbalance.front();
  const double last10 = std::accumulate(imbalance.end() - 10, imbalance.end(), 0.0) / 10;
  INFO("max/mean first " << first << ", mean of last 10 " << last10);
  CHECK(first > 4.0);
  CHECK(last10 < 1.4);
  // The hottest expert ends with the lowest bias, the coldest with the highest.
  const auto bias = balancer.bias();
  CHECK(std::min_element(bias.begin(), bias.end()) - bias.begin() == num_experts - 1);
  CHECK(std::max_element(bias.begin(), bias.end()) - bias.begin() == 0);
}

TEST_CASE("workload::ReplicaChoice: round-robin least-loaded and nearest") {
  const wl::Placement p = replicated_placement();
  SECTION("round-robin cycles through the replicas in rank order") {
    // Expert 0's replicas are slots 0 2 4 (log2phy order).
    const std::vector<uint32_t> experts(6, 0);
    CHECK(wl::choose_replicas(p, 0, experts, 1, {}, {}, wl::ReplicaPolicy::round_robin) ==
          std::vector<uint32_t>{0, 2, 4, 0, 2, 4});
  }
  SECTION("least-loaded fills the emptiest GPU") {
    // Two slots of expert 2 (GPU1, slot 3) first: GPU loads 0 2 0 0. Then expert 0 (GPUs 0 1 2):
    // GPU0 (slot 0), GPU2 (slot 4), then GPU0 and GPU2 at 1 vs GPU1 at 2 -> slot 0, slot 4.
    const std::vector<uint32_t> experts{2, 2, 0, 0, 0, 0};
    CHECK(wl::choose_replicas(p, 0, experts, 1, {}, {}, wl::ReplicaPolicy::least_loaded) ==
          std::vector<uint32_t>{3, 3, 0, 4, 0, 4});
  }
  SECTION("nearest prefers the same GPU then the same node") {
    // Nodes: GPUs 0 1 -> node 0, GPUs 2 3 -> node 1.
    const std::vector<uint32_t> node_of_gpu{0, 0, 1, 1};
    // (src GPU, expert) -> slot: (1, 0) same GPU slot 2; (3, 0) same node GPU2 slot 4;
    // (1, 1) same node GPU0 slot 1; (2, 1) same node GPU3 slot 6; (0, 3) only slot 5.
    const std::vector<uint32_t> experts{0, 0, 1, 1, 3};
    const std::vector<uint32_t> src{1, 3, 1, 2, 0};
    CHECK(wl::choose_replicas(p, 0, experts, 1, src, node_of_gpu, wl::ReplicaPolicy::nearest) ==
          std::vector<uint32_t>{2, 4, 1, 6, 5});
    // Equally near (GPU3 has no replica of expert 0 and no node map): fewest slots first.
    const std::vector<uint32_t> far(3, 0);
    const std::vector<uint32_t> from3(3, 3);
    CHECK(wl::choose_replicas(p, 0, far, 1, from3, {}, wl::ReplicaPolicy::nearest) ==
          std::vector<uint32_t>{0, 2, 4});
  }
  SECTION("bad inputs") {
    const std::vector<uint32_t> experts{0, 9};
    REQUIRE_THROWS_AS(wl::choose_replicas(p, 0, experts, 1, {}, {}, wl::ReplicaPolicy::round_robin),
                      InputError);
    REQUIRE_THROWS_AS(wl::choose_replicas(p, 1, std::vector<uint32_t>{0}, 1, {}, {},
                                          wl::ReplicaPolicy::round_robin),
                      InputError);
    REQUIRE_THROWS_AS(
        wl::choose_replicas(p, 0, std::vector<uint32_t>{0}, 1, {}, {}, wl::ReplicaPolicy::nearest),
        InputError);
  }
}

TEST_CASE("workload::ReplicaChoice: replicas spread a hot expert") {
  // 1200 slots of expert 0 (3 replicas on GPUs 0 1 2) from sources spread over the 4 GPUs.
  // Using only the first replica would put all 1200 on GPU0; every policy must spread them.
  const wl::Placement p = replicated_placement();
  const std::vector<uint32_t> experts(1200, 0);
  std::vector<uint32_t> src(1200);
  for (uint32_t t = 0; t < 1200; ++t)
    src[t] = t % 4;
  for (const auto policy : {wl::ReplicaPolicy::round_robin, wl::ReplicaPolicy::nearest,
                            wl::ReplicaPolicy::least_loaded}) {
    const std::vector<uint32_t> slots = wl::choose_replicas(p, 0, experts, 1, src, {}, policy);
    std::vector<uint64_t> per_replica(3, 0);
    for (const uint32_t s : slots)
      ++per_replica[s / 2];
    // Round-robin and least-loaded: 400 each. Nearest: 300 local each plus GPU3's 300 spread
    // by fewest-so-far: 400 each as well.
    CHECK(per_replica == std::vector<uint64_t>{400, 400, 400});
  }
}
