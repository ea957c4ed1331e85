// Row 3, auxiliary-loss-free load balancing (DeepSeek-V3 §2.1.2 eq. 16; the ALF-LB theory
// paper; reference/policies.md §1.7 and §6 item 9): a per-expert bias added to the gate scores
// for the top-k selection only, updated b_i += u sign(mean - c_i) after every step, drives the
// maximum violation MaxVio = (max_i c_i - mean) / mean down until it settles at the sampling
// noise; a larger u gets there faster but stays noisier. Setting of the §1.7 toy: 256
// experts, the DeepSeek-V3 gate (sigmoid, 8 groups, top-4 groups, top-8), 4096 fresh tokens
// per step. moesim's skew is its DeepSeek-V3 preset (calibrated to TensorRT-LLM's DeepSeek-R1
// loads, traces.md §4.2), not the toy's N(0, 1) static skew, so the start differs.
#include <algorithm>
#include <numeric>

#include <fmt/format.h>

#include "experiments/reproduce/claim.hpp"
#include "workloads/balance.hpp"
#include "workloads/trace_gen.hpp"

namespace moesim::cli::reproduce {
namespace {

constexpr const char* kSource = "DeepSeek-V3 §2.1.2; ALF-LB toy, policies.md §1.7";

// MaxVio of every step of one layer routed by the V3 gate with ALF rate u.
std::vector<double> maxvio_curve(double u, uint32_t steps, uint64_t seed) {
  workload::TraceGenSpec s = workload::deepseek_v3_spec();
  s.num_layers = 1;
  s.num_iterations = steps;
  s.tokens_per_batch = 4096;
  s.alf_update_rate = u;
  s.seed = seed;
  workload::TraceGenerator gen(s);
  std::vector<double> out;
  workload::Batch b;
  while (gen.next(b)) {
    const std::vector<uint64_t> c = workload::slot_counts(b.experts, s.num_experts);
    const double mean = static_cast<double>(std::accumulate(c.begin(), c.end(), uint64_t{0})) /
                        static_cast<double>(c.size());
    out.push_back((static_cast<double>(*std::max_element(c.begin(), c.end())) - mean) / mean);
  }
  return out;
}

double mean_of_last(const std::vector<double>& v, size_t n) {
  const size_t from = v.size() - std::min(n, v.size());
  return std::accumulate(v.begin() + static_cast<std::ptrdiff_t>(from), v.end(), 0.0) /
         static_cast<double>(v.size() - from);
}

// First step whose MaxVio is at most `level` (the curve's length if none is).
double first_below(const std::vector<double>& v, double level) {
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] <= level) return static_cast<double>(i);
  }
  return static_cast<double>(v.size());
}

Result run(const Options& opt) {
  // The toy reports u = 1e-3 after 200 steps (and 400). Each step routes 4096 tokens through
  // the V3 gate (~20 ms), so quick mode runs u = 0 for 20 steps (it only has to stay flat),
  // u = 1e-3 for the 200 the row needs and u = 1e-2 for 100 (settled after < 50).
  const uint32_t steps = opt.quick ? 200 : 400;
  const std::vector<double> rates = {0, 1e-3, 1e-2};
  const std::vector<uint32_t> lengths =
      opt.quick ? std::vector<uint32_t>{20, 200, 100} : std::vector<uint32_t>{steps, steps, steps};
  std::vector<std::vector<double>> curves;
  for (size_t k = 0; k < rates.size(); ++k)
    curves.push_back(maxvio_curve(rates[k], lengths[k], opt.seed));

  Result res;
  const std::string setting =
      fmt::format("DeepSeek-V3 gate, 256 experts, top-8, 4096 tokens/step, {} steps{}, seed {}",
                  steps, opt.quick ? " (quick: u = 0 for 20, u = 1e-2 for 100)" : "", opt.seed);
  const auto row = [&](std::string claim, double paper, double moesim, double lo, double hi,
                       std::string unit, std::string note) {
    res.rows.push_back({std::move(claim), kSource, setting, paper, moesim, std::move(unit),
                        std::move(note), lo, hi});
  };
  // Start: the toy's 24 comes from a static N(0, 1) skew; moesim's preset skew gives the
  // by-expert max/mean of ~12 TensorRT-LLM reports for DeepSeek-R1 (MaxVio ~11). Same order of
  // magnitude is all this row asks: 1/3 to 3.
  row("alf/maxvio-step0", 24, curves[1][0], 1.0 / 3, 3, "MaxVio",
      "toy skew N(0,1); moesim: V3 preset (TensorRT-LLM-calibrated)");
  // Without updates (u = 0) nothing balances: the last 10 steps stay at the start's level.
  // Paper value = moesim's own step 0; the band allows the per-step sampling noise (+-20%).
  row("alf/maxvio-u0-flat", curves[0][0], mean_of_last(curves[0], 10), 0.8, 1.2, "MaxVio",
      "u = 0: mean of the last 10 steps against step 0");
  // u = 1e-3 after 200 steps: the toy's 0.29. The sampling floor at 128 slots per expert is
  // 0.2-0.3 (max of 256 near-Poisson counts of mean 128), so a settled curve reads 0.2-0.35;
  // mean of steps 190-199 against 0.29, band 0.6-1.4 (0.17-0.41).
  std::vector<double> first200(curves[1].begin(), curves[1].begin() + 200);
  row("alf/maxvio-u1e-3-step200", 0.29, mean_of_last(first200, 10), 0.6, 1.4, "MaxVio",
      "mean of steps 190-199");
  // u = 1e-2: the toy converges in < 50 steps and then stays at 0.5-0.9 (noisier: each step
  // moves the bias by 10x as much). Mean of the last 50 steps against the middle, 0.7, band
  // 0.5/0.7 to 0.9/0.7 widened by a tenth for the mean's own noise (0.64-1.43).
  row("alf/maxvio-u1e-2-settled", 0.7, mean_of_last(curves[2], 50), 0.64, 1.43, "MaxVio",
      "mean of the last 50 steps");
  // Speed: steps until MaxVio first drops below 1 (hottest expert under 2x the mean); the toy
  // has ~200 steps for u = 1e-3 and < 50 for u = 1e-2, so u = 1e-2 is at least 4x faster.
  // moesim must show at least half that (2x) and need not match it from above.
  const double slow = first_below(curves[1], 1.0), fast = first_below(curves[2], 1.0);
  row("alf/speedup-u1e-2-vs-u1e-3", 4, slow / std::max(1.0, fast), 0.5, 1e9,
      "steps to MaxVio < 1, ratio", fmt::format("u=1e-3: {} steps, u=1e-2: {}", slow, fast));

  res.curve.csv = "step,u,maxvio\n";
  for (size_t k = 0; k < rates.size(); ++k) {
    for (size_t i = 0; i < curves[k].size(); ++i)
      res.curve.csv += fmt::format("{},{:g},{:.6f}\n", i, rates[k], curves[k][i]);
  }
  res.curve.plot_args = {"--kind",
                         "line",
                         "--x",
                         "step",
                         "--y",
                         "maxvio",
                         "--hue",
                         "u",
                         "--logy",
                         "--title",
                         "ALF-LB: MaxVio per step, DeepSeek-V3 gate"};
  return res;
}

}  // namespace

extern const Entry alf_claim = {
    "alf", "auxiliary-loss-free bias balancing settles near balance; step-size trade-off",
    "reproduce_alf", &run};

}  // namespace moesim::cli::reproduce
