// The GPU compute model of the cluster: how long a GPU takes for its share of an MoE layer.
// Expert FLOPs run at the peak rate times an efficiency that grows with the tokens an expert
// gets (grouped GEMMs are inefficient for small M):
//   t_gpu = sum over its experts e with n_e > 0 of (launch + flops_per_token * n_e /
//           (peak * eta(n_e))),   eta(n) = eta_max * n / (n + n_half).
// Defaults and their sources (../shared/reference/policies.md §4.1):
//  peak 989.4 TFLOP/s: H100 SXM BF16 dense;
//  eta_max 0.68: DeepGEMM's large grouped GEMMs reach 68 % of peak (contiguous 4 x 8192);
//  n_half 160 tokens: fitted to DeepGEMM's masked/dense rows relative to 68 % (M = 64, 128,
//  256, 512, 1024 give 0.21, 0.38, 0.69, 0.78, 0.91 of the maximum; n/(n+160) gives 0.29,
//  0.44, 0.62, 0.76, 0.86);
//  launch 0: kernel launches overlap in a grouped GEMM; set it to model per-expert GEMMs.
#pragma once

#include <cstdint>
#include <span>

#include "sim/core/units.hpp"

namespace moesim::sim {

struct GpuModel {
  double peak_flops = 989.4e12;
  double max_efficiency = 0.68;
  double half_tokens = 160;
  TimePs launch{0};
  // HBM bandwidth: H100 SXM's 3.35 TB/s. Decode attention reads its weights and KV cache.
  double hbm_bytes_per_s = 3.35e12;
};

// eta(n): the fraction of peak an expert GEMM over n tokens achieves.
double gemm_efficiency(const GpuModel& g, uint64_t tokens);

// Time for one GPU to run its experts over tokens_per_expert[e] tokens each, every token
// costing flops_per_token (forward: 2 * 3 * hidden * expert_ffn for a SwiGLU expert).
TimePs expert_compute_time(const GpuModel& g, std::span<const uint64_t> tokens_per_expert,
                           double flops_per_token);

// One decode step's attention on one GPU and layer: `tokens` new tokens (one per sequence),
// each attending over `kv_tokens` cached ones, hidden size h, `bytes_per_element`. It is the
// roofline's larger side: memory, reading the Q, K, V, O weights (4 h^2 elements) and the
// K and V cache (2 h elements per token and sequence, no grouped-query saving) at HBM
// bandwidth; or compute, 2 x 4 h^2 FLOPs per token for the projections and 4 h per cached
// token for the scores and their weighted sum, at the peak rate times eta(tokens).
TimePs decode_attention_time(const GpuModel& g, uint64_t tokens, uint64_t kv_tokens,
                             uint64_t hidden, uint64_t bytes_per_element);

}  // namespace moesim::sim
