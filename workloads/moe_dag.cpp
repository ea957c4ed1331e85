#include "workloads/moe_dag.hpp"

#include <string>

#include <fmt/format.h>

#include "sim/core/error.hpp"
#include "workloads/step_dag.hpp"

namespace moesim::workload {

Workload build_moe_dag(std::span<const LayerTraffic> layers, const MoeDagParams& p,
                       const ExpertTime& expert_time) {
  if (layers.empty()) throw InternalError("build_moe_dag: no layers");
  const uint32_t n = layers.front().num_gpus;
  if (p.layers_per_iteration == 0 || layers.size() % p.layers_per_iteration != 0) {
    throw InternalError(fmt::format("build_moe_dag: {} layers in iterations of {}", layers.size(),
                                    p.layers_per_iteration));
  }
  StepParams step;
  step.layer = p;
  step.micro_batches = static_cast<uint32_t>(layers.size() / p.layers_per_iteration);
  const ParallelLayout one_group({.dp = n, .ep = n}, std::vector<int32_t>(n, -1));
  return build_step(layers, step, expert_time, one_group);
}

}  // namespace moesim::workload
