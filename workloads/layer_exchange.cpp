#include "workloads/layer_exchange.hpp"

namespace moesim::workload {

std::vector<ExchangeFlow> add_exchange(Workload& w, const LayerTraffic& lt,
                                       std::span<const uint32_t> gpus, uint64_t bytes_per_token,
                                       bool reverse, uint32_t tag) {
  std::vector<ExchangeFlow> out;
  const auto n = static_cast<uint32_t>(gpus.size());
  for (uint32_t i = 0; i < n; ++i) {
    for (uint32_t k = 1; k < n; ++k) {  // shifted order, as pairwise exchange sends
      const uint32_t a = gpus[i], b = gpus[(i + k) % n];
      const uint64_t tokens = lt.at(a, b);
      if (tokens == 0) continue;
      const uint32_t src = reverse ? b : a, dst = reverse ? a : b;
      out.push_back({w.add_flow(src, dst, Bytes{tokens * bytes_per_token}, tag), src, dst});
    }
  }
  return out;
}

}  // namespace moesim::workload
