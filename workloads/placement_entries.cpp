// Registry entries of the policies in placement.hpp: contiguous, round-robin, random and
// topology-aware (rows of placement_registry.cpp).
#include "workloads/placement.hpp"
#include "workloads/placement_registry.hpp"

namespace moesim::workload {
namespace {

Placement contiguous(const PlacementInput& in) {
  return place_contiguous(in.num_layers, in.num_experts, in.num_gpus);
}
Placement round_robin(const PlacementInput& in) {
  return place_round_robin(in.num_layers, in.num_experts, in.num_gpus);
}
Placement random(const PlacementInput& in) {
  return place_random(in.num_layers, in.num_experts, in.num_gpus, in.seed);
}
Placement topology_aware(const PlacementInput& in) {
  return place_topology_aware(in.loads, in.coactivation, in.leaf_of_gpu);
}

}  // namespace

// {name, help, reads_loads, needs_coactivation, needs_leaves, allows_spare_slots, place}
extern const PlacementEntry contiguous_placement = {
    "contiguous", "expert e on GPU e / (E/P)", false, false, false, false, &contiguous};
extern const PlacementEntry round_robin_placement = {
    "round-robin", "expert e on GPU e mod P", false, false, false, false, &round_robin};
extern const PlacementEntry random_placement = {
    "random", "a seeded random permutation per layer", false, false, false, false, &random};
extern const PlacementEntry topology_aware_placement = {
    "topology-aware",
    "experts often chosen together under one leaf, then balanced by load (needs a topology)",
    true,
    true,
    true,
    false,
    &topology_aware};

}  // namespace moesim::workload
