// Facts of the published MoE models moesim knows by name (`--moe-model`): the layer shape
// (hidden size, expert FFN width, routed experts, top-k, MoE layers) and the synthetic router
// calibrated to each (trace_gen.hpp). One row per model in moe_presets.cpp; the option's
// choices and its error list come from the table.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "workloads/trace_gen.hpp"

namespace moesim::workload {

// The shape of one MoE model, as the layer model reads it.
struct MoeShape {
  std::string preset;  // the --moe-model it came from
  uint32_t experts = 8;
  uint32_t top_k = 2;
  uint32_t hidden = 4096;
  uint32_t expert_ffn = 14336;
  uint32_t layers = 32;
  uint32_t bytes_per_element = 2;
};

struct MoePreset {
  const char* name;
  MoeShape shape;               // preset == name
  TraceGenSpec (*generator)();  // the router calibrated to this model
};

// Every known model, in the order --help lists them.
std::span<const MoePreset> moe_presets();
std::vector<std::string> moe_preset_names();
// The preset called `name`; InputError naming `where` and listing the presets otherwise.
const MoePreset& find_moe_preset(std::string_view name, std::string_view where);

}  // namespace moesim::workload
