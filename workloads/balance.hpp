// Runtime load balancing of one MoE layer's routed token slots (reference/policies.md §1.4,
// §1.7, §2.2): expert capacity with dropping or padding, auxiliary-loss-free bias balancing
// across iterations, and the choice of a replica when an expert has several slots. LLEP is in
// llep.hpp. Token -> expert lists are row-major spans [tokens][k] ("slot" = one (token, k)
// pair, index t * k + j), so these functions compose with any router trace.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "workloads/placement.hpp"

namespace moesim::workload {

// ---- Capacity factor, dropping and padding (§1.4, Megatron apply_router_token_dropping) ----

enum class CapacityMode {
  dropless,    // every slot processed (Megatron and DeepSeek-V3 default)
  drop,        // at most C slots per expert; the rest dropped
  pad,         // drop above C, and every expert computes and sends exactly C rows
  pad_to_max,  // nothing dropped, every expert computes max_e load_e rows (DeepSpeed
               // drop_tokens=False)
};

enum class DropPolicy {
  position,     // keep the first C slots in token order (lowest token index first)
  probability,  // keep the C slots with the highest gate weight (ties: lower token index)
};

// Megatron get_capacity: C = ceil((T * K / E) * capacity_factor), then at least min_capacity.
// Computed in double in that order, as Megatron does, so ulp effects match it too (e.g.
// T * K / E = 50 with factor 1.1 gives ceil(55.00000000000001) = 56). InputError if E == 0 or
// the factor is not a positive finite number.
uint64_t expert_capacity(uint64_t num_tokens, uint32_t top_k, uint32_t num_experts,
                         double capacity_factor, uint64_t min_capacity = 0);

struct CapacityConfig {
  CapacityMode mode = CapacityMode::dropless;
  double capacity_factor = 1.0;                      // drop and pad modes
  DropPolicy drop_policy = DropPolicy::probability;  // Megatron's default: probs
  uint64_t min_capacity = 0;
};

struct CapacityResult {
  std::optional<uint64_t> capacity;  // rows per expert; none when dropless
  std::vector<uint8_t> kept;         // [slot] 1 if processed, 0 if dropped
  std::vector<uint64_t> load;        // [expert] slots routed to it
  std::vector<uint64_t> processed;   // [expert] real slots kept
  std::vector<uint64_t> rows;        // [expert] rows computed and sent (processed + padding)
  uint64_t num_slots = 0;            // = num_kept + num_dropped
  uint64_t num_kept = 0;
  uint64_t num_dropped = 0;
  uint64_t num_padding = 0;  // = sum(rows) - num_kept
};

// `weights` (gate weight per slot) is needed by DropPolicy::probability and may otherwise be
// empty. InputError on an expert id >= num_experts, a length that is not tokens x k, or
// missing / non-finite weights.
CapacityResult apply_capacity(std::span<const uint32_t> experts, std::span<const double> weights,
                              uint32_t k, uint32_t num_experts, const CapacityConfig& config);

// ---- Auxiliary-loss-free bias balancing (§1.7, DeepSeek-V3 eq. 16, Megatron's update) ----

// One per MoE layer, kept across iterations. After each step, with c_i the slots routed to
// expert i over the whole step and mean = sum(c) / E: b_i += u * sign(mean - c_i), sign(0) = 0.
// (Megatron keeps b in fp32; here double.)
class BiasBalancer {
 public:
  BiasBalancer(uint32_t num_experts, double update_rate);
  std::span<const double> bias() const { return bias_; }
  void update(std::span<const uint64_t> counts);

 private:
  double update_rate_;
  std::vector<double> bias_;
};

// Top-k per token selected on score + bias (larger first, ties: lower expert id); the weights
// use the raw scores of the selected experts (DeepSeek-V3 Gate: bias for selection only),
// divided by their sum if `normalize` (sigmoid gates), then multiplied by `scale`
// (route_scale). `scores` is row-major [tokens][num_experts]; `bias` empty or num_experts long.
struct TopKSelection {
  std::vector<uint32_t> experts;  // [tokens][k], in selection order
  std::vector<double> weights;    // [tokens][k]
};
TopKSelection select_top_k(std::span<const double> scores, uint32_t num_experts, uint32_t k,
                           std::span<const double> bias = {}, bool normalize = true,
                           double scale = 1.0);

// Slots per expert: counts[e] = occurrences of e in `experts` (InputError if e >= num_experts).
std::vector<uint64_t> slot_counts(std::span<const uint32_t> experts, uint32_t num_experts);

// ---- Replica choice among an expert's slots (§2.2 "Dispatch among replicas") ----

enum class ReplicaPolicy {
  round_robin,   // the i-th slot routed to expert e goes to its replica i mod logcnt[e]
  nearest,       // a replica on the token's GPU, else on its node, else anywhere; among equally
                 // near replicas the one given the fewest slots so far (ties: lower slot)
  least_loaded,  // the replica whose GPU has received the fewest slots so far in this call
                 // (ties: fewer slots on the replica, then lower slot)
};

// Chooses a physical slot for every (token, k) slot of one layer, visiting slots in order.
// `src_gpu[t]` is token t's GPU and `node_of_gpu[g]` GPU g's node (leaf); both are used by
// `nearest` only and may be empty for the other policies (an empty node map makes every GPU
// its own node). Returns the slot index for each entry of `experts`.
std::vector<uint32_t> choose_replicas(const Placement& placement, uint32_t layer,
                                      std::span<const uint32_t> experts, uint32_t k,
                                      std::span<const uint32_t> src_gpu,
                                      std::span<const uint32_t> node_of_gpu, ReplicaPolicy policy);

}  // namespace moesim::workload
