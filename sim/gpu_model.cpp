#include "sim/gpu_model.hpp"

#include <cmath>

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

}  // namespace moesim::sim
