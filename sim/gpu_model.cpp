#include "sim/gpu_model.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "sim/core/error.hpp"

namespace moesim::sim {

double gemm_efficiency(const GpuModel& g, uint64_t tokens) {
  const auto n = static_cast<double>(tokens);
  return g.max_efficiency * n / (n + g.half_tokens);
}

TimePs expert_compute_time(const GpuModel& g, std::span<const uint64_t> tokens_per_expert,
                           double flops_per_token) {
  double seconds = 0;
  int64_t launches = 0;
  for (const uint64_t n : tokens_per_expert) {
    if (n == 0) continue;
    seconds += flops_per_token * static_cast<double>(n) / (g.peak_flops * gemm_efficiency(g, n));
    ++launches;
  }
  return TimePs{static_cast<int64_t>(std::ceil(seconds * 1e12)) + launches * g.launch.ps};
}

TimePs decode_attention_time(const GpuModel& g, uint64_t tokens, uint64_t kv_tokens,
                             uint64_t hidden, uint64_t bytes_per_element) {
  const auto b = static_cast<double>(tokens), kv = static_cast<double>(kv_tokens);
  const auto h = static_cast<double>(hidden), e = static_cast<double>(bytes_per_element);
  const double memory = (4 * h * h + b * kv * 2 * h) * e / g.hbm_bytes_per_s;
  const double flops = b * (8 * h * h + 4 * kv * h);
  const double compute = tokens == 0 ? 0 : flops / (g.peak_flops * gemm_efficiency(g, tokens));
  const double ps = std::ceil(std::max(memory, compute) * 1e12);
  if (!(ps <= static_cast<double>(kMaxRunTime.ps))) {
    throw InputError(
        fmt::format("decode attention: {} tokens over {} cached ones of hidden {}: "
                    "{:.3g} s per layer: expected at most {}",
                    tokens, kv_tokens, hidden, ps / 1e12, kMaxRunTimeText));
  }
  return TimePs{static_cast<int64_t>(ps)};
}

}  // namespace moesim::sim
