#include "workloads/moe_presets.hpp"

#include <array>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "sim/core/error.hpp"

namespace moesim::workload {
namespace {

// Hidden size, expert FFN width, routed experts, top-k and MoE layers from each model's card.
const std::array<MoePreset, 3> kPresets = {{
    {"mixtral-8x7b", {"mixtral-8x7b", 8, 2, 4096, 14336, 32, 2}, &mixtral_8x7b_spec},
    {"deepseek-v3", {"deepseek-v3", 256, 8, 7168, 2048, 58, 2}, &deepseek_v3_spec},
    {"olmoe-1b-7b", {"olmoe-1b-7b", 64, 8, 2048, 1024, 16, 2}, &olmoe_1b_7b_spec},
}};

}  // namespace

std::span<const MoePreset> moe_presets() {
  return kPresets;
}

std::vector<std::string> moe_preset_names() {
  std::vector<std::string> names;
  for (const MoePreset& p : kPresets)
    names.emplace_back(p.name);
  return names;
}

const MoePreset& find_moe_preset(std::string_view name, std::string_view where) {
  for (const MoePreset& p : kPresets) {
    if (name == p.name) return p;
  }
  throw InputError(fmt::format("{}: '{}': expected one of {}", where, name,
                               fmt::join(moe_preset_names(), ", ")));
}

}  // namespace moesim::workload
