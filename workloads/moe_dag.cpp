#include "workloads/moe_dag.hpp"

#include <string>

#include <fmt/format.h>

#include "sim/core/error.hpp"

namespace moesim::workload {

Workload build_moe_dag(std::span<const LayerTraffic> layers, const MoeDagParams& p,
                       const ExpertTime& expert_time) {
  if (layers.empty()) throw InternalError("build_moe_dag: no layers");
  const uint32_t n = layers.front().num_gpus;
  if (p.layers_per_iteration == 0) throw InternalError("build_moe_dag: 0 layers per iteration");
  Workload w(n);
  // Per GPU, the nodes the next layer's attention waits for (its expert task and the
  // combine flows into it).
  std::vector<std::vector<uint32_t>> ready(n);
  std::vector<uint32_t> attention(n), expert(n);
  for (uint32_t i = 0; i < layers.size(); ++i) {
    const LayerTraffic& lt = layers[i];
    if (lt.num_gpus != n || lt.tokens.size() != size_t{n} * n) {
      throw InternalError(
          fmt::format("build_moe_dag: layer {} has {} GPUs, expected {}", i, lt.num_gpus, n));
    }
    const auto layer = static_cast<int32_t>(i % p.layers_per_iteration);
    const auto iteration = static_cast<int32_t>(i / p.layers_per_iteration);
    const uint32_t t_attn = w.add_tag(Tag{"moe", "attention", layer, iteration});
    const uint32_t t_disp = w.add_tag(Tag{"moe", "dispatch", layer, iteration});
    const uint32_t t_exp = w.add_tag(Tag{"moe", "expert", layer, iteration});
    const uint32_t t_comb = w.add_tag(Tag{"moe", "combine", layer, iteration});
    for (uint32_t g = 0; g < n; ++g) {
      attention[g] = w.add_compute(g, p.attention, t_attn);
      for (const uint32_t before : ready[g])
        w.add_dependency(before, attention[g]);
      ready[g].clear();
      expert[g] = w.add_compute(g, expert_time(i, g), t_exp);
      w.add_dependency(attention[g], expert[g]);
      ready[g].push_back(expert[g]);
    }
    for (uint32_t src = 0; src < n; ++src) {
      for (uint32_t k = 1; k < n; ++k) {  // shifted order, as pairwise exchange sends
        const uint32_t dst = (src + k) % n;
        const uint64_t tokens = lt.at(src, dst);
        if (tokens == 0) continue;
        const uint32_t d = w.add_flow(src, dst, Bytes{tokens * p.dispatch_bytes_per_token}, t_disp);
        w.add_dependency(attention[src], d);
        w.add_dependency(d, expert[dst]);
        const uint32_t c = w.add_flow(dst, src, Bytes{tokens * p.combine_bytes_per_token}, t_comb);
        w.add_dependency(expert[dst], c);
        ready[src].push_back(c);
      }
    }
  }
  w.finalize();
  return w;
}

}  // namespace moesim::workload
