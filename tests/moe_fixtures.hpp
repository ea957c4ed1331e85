// A small MoE spec for tests: Mixtral-8x7B's shape and calibrated router, cut down.
#pragma once

#include <cstdint>

#include "workloads/moe_pipeline.hpp"
#include "workloads/moe_presets.hpp"

namespace moesim::test {

// 8 experts, top-2, `layers` MoE layers and router iterations, `tokens` tokens per GPU.
inline workload::MoeSpec tiny_mixtral(uint32_t layers, uint32_t iterations, uint64_t seed,
                                      uint32_t tokens) {
  workload::MoeSpec s;
  const workload::MoePreset& preset = workload::find_moe_preset("mixtral-8x7b", "test");
  s.shape = preset.shape;
  s.shape.layers = layers;
  s.generator = preset.generator();
  s.generator.num_layers = layers;
  s.generator.num_iterations = iterations;
  s.generator.seed = seed;
  s.tokens_per_gpu = tokens;
  s.iterations = iterations;
  s.seed = seed;
  return s;
}

}  // namespace moesim::test
