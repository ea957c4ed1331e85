// Registry entries of DeepSeek's EPLB (eplb.hpp) under its three policy choices (rows of
// placement_registry.cpp). With one expert group and one node, which is all `moesim run`
// gives, the three place identically.
#include "workloads/eplb.hpp"
#include "workloads/placement_registry.hpp"

namespace moesim::workload {
namespace {

Placement eplb_with(const PlacementInput& in, EplbPolicy policy) {
  EplbConfig c;
  c.num_slots = in.num_slots;
  c.num_groups = in.num_groups;
  c.num_nodes = in.num_nodes;
  c.num_gpus = in.num_gpus;
  c.policy = policy;
  return eplb(in.loads, c);
}
Placement automatic(const PlacementInput& in) {
  return eplb_with(in, EplbPolicy::automatic);
}
Placement hierarchical(const PlacementInput& in) {
  return eplb_with(in, EplbPolicy::hierarchical);
}
Placement global(const PlacementInput& in) {
  return eplb_with(in, EplbPolicy::global);
}

}  // namespace

// {name, help, reads_loads, needs_coactivation, needs_leaves, allows_spare_slots, place}
extern const PlacementEntry eplb_placement = {
    "eplb",
    "DeepSeek EPLB from the loads: replicas of heavy experts in spare slots, packed evenly; "
    "hierarchical when groups divide by nodes, else global",
    true,
    false,
    false,
    true,
    &automatic};
extern const PlacementEntry eplb_hierarchical_placement = {
    "eplb-hierarchical", "EPLB packing expert groups to nodes first", true, false, false, true,
    &hierarchical};
extern const PlacementEntry eplb_global_placement = {
    "eplb-global", "EPLB over all GPUs as one node", true, false, false, true, &global};

}  // namespace moesim::workload
