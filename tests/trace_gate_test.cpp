// Tests for the gate functions (softmax top-k; DeepSeek-V3 sigmoid + bias + group-limited
// top-k) on hand-made logits, and for the samplers behind the generators (Gamma, normal,
// Dirichlet) by their first two moments.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "sim/core/rng.hpp"
#include "workloads/trace_gate.hpp"
#include "workloads/trace_sampling.hpp"

namespace {

namespace wl = moesim::workload;

}  // namespace

TEST_CASE("workload::Trace: softmax top-k orders ties by index and renormalises") {
  std::vector<uint32_t> idx;
  std::vector<double> w;
  // Logits 1, 3, 2, 3: the two 3s tie, lower index first; equal logits give equal weights.
  wl::softmax_topk(std::vector<double>{1, 3, 2, 3}, 2, idx, w);
  REQUIRE(idx == std::vector<uint32_t>{1, 3});
  REQUIRE(w[0] == Approx(0.5));
  // Logits 0 and ln 3: softmax over the pair = 3/4, 1/4.
  wl::softmax_topk(std::vector<double>{0, std::log(3.0), -5}, 2, idx, w);
  REQUIRE(idx == std::vector<uint32_t>{1, 0});
  REQUIRE(w[0] == Approx(0.75));
  REQUIRE(w[1] == Approx(0.25));
}

TEST_CASE("workload::Trace: group-limited routing keeps the groups with the best top-2 sum") {
  // 8 experts in 4 groups of 2; keep 2 groups; top-3. Scores are sigmoid(logit); logits are
  // chosen through their sigmoid: s(x) = 1 / (1 + e^-x).
  //   group 0 = {0.95, 0.05}: sum 1.00 (has the single best expert)
  //   group 1 = {0.80, 0.70}: sum 1.50
  //   group 2 = {0.75, 0.74}: sum 1.49
  //   group 3 = {0.10, 0.10}: sum 0.20
  // Plain top-3 would take 0.95 (group 0), 0.80, 0.75 (groups 1, 2). Group-limited keeps groups
  // 1 and 2 (largest top-2 sums), then the top-3 inside them: experts 2 (0.80), 4 (0.75),
  // 5 (0.74). With group score = max (m = 1) groups 0 and 1 would win instead.
  const auto logit = [](double s) { return std::log(s / (1 - s)); };
  std::vector<double> logits;
  for (const double s : {0.95, 0.05, 0.80, 0.70, 0.75, 0.74, 0.10, 0.10})
    logits.push_back(logit(s));
  wl::GroupLimitedParams p{4, 2, 2, 1.0};
  std::vector<uint32_t> idx;
  std::vector<double> w;
  wl::sigmoid_group_limited_topk(logits, {}, 3, p, idx, w);
  REQUIRE(idx == std::vector<uint32_t>{2, 4, 5});
  // Weights: unbiased scores over their sum, times route_scale 1: 0.80 / 2.29 etc.
  REQUIRE(w[0] == Approx(0.80 / 2.29));
  REQUIRE(w[2] == Approx(0.74 / 2.29));

  p.group_score_top = 1;
  wl::sigmoid_group_limited_topk(logits, {}, 3, p, idx, w);
  REQUIRE(idx == std::vector<uint32_t>{0, 2, 3});

  // A bias steers selection but not the weights: +0.5 on expert 7 lifts group 3 to 0.6 + 0.1;
  // still below groups 1 and 2, so the choice is unchanged with m = 2.
  p.group_score_top = 2;
  std::vector<double> bias(8, 0.0);
  bias[7] = 0.5;
  wl::sigmoid_group_limited_topk(logits, bias, 3, p, idx, w);
  REQUIRE(idx == std::vector<uint32_t>{2, 4, 5});
}

TEST_CASE("workload::Trace: samplers match their first two moments") {
  moesim::Rng rng = moesim::make_stream(7, "test");
  constexpr int kN = 200000;
  // Gamma(a): mean a, variance a; the sample mean has sd sqrt(a / N). Allow 5 sd.
  for (const double a : {0.3, 1.0, 4.0}) {
    double sum = 0, sum_sq = 0;
    for (int i = 0; i < kN; ++i) {
      const double x = wl::sample_gamma(rng, a);
      sum += x;
      sum_sq += x * x;
    }
    const double mean = sum / kN;
    REQUIRE(std::abs(mean - a) < 5 * std::sqrt(a / kN));
    REQUIRE(sum_sq / kN - mean * mean == Approx(a).epsilon(0.05));
  }
  // Normal, one at a time and in polar pairs: mean 0 (sd of the mean 1/sqrt(N) = 0.0022),
  // variance 1; the two values of a pair are uncorrelated.
  std::vector<double> pairs(kN);
  wl::sample_normals(rng, pairs);
  double sum = 0, sum_sq = 0, pair_sum = 0, pair_sq = 0, cross = 0;
  for (int i = 0; i < kN; ++i) {
    const double x = wl::sample_normal(rng);
    sum += x;
    sum_sq += x * x;
    pair_sum += pairs[i];
    pair_sq += pairs[i] * pairs[i];
    if (i % 2) cross += pairs[i] * pairs[i - 1];
  }
  REQUIRE(std::abs(sum / kN) < 5 / std::sqrt(kN));
  REQUIRE(sum_sq / kN == Approx(1.0).epsilon(0.02));
  REQUIRE(std::abs(pair_sum / kN) < 5 / std::sqrt(kN));
  REQUIRE(pair_sq / kN == Approx(1.0).epsilon(0.02));
  REQUIRE(std::abs(cross / (kN / 2)) < 5 / std::sqrt(kN / 2));
  // Dirichlet(alpha) of dimension n sums to 1.
  const auto p = wl::sample_dirichlet(rng, 16, 0.05);
  double total = 0;
  for (const double x : p)
    total += x;
  REQUIRE(total == Approx(1.0));
}
