// DeepSeek's Expert-Parallelism Load Balancer (deepseek-ai/EPLB eplb.py, commit d52c72d5b2f2),
// ported step by step from reference/policies.md §2.2: replicate heavy experts into redundant
// slots and pack the slots onto GPUs so per-GPU load is even. Hierarchical: pack expert groups
// to nodes, replicate inside each node, pack each node's slots to its GPUs. Global: the same
// with one group and one node. Tie rule (moesim's, see §2.2): stable descending sorts and
// first-index argmin/argmax, which reproduce upstream wherever upstream itself is tie-free.
// Loads are doubles (upstream casts to float32); both agree on the stored test vectors.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "workloads/placement.hpp"

namespace moesim::workload {

// Sub-routine A: `weights.size()` items into `num_packs` packs of exactly n / num_packs items
// (n % num_packs == 0). Heaviest first (stable), each into the lightest pack that still has
// room (lowest index on ties). With one item per pack, item i -> pack i (no balancing).
struct Packing {
  std::vector<uint32_t> pack;  // [item] -> pack
  std::vector<uint32_t> rank;  // [item] -> position inside its pack, in insertion order
};
Packing balanced_packing(std::span<const double> weights, uint32_t num_packs);

// Sub-routine B: slots 0..n-1 hold experts 0..n-1; each further slot replicates the expert
// with the largest weight / replicas (first index on ties). num_slots >= weights.size().
struct Replication {
  std::vector<uint32_t> phy2log;  // [slot] -> expert
  std::vector<uint32_t> rank;     // [slot] -> replica rank of that slot
  std::vector<uint32_t> logcnt;   // [expert] -> replicas
};
Replication replicate_experts(std::span<const double> weights, uint32_t num_slots);

enum class EplbPolicy {
  automatic,     // hierarchical if num_groups % num_nodes == 0, else global (as upstream)
  hierarchical,  // InputError if num_groups % num_nodes != 0
  global,
};

struct EplbConfig {
  uint32_t num_slots = 0;   // R, physical expert slots (>= E, a multiple of num_gpus)
  uint32_t num_groups = 1;  // G, expert groups of the group-limited router (E % G == 0)
  uint32_t num_nodes = 1;   // N (num_gpus % N == 0 when hierarchical)
  uint32_t num_gpus = 1;    // P
  EplbPolicy policy = EplbPolicy::automatic;
};

// rebalance_experts: loads [layer][expert] -> placement with R slots. log2phy lists each
// expert's slots by the replica rank that replicate_experts gave them. Throws InputError
// naming the violated precondition (E % G, R % P, R >= E, bad loads; hierarchical: P % N).
Placement eplb(const ExpertLoads& loads, const EplbConfig& config);

}  // namespace moesim::workload
