// Tests for the synthetic trace generators: Zipf s = 0 is uniform within binomial noise, skew
// grows with s, hot sets differ per layer, temporal locality matches its closed form, drift
// reshuffles popularity, determinism per seed, distinct top-k, and group-limited generation
// stays within its groups; ALF bias balancing evens loads over iterations. Gate functions and
// samplers: trace_gate_test.cpp.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <set>
#include <vector>

#include "sim/core/error.hpp"
#include "workloads/trace_gen.hpp"
#include "workloads/trace_stats.hpp"

namespace {

namespace wl = moesim::workload;

// One layer, one iteration, the sampling router without locality.
wl::TraceGenSpec one_layer(uint32_t experts, uint32_t k, uint32_t tokens, double zipf_s) {
  wl::TraceGenSpec s;
  s.num_experts = experts;
  s.top_k = k;
  s.num_layers = 1;
  s.tokens_per_batch = tokens;
  s.zipf_s = zipf_s;
  s.locality = 0;
  return s;
}

double max_over_mean(const std::vector<uint64_t>& c) {
  double sum = 0;
  for (const uint64_t x : c)
    sum += static_cast<double>(x);
  return static_cast<double>(*std::max_element(c.begin(), c.end())) / (sum / c.size());
}

bool all_distinct(const wl::Batch& b) {
  for (size_t t = 0; t < b.num_tokens(); ++t) {
    const auto e = b.experts_of(t);
    if (std::set<uint32_t>(e.begin(), e.end()).size() != e.size()) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("workload::Trace: Zipf with s = 0 is uniform within binomial noise") {
  // 16 experts, top-4, 20,000 tokens. Under uniform popularity a token includes a given expert
  // with probability k/E = 1/4 independently of other tokens, so each count is
  // Binomial(20000, 1/4): mean 5000, sd sqrt(20000 * 0.25 * 0.75) = 61.2. Allow 5 sd = 306.
  for (const wl::TracePopularity pop :
       {wl::TracePopularity::kZipf, wl::TracePopularity::kUniform}) {
    wl::TraceGenSpec s = one_layer(16, 4, 20000, 0.0);
    s.popularity = pop;
    const wl::Trace t = wl::generate_trace(s);
    const auto counts = wl::count_experts(t.batches[0], 16).counts;
    for (const uint64_t c : counts)
      REQUIRE(std::abs(static_cast<double>(c) - 5000.0) < 306.0);
  }
}

TEST_CASE("workload::Trace: Zipf top-1 loads follow the Zipf table and grow with s") {
  // k = 1, 32 experts, s = 1: the hottest expert has p = 1/H_32 with H_32 = 4.0585, so
  // max/mean -> 32 / 4.0585 = 7.885. With 50,000 tokens its count has sd
  // sqrt(50000 * 0.2464 * 0.7536) = 96.4 tokens = 0.062 in max/mean units (mean 1562.5); 5 sd
  // = 0.31. (The second expert, p = 0.123, is far below.)
  const wl::Trace t = wl::generate_trace(one_layer(32, 1, 50000, 1.0));
  REQUIRE(std::abs(max_over_mean(wl::count_experts(t.batches[0], 32).counts) - 7.885) < 0.31);

  // Top-8 of 64: more skew for larger s.
  double previous = 0;
  for (const double s : {0.0, 0.5, 1.0, 1.5}) {
    const wl::Trace z = wl::generate_trace(one_layer(64, 8, 20000, s));
    const double mm = max_over_mean(wl::count_experts(z.batches[0], 64).counts);
    REQUIRE(mm > previous);
    previous = mm;
  }
}

TEST_CASE("workload::Trace: every layer has its own hot experts") {
  // 8 layers, 64 experts, s = 1: each layer's hottest expert is its permutation's rank 0. With
  // one shared permutation all 8 would agree; independent uniform permutations give on average
  // 64 (1 - (63/64)^8) = 7.6 distinct hottest experts.
  wl::TraceGenSpec s = one_layer(64, 8, 4000, 1.0);
  s.num_layers = 8;
  const wl::Trace t = wl::generate_trace(s);
  std::set<uint32_t> hottest;
  for (const wl::Batch& b : t.batches) {
    const auto c = wl::count_experts(b, 64).counts;
    hottest.insert(static_cast<uint32_t>(std::max_element(c.begin(), c.end()) - c.begin()));
  }
  REQUIRE(hottest.size() >= 5);
}

TEST_CASE("workload::Trace: temporal locality p gives repeat rate p + (1 - p) sum of p_e squared") {
  // The top-1 chain keeps the previous expert with probability p, otherwise draws from the
  // popularity p_e; its stationary law is p_e, so P(repeat) = p + (1 - p) sum_e p_e^2. Under
  // uniform popularity sum_e p_e^2 = 1/E and whether a token repeats does not depend on the
  // past, so repeats are Bernoulli: E = 8, p = 0.3 -> 0.3 + 0.7/8 = 0.3875, sd over 39,999
  // pairs sqrt(0.3875 * 0.6125 / 39999) = 0.0024; allow 5 sd = 0.012.
  wl::TraceGenSpec s = one_layer(8, 2, 40000, 0.0);
  s.locality = 0.3;
  wl::TraceStats st = wl::compute_stats(wl::generate_trace(s));
  REQUIRE(st.layers[0].locality_pairs == 39999);
  REQUIRE(std::abs(*st.layers[0].locality - 0.3875) < 0.012);

  // Zipf popularity (s = 1, 8 experts): the same formula with the generator's own p_e. Repeats
  // are then correlated through the chain; the tolerance is widened to 0.02.
  s.zipf_s = 1.0;
  wl::TraceGenerator gen(s);
  st = wl::compute_stats(gen);
  double sum_sq = 0;
  for (const double p : gen.expert_probabilities(0))
    sum_sq += p * p;
  REQUIRE(std::abs(*st.layers[0].locality - (0.3 + 0.7 * sum_sq)) < 0.02);
}

TEST_CASE("workload::Trace: drift reshuffles popularity across iterations") {
  wl::TraceGenSpec s = one_layer(32, 2, 10, 1.0);
  s.num_iterations = 6;
  const auto probabilities_per_iteration = [&](double drift) {
    s.drift = drift;
    wl::TraceGenerator gen(s);
    std::vector<std::vector<double>> out;
    wl::Batch b;
    while (gen.next(b))
      out.push_back(gen.expert_probabilities(0));
    return out;
  };
  const auto fixed = probabilities_per_iteration(0.0);
  REQUIRE(fixed.size() == 6);
  for (const auto& p : fixed)
    REQUIRE(p == fixed[0]);
  const auto drifting = probabilities_per_iteration(0.5);
  for (size_t i = 1; i < drifting.size(); ++i) {
    REQUIRE(drifting[i] != drifting[i - 1]);
    // A reshuffle permutes the experts: the sorted popularity profile is unchanged (up to
    // the rounding of renormalising in another order).
    auto a = drifting[i], b = fixed[0];
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    for (size_t e = 0; e < a.size(); ++e)
      REQUIRE(a[e] == Approx(b[e]).epsilon(1e-12));
  }
}

TEST_CASE("workload::Trace: generators are deterministic per seed and pick distinct experts") {
  std::vector<wl::TraceGenSpec> specs = {wl::mixtral_8x7b_spec(), wl::olmoe_1b_7b_spec(),
                                         wl::switch_base_128_spec(), wl::deepseek_v3_spec()};
  wl::TraceGenSpec softmax = wl::mixtral_8x7b_spec();
  softmax.router = wl::TraceRouter::kSoftmax;
  softmax.locality = 0;
  specs.push_back(softmax);
  wl::TraceGenSpec dirichlet = wl::olmoe_1b_7b_spec();
  dirichlet.popularity = wl::TracePopularity::kDirichlet;
  dirichlet.dirichlet_alpha = 0.01;  // nearly all mass on one expert: the exact-scan fallback
  specs.push_back(dirichlet);
  for (wl::TraceGenSpec s : specs) {
    s.num_layers = 3;
    s.num_iterations = 2;
    s.tokens_per_batch = 300;
    s.drift = 0.1;
    const wl::Trace a = wl::generate_trace(s);
    REQUIRE(a == wl::generate_trace(s));
    for (const wl::Batch& b : a.batches) {
      REQUIRE(all_distinct(b));
      wl::check_batch(b, a.shape);
    }
    s.seed = 2;
    REQUIRE_FALSE(a == wl::generate_trace(s));
  }
}

TEST_CASE("workload::Trace: source ranks split a batch into contiguous blocks") {
  wl::TraceGenSpec s = one_layer(8, 2, 10, 0.0);
  s.num_ranks = 4;
  const wl::Trace t = wl::generate_trace(s);
  // rank(t) = floor(t * 4 / 10)
  REQUIRE(t.batches[0].ranks == std::vector<uint32_t>{0, 0, 0, 1, 1, 2, 2, 2, 3, 3});
}

TEST_CASE("workload::Trace: group-limited generation never uses more than G groups") {
  // 64 experts in 8 groups of 8, keep 3 groups, top-6.
  wl::TraceGenSpec s = wl::deepseek_v3_spec();
  s.num_experts = 64;
  s.top_k = 6;
  s.num_layers = 2;
  s.tokens_per_batch = 2000;
  s.groups = {8, 3, 2, 2.5};
  const wl::Trace t = wl::generate_trace(s);
  size_t tokens_using_3 = 0;
  for (const wl::Batch& b : t.batches) {
    for (size_t i = 0; i < b.num_tokens(); ++i) {
      std::set<uint32_t> groups;
      float sum = 0;
      for (const uint32_t e : b.experts_of(i))
        groups.insert(e / 8);
      for (const float x : b.weights_of(i))
        sum += x;
      REQUIRE(groups.size() <= 3);
      REQUIRE(sum == Approx(2.5).epsilon(1e-5));  // weights renormalised, times route_scale
      tokens_using_3 += groups.size() == 3;
    }
  }
  REQUIRE(tokens_using_3 > 0);  // the limit binds: without it tokens would spread wider
}

TEST_CASE("workload::Trace: generator specs are validated") {
  using moesim::InputError;
  wl::TraceGenSpec s;
  SECTION("top-k above the experts") {
    s.top_k = 9;
    REQUIRE_THROWS_AS(wl::validate(s), InputError);
  }
  SECTION("negative Zipf exponent") {
    s.zipf_s = -1;
    REQUIRE_THROWS_WITH(wl::validate(s), Catch::Matchers::Contains("field 'zipf_s'"));
  }
  SECTION("locality with a gate router") {
    s.router = wl::TraceRouter::kSoftmax;
    REQUIRE_THROWS_WITH(wl::validate(s), Catch::Matchers::Contains("field 'locality'"));
  }
  SECTION("groups that do not divide the experts") {
    s = wl::deepseek_v3_spec();
    s.groups.num_groups = 7;
    REQUIRE_THROWS_WITH(wl::validate(s), Catch::Matchers::Contains("field 'num_groups'"));
  }
}

TEST_CASE("workload::Trace: presets land near the real-trace figures they are calibrated to") {
  // Mixtral default at the Mario928 size (583 tokens x 32 layers): traces.md gives per-layer
  // max/mean median 1.34 and top-1 repeat median 0.25. Over 32 layers the generated medians
  // move by about +-0.03 from seed to seed (1.32-1.34 and 0.249-0.251 over 256 layers).
  wl::TraceGenSpec mixtral = wl::mixtral_8x7b_spec();
  mixtral.tokens_per_batch = 583;
  const wl::TraceStats st = wl::compute_stats(wl::generate_trace(mixtral));
  std::vector<double> mm, loc;
  for (const wl::TraceLayerStats& l : st.layers) {
    mm.push_back(l.max_over_mean);
    loc.push_back(*l.locality);
  }
  REQUIRE(std::abs(wl::median_of(mm) - 1.34) < 0.06);
  REQUIRE(std::abs(wl::median_of(loc) - 0.25) < 0.03);

  // Softmax gate on 8 experts: top-1 share of the gate weight, measured mean 0.707.
  mixtral.router = wl::TraceRouter::kSoftmax;
  mixtral.locality = 0;
  mixtral.num_layers = 4;
  mixtral.tokens_per_batch = 5000;
  const wl::TraceStats gate = wl::compute_stats(wl::generate_trace(mixtral));
  REQUIRE(std::abs(gate.top1_share->mean - 0.707) < 0.01);

  // DeepSeek-V3 at 4096 tokens per step: TensorRT-LLM reports by-expert max/mean ~12 and, on
  // EP32 with 8 contiguous experts per rank, by-rank max/mean ~2.56 (traces.md §4.2).
  wl::TraceGenSpec v3 = wl::deepseek_v3_spec();
  v3.num_layers = 4;
  const wl::Trace t = wl::generate_trace(v3);
  double expert_mm = 0, rank_mm = 0;
  for (const wl::Batch& b : t.batches) {
    const auto c = wl::count_experts(b, 256).counts;
    std::vector<uint64_t> rank(32, 0);
    for (uint32_t e = 0; e < 256; ++e)
      rank[e / 8] += c[e];
    expert_mm += max_over_mean(c) / t.batches.size();
    rank_mm += max_over_mean(rank) / t.batches.size();
  }
  REQUIRE(std::abs(expert_mm - 12.0) < 1.5);
  REQUIRE(std::abs(rank_mm - 2.56) < 0.4);
}

// ---- Auxiliary-loss-free (ALF) bias balancing inside the gate routers ----

namespace {

// A skewed (Zipf s = 1) stream through each gate: 8 experts top-2 softmax (Mixtral-like) and
// 64 experts top-8 sigmoid in 8 groups keeping 4 (DeepSeek-V3-like), 2 layers, 40 iterations.
std::vector<wl::TraceGenSpec> skewed_gate_streams() {
  wl::TraceGenSpec softmax = one_layer(8, 2, 2000, 1.0);
  softmax.router = wl::TraceRouter::kSoftmax;
  wl::TraceGenSpec sigmoid = wl::deepseek_v3_spec();
  sigmoid.num_experts = 64;
  sigmoid.top_k = 8;
  sigmoid.tokens_per_batch = 2048;
  sigmoid.zipf_s = 1.0;
  sigmoid.groups = {8, 4, 2, 2.5};
  std::vector<wl::TraceGenSpec> specs = {softmax, sigmoid};
  for (wl::TraceGenSpec& s : specs) {
    s.num_layers = 2;
    s.num_iterations = 40;
  }
  return specs;
}

// Per-layer max/mean slot load averaged over the layers of iteration 0 (`first`) and of the
// last 5 iterations (`last`).
struct LoadSummary {
  double first = 0, last = 0;
};
LoadSummary load_summary(const wl::TraceGenSpec& s) {
  LoadSummary r;
  for (const wl::Batch& b : wl::generate_trace(s).batches) {
    const double mm = max_over_mean(wl::count_experts(b, s.num_experts).counts);
    if (b.iteration == 0) r.first += mm / s.num_layers;
    if (b.iteration + 5 >= s.num_iterations) r.last += mm / (5.0 * s.num_layers);
  }
  return r;
}

}  // namespace

TEST_CASE("workload::Trace: ALF bias balancing evens out a skewed gate over iterations") {
  // Iteration 0 runs with zero bias, so it is the plain gate on Zipf s = 1 popularity: the hot
  // experts are chosen far above the mean (measured max/mean 2.4-2.5 for the softmax stream,
  // 6.4-7.4 for the sigmoid one, seeds 1-5). Each step then lowers the bias of every expert
  // above the mean load by u and raises the others by u, so after about (score gap) / u steps
  // (score gaps are tenths, u = 0.02: ~10-20 steps) the biases offset the popularity and the
  // loads hover around the mean, within a band set by the +-u steps and by sampling noise (a
  // count of mean T k / E = 500 slots has sd sqrt(500) / 500 = 4.5%). Measured over the last 5
  // iterations: 1.27-1.31 (softmax), 1.36-1.48 (sigmoid). Without ALF the gate and the
  // popularity are fixed (no drift), so every iteration has the law of iteration 0.
  for (wl::TraceGenSpec s : skewed_gate_streams()) {
    const LoadSummary off = load_summary(s);
    s.alf_update_rate = 0.02;
    const LoadSummary alf = load_summary(s);
    INFO("off " << off.first << " -> " << off.last << ", alf " << alf.first << " -> " << alf.last);
    REQUIRE(alf.first == off.first);  // zero bias at the first step: the same choices
    REQUIRE(off.first > 2.0);
    REQUIRE(off.last > 0.9 * off.first);
    REQUIRE(alf.last < 0.7 * alf.first);
    REQUIRE(alf.last < 0.7 * off.last);
    REQUIRE(alf.last < 1.6);
  }
}

TEST_CASE("workload::Trace: ALF biases selection only and draws no random numbers") {
  // ALF draws nothing from the token stream, so token t of batch (i, l) has the same gate
  // logits with ALF on or off. Its weights come from the raw scores of the chosen experts
  // (DeepSeek-V3: bias for selection only), so a token that chose the same experts in both runs
  // has the same weights; one whose choice the bias changed differs in its experts.
  for (wl::TraceGenSpec s : skewed_gate_streams()) {
    s.num_iterations = 20;
    const wl::Trace off = wl::generate_trace(s);
    s.alf_update_rate = 0.02;
    const wl::Trace alf = wl::generate_trace(s);
    REQUIRE(alf == wl::generate_trace(s));  // deterministic per seed
    REQUIRE(alf.batches.size() == off.batches.size());
    size_t same = 0, changed = 0;
    for (size_t i = 0; i < alf.batches.size(); ++i) {
      const wl::Batch& a = alf.batches[i];
      const wl::Batch& o = off.batches[i];
      for (size_t t = 0; t < a.num_tokens(); ++t) {
        std::vector<std::pair<uint32_t, float>> ea, eo;
        for (uint32_t j = 0; j < s.top_k; ++j) {
          ea.emplace_back(a.experts_of(t)[j], a.weights_of(t)[j]);
          eo.emplace_back(o.experts_of(t)[j], o.weights_of(t)[j]);
        }
        std::sort(ea.begin(), ea.end());
        std::sort(eo.begin(), eo.end());
        bool same_experts = true;
        for (uint32_t j = 0; j < s.top_k; ++j)
          same_experts = same_experts && ea[j].first == eo[j].first;
        if (!same_experts) {
          ++changed;
          continue;
        }
        ++same;
        for (uint32_t j = 0; j < s.top_k; ++j)
          REQUIRE(ea[j].second == Approx(eo[j].second).epsilon(1e-6));
      }
    }
    REQUIRE(same > 0);
    REQUIRE(changed > 0);
  }
}

TEST_CASE("workload::Trace: ALF adds its bias to the fixed expert bias of the sigmoid gate") {
  // Iteration 0 has zero ALF bias, so with a fixed expert_bias it must choose what the gate
  // with that expert_bias alone chooses. The fixed bias does change choices (checked), so an
  // ALF that dropped it would differ at iteration 0.
  wl::TraceGenSpec s = skewed_gate_streams()[1];
  s.num_layers = 1;
  s.num_iterations = 1;
  const wl::Trace plain = wl::generate_trace(s);
  for (uint32_t e = 0; e < s.num_experts; ++e)
    s.expert_bias.push_back(0.1 * (e % 4));
  const wl::Trace fixed = wl::generate_trace(s);
  REQUIRE_FALSE(fixed == plain);
  s.alf_update_rate = 0.02;
  REQUIRE(wl::generate_trace(s) == fixed);
}

TEST_CASE("workload::Trace: ALF rate 0 is off") {
  // 0 means off: the same batches as a spec that never mentions the field, for every router
  // (bit for bit, so traces generated before ALF existed are reproduced).
  std::vector<wl::TraceGenSpec> specs = skewed_gate_streams();
  specs.push_back(wl::mixtral_8x7b_spec());
  for (wl::TraceGenSpec s : specs) {
    s.num_layers = 2;
    s.num_iterations = 3;
    s.tokens_per_batch = 300;
    const wl::Trace base = wl::generate_trace(s);
    s.alf_update_rate = 0.0;
    REQUIRE(wl::generate_trace(s) == base);
    s.alf_update_rate = 0.02;  // and a positive rate does change the later iterations
    if (s.router != wl::TraceRouter::kSample) REQUIRE_FALSE(wl::generate_trace(s) == base);
  }
}

TEST_CASE("workload::Trace: ALF update rates are validated") {
  using moesim::InputError;
  wl::TraceGenSpec s;
  s.router = wl::TraceRouter::kSoftmax;
  s.locality = 0;
  SECTION("negative rate") {
    s.alf_update_rate = -0.001;
    REQUIRE_THROWS_WITH(wl::validate(s), Catch::Matchers::Contains("field 'alf_update_rate'") &&
                                             Catch::Matchers::Contains("-0.001"));
  }
  SECTION("not a number") {
    s.alf_update_rate = std::nan("");
    REQUIRE_THROWS_WITH(wl::validate(s), Catch::Matchers::Contains("field 'alf_update_rate'"));
  }
  SECTION("infinite rate") {
    s.alf_update_rate = INFINITY;
    REQUIRE_THROWS_WITH(wl::validate(s), Catch::Matchers::Contains("field 'alf_update_rate'"));
  }
  SECTION("the sampling router has no scores to bias") {
    s = wl::mixtral_8x7b_spec();
    s.alf_update_rate = 0.001;
    REQUIRE_THROWS_WITH(wl::validate(s), Catch::Matchers::Contains("sampling router"));
  }
}
