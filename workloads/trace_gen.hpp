// Synthetic router traces, seeded through sim/core/rng.hpp only. Each layer has an expert
// popularity (uniform, Zipf with exponent s, or Dirichlet with concentration alpha) laid on the
// experts by its own random permutation, so hot experts differ across layers; the permutation
// may drift across iterations. Tokens are routed either by sampling top-k distinct experts in
// proportion to popularity (with optional temporal locality), or by a gate over random logits
// biased by log-popularity: softmax top-k (Mixtral/Megatron) or DeepSeek-V3's sigmoid + bias
// with group (node)-limited routing. A gate router may balance itself across iterations with
// auxiliary-loss-free bias balancing (DeepSeek-V3 §2.1.2; balance.hpp BiasBalancer). The
// generator is a TraceReader, so a trace of any length streams batch by batch (iteration-major,
// layers 0..L-1).
//
// Defaults and presets are calibrated to the real-trace statistics of reference/traces.md,
// measured with trace_stats.hpp on generated traces (each figure is stated where it is used).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "sim/core/rng.hpp"
#include "workloads/balance.hpp"
#include "workloads/trace.hpp"
#include "workloads/trace_gate.hpp"
#include "workloads/trace_sampling.hpp"

namespace moesim::workload {

enum class TracePopularity { kUniform, kZipf, kDirichlet };
enum class TraceRouter { kSample, kSoftmax, kSigmoidGrouped };

// Defaults: Mixtral-8x7B (8 experts, top-2, 32 layers) with the sampling router.
struct TraceGenSpec {
  uint32_t num_experts = 8;
  uint32_t top_k = 2;
  uint32_t num_layers = 32;
  uint32_t num_iterations = 1;
  uint32_t tokens_per_batch = 256;  // tokens per (iteration, layer), over all ranks
  uint32_t num_ranks = 0;           // 0: no source GPU; else token t starts on GPU t*R/T

  TracePopularity popularity = TracePopularity::kZipf;
  // Zipf s = 0.25 gives 8-expert top-2 loads a per-layer max/mean of 1.34 at 583 tokens per
  // layer (median 1.32-1.34 over 256 generated layers, by seed; ~1.34 at 200k tokens too): the
  // median of the Mixtral-8x7B Mario928 decode tokens, the per-token trace in data/traces
  // (traces.md §4.1: 1.34). That sits between the other Mixtral figures, 1.17 (OLMoE repo, per
  // domain) and 1.55 (abhibambhaniya). Fitted slope 0.24 (measured 0.31).
  double zipf_s = 0.25;
  // Dirichlet alpha = 14 gives the same median max/mean, 1.34-1.35, with the per-layer spread of a
  // Dirichlet draw; fitted slope 0.30 (measured 0.31).
  double dirichlet_alpha = 14.0;
  // Share of popularity ranks reshuffled among themselves at each new iteration. 0: TensorRT-
  // LLM reports rank imbalance stable across tens to hundreds of iterations (traces.md §4.2).
  double drift = 0.0;

  TraceRouter router = TraceRouter::kSample;
  // Sampling router: probability that a token keeps the previous token's top-1 expert (per
  // layer, carried across iterations); locality is 0 or an InputError with a gate router.
  // 0.14 makes the top-1 repeat rate 0.25 under the Zipf default (0.249-0.251 over 256
  // generated layers): Mixtral's median (traces.md §4.4). Expected rate = rho + (1 - rho) *
  // sum_e p_e^2.
  double locality = 0.14;
  // Gate routers: logit_e = bias_scale * (log p_e - mean_e log p_e) + logit_noise * N(0, 1).
  // For 8 experts, top-2 softmax, noise 1.8 and bias 1.3 on the Zipf default give a top-1
  // share of the renormalised gate weights of mean 0.706, p10 0.533, p50 0.691, p90 0.906
  // (Mixtral measured 0.707 / 0.533 / 0.698 / 0.895, traces.md §4.4) and max/mean 1.34.
  double logit_noise = 1.8;
  double bias_scale = 1.3;
  GroupLimitedParams groups;        // kSigmoidGrouped: DeepSeek-V3 values by default
  std::vector<double> expert_bias;  // kSigmoidGrouped: per-expert selection bias; empty = 0
  // Auxiliary-loss-free balancing (reference/policies.md §1.7): 0 = off. Otherwise every layer
  // keeps a per-expert bias b, added to the gate scores for the top-k selection only (weights
  // come from the raw scores), and after each of its batches (one step = one iteration of that
  // layer) b_i += rate * sign(mean - c_i) with c_i the slots routed to expert i in that batch.
  // Scores: softmax probabilities over all experts (kSoftmax; weights = the selected
  // probabilities renormalised, as Mixtral) or sigmoid scores (kSigmoidGrouped; the ALF bias is
  // added to `expert_bias`). DeepSeek-V3 trained with 0.001 (§4.2). InputError with kSample,
  // which has no scores. Draws no random numbers, so the gate noise of a seed is the same on or
  // off.
  double alf_update_rate = 0;

  uint64_t seed = 1;
};

// Presets (each documents its calibration target in trace_gen.cpp).
TraceGenSpec mixtral_8x7b_spec();     // = the defaults
TraceGenSpec olmoe_1b_7b_spec();      // 64 experts, top-8, 16 layers
TraceGenSpec switch_base_128_spec();  // 128 experts, top-1, 6 MoE layers
TraceGenSpec deepseek_v3_spec();      // 256 experts, top-8, 58 MoE layers, sigmoid + groups

// Throws InputError naming the field, its value and the accepted range.
void validate(const TraceGenSpec& spec);

class TraceGenerator : public TraceReader {
 public:
  explicit TraceGenerator(const TraceGenSpec& spec);
  bool next(Batch& out) override;
  const TraceShape& shape() const override { return shape_; }
  // Per-expert probabilities of `layer` as of the last batch produced (popularity after drift).
  const std::vector<double>& expert_probabilities(uint32_t layer) const;

 private:
  struct Layer {
    std::vector<double> profile;  // popularity by rank, descending
    std::vector<uint32_t> perm;   // rank -> expert
    Categorical dist;             // per expert
    std::vector<double> bias;     // gate routers: centred log-popularity * bias_scale
    std::optional<uint32_t> prev_top1;
    std::optional<BiasBalancer> alf;  // when alf_update_rate > 0
  };
  void rebuild(Layer& l);
  void apply_drift(Layer& l);
  void route_sampled(Layer& l, Batch& out);
  void draw_logits(const Layer& l);  // one token's gate logits into logits_
  void route_gated(Layer& l, Batch& out);
  void route_balanced(Layer& l, Batch& out);

  TraceGenSpec spec_;
  TraceShape shape_;
  Rng popularity_rng_;
  Rng token_rng_;
  std::vector<Layer> layers_;
  uint32_t iteration_ = 0, layer_ = 0;
  std::vector<uint32_t> idx_;
  std::vector<double> logits_, weights_;
  std::vector<double> scores_, selection_bias_;  // ALF: one token's scores; selection keys
  GateWorkspace gate_ws_;
};

Trace generate_trace(const TraceGenSpec& spec);

}  // namespace moesim::workload
