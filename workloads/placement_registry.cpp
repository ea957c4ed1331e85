#include "workloads/placement_registry.hpp"

#include <array>

#include <fmt/format.h>

namespace moesim::workload {

// The policies, each defined beside its algorithm.
extern const PlacementEntry contiguous_placement;
extern const PlacementEntry round_robin_placement;
extern const PlacementEntry random_placement;
extern const PlacementEntry eplb_placement;
extern const PlacementEntry eplb_hierarchical_placement;
extern const PlacementEntry eplb_global_placement;
extern const PlacementEntry topology_aware_placement;

namespace {

const std::array<const PlacementEntry*, 7> kEntries = {
    &contiguous_placement,     &round_robin_placement,       &random_placement,
    &eplb_placement,           &eplb_hierarchical_placement, &eplb_global_placement,
    &topology_aware_placement,
};

}  // namespace

std::span<const PlacementEntry* const> placement_entries() {
  return kEntries;
}

const PlacementEntry* find_placement(std::string_view name) {
  for (const PlacementEntry* e : kEntries) {
    if (name == e->name) return e;
  }
  return nullptr;
}

std::vector<std::string> placement_names(bool with_leaves) {
  std::vector<std::string> names;
  for (const PlacementEntry* e : kEntries) {
    if (with_leaves || !e->needs_leaves) names.emplace_back(e->name);
  }
  return names;
}

std::string placement_help(bool with_leaves) {
  std::string out;
  for (const PlacementEntry* e : kEntries) {
    if (!with_leaves && e->needs_leaves) continue;
    out += fmt::format("{}{} ({})", out.empty() ? "" : "; ", e->name, e->help);
  }
  return out;
}

}  // namespace moesim::workload
