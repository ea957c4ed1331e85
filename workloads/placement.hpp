// Expert placement: which logical expert sits in each physical expert slot, per MoE layer.
// The result is DeepSeek EPLB's triple (phy2log, log2phy, logcnt) whatever the policy, so the
// balancing stage and the layer model read one type. Slot s lives on GPU s / (slots / gpus).
// This file holds the static policies (contiguous, round-robin, random) and the
// topology-aware one; EPLB is in eplb.hpp. Policies and sources: reference/policies.md §2.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include <Eigen/Core>

namespace moesim::workload {

// Load (token-slot count or a moving average of it) per layer and logical expert: [layer][expert].
using ExpertLoads = std::vector<std::vector<double>>;

// Placement of every layer. Invariants (checked by validate_placement): every layer has the
// same number of slots, a multiple of num_gpus; every expert has logcnt >= 1 replicas; the
// replicas of expert e are exactly the slots s with phy2log[s] == e, listed in log2phy[e] in
// replica-rank order and padded with -1 to max_replicas() (the maximum over all layers, as
// upstream EPLB does).
struct Placement {
  uint32_t num_gpus = 0;
  std::vector<std::vector<int32_t>> phy2log;               // [layer][slot] -> expert
  std::vector<std::vector<std::vector<int32_t>>> log2phy;  // [layer][expert][replica] -> slot
  std::vector<std::vector<int32_t>> logcnt;                // [layer][expert] -> replicas

  uint32_t num_layers() const { return static_cast<uint32_t>(phy2log.size()); }
  uint32_t num_slots() const;
  uint32_t num_experts() const;
  uint32_t slots_per_gpu() const { return num_slots() / num_gpus; }
  uint32_t gpu_of_slot(uint32_t slot) const { return slot / slots_per_gpu(); }
  uint32_t max_replicas() const;
};

// Builds log2phy and logcnt from phy2log. `replica_rank[l][s]` is slot s's rank among the
// replicas of its expert; if empty, ranks follow slot order. Throws InputError if a slot
// holds an expert outside [0, num_experts), an expert has no slot, ranks are not 0..cnt-1,
// or the slot count is not a positive multiple of num_gpus.
Placement make_placement(std::vector<std::vector<int32_t>> phy2log, uint32_t num_experts,
                         uint32_t num_gpus,
                         const std::vector<std::vector<int32_t>>& replica_rank = {});

// Checks the invariants above; throws InputError describing the first violation.
void validate_placement(const Placement& p);

// Static policies without redundancy (slots = experts; experts % gpus == 0, else InputError).
// Contiguous: expert e on GPU e / (E/P), slot e (Megatron, DeepSpeed and LLEP default).
Placement place_contiguous(uint32_t num_layers, uint32_t num_experts, uint32_t num_gpus);
// Round-robin: expert e on GPU e mod P, as that GPU's (e / P)-th slot.
Placement place_round_robin(uint32_t num_layers, uint32_t num_experts, uint32_t num_gpus);
// Uniform random permutation per layer (Fisher-Yates) from the "placement" stream of `seed`;
// layers draw in order, so layer l's placement depends only on (seed, l).
Placement place_random(uint32_t num_layers, uint32_t num_experts, uint32_t num_gpus, uint64_t seed);

// Co-activation counts of one layer: A(i, j) = number of tokens that chose both i and j
// (i != j; the diagonal is 0). `topk_experts` is row-major [tokens][k]; a token listing the
// same expert twice counts once per distinct pair. Throws InputError on an id >= num_experts
// or a length that is not a multiple of k.
Eigen::MatrixXd coactivation_matrix(std::span<const uint32_t> topk_experts, uint32_t k,
                                    uint32_t num_experts);

// Topology-aware placement (reference/policies.md §2.3 proposal): puts experts that are often
// chosen by the same token under the same leaf, so a token's copies cross the spine less.
// Per layer:
//   1. Leaf n has slots = (its GPUs) x (E/P) and a load budget (1 + load_slack) x total load x
//      slots / E.
//   2. Seed: leaves in id order each take the heaviest unplaced expert (ties: lower id).
//   3. Grow: repeatedly pick the leaf with free slots and the lowest load per slot (ties:
//      lower leaf id) and give it the unplaced expert with the largest co-activation with the
//      experts already there, among those that keep the leaf within budget (ties: heavier,
//      then lower id); if none fits, the lightest unplaced expert (ties: lower id).
//   4. Inside each leaf, EPLB balanced packing of its experts onto its GPUs by load.
// `leaf_of_gpu[g]` is the leaf (switch) of GPU g; leaf ids need not be dense. `coactivation`
// holds one E x E matrix per layer (symmetric, non-negative). No redundant slots.
Placement place_topology_aware(const ExpertLoads& loads,
                               const std::vector<Eigen::MatrixXd>& coactivation,
                               std::span<const uint32_t> leaf_of_gpu, double load_slack = 0.1);

// Checks that `loads` is a non-empty rectangle of finite non-negative values; returns E.
uint32_t check_loads(const ExpertLoads& loads);

}  // namespace moesim::workload
