// Counts-level MoE layers (`--loads FILE`, policy_csv.hpp's `layer,expert,slots`): per-expert
// slot counts of each layer with no token identity, routed into the layer traffic and expert
// rows the layer model runs (moe_dag.hpp), as route_layer (moe_routing.hpp) does for a trace.
// It is an approximation of a per-token trace, on purpose:
//  - sources: expert e's l[e] slots come from the GPUs in proportion to their tokens (every GPU
//    of the pipeline routes tokens_per_gpu, so equal shares), by cumulative rounding, so the
//    shares of an expert sum to l[e] exactly;
//  - no deduplication: a per-token trace sends a token once to a GPU that holds two of its
//    experts; here every slot is its own transfer (an upper bound on the dispatch bytes, and
//    what LLEP's benchmark, which permutes slot rows, sends);
//  - counts need not come from a top-k router: one expert may hold more slots than there are
//    tokens (LLEP's "95% of slots into 1 expert", policies.md §1.11), which is what the mode is
//    for;
//  - replicas: a source's share of an expert is split evenly over its replicas (round-robin in
//    expectation); dropless only, and no router-side balancing: those need tokens (the options
//    refuse them, experiments/moe_options.cpp).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "workloads/moe_pipeline.hpp"
#include "workloads/moe_routing.hpp"
#include "workloads/placement.hpp"
#include "workloads/placement_registry.hpp"

namespace moesim::workload {

// `total` in parts proportional to `weights` (part i = floor(total W(i+1) / W) -
// floor(total W(i) / W), W(i) the sum of the first i weights): the parts sum to `total`. All
// zero weights: equal weights.
std::vector<uint64_t> apportion(uint64_t total, std::span<const uint64_t> weights);

// One layer: `slots[e]` slots of expert e, `tokens_of_gpu[g]` the tokens GPU g routes (the
// sources' weights). Stats count slots as tokens (`tokens` is the sum of tokens_of_gpu).
RoutedLayer route_layer_slots(std::span<const uint64_t> slots,
                              std::span<const uint64_t> tokens_of_gpu, const Placement& placement,
                              uint32_t layer, const MoeRoutingConfig& config);

// route_trace for spec.layer_slots: every iteration routes the same counts; the placement is
// computed from them (`entry`, into `num_slots` slots). InputError for a placement that needs
// co-activation (token identity).
MoeLayers route_slot_layers(const MoeSpec& spec, uint32_t num_gpus,
                            const std::vector<uint32_t>& leaf_of_gpu, const PlacementEntry& entry,
                            uint32_t num_slots);

}  // namespace moesim::workload
