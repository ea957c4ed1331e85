// Least-Loaded Expert Parallelism (LLEP, arXiv 2601.17111; SalesforceAIResearch/LeastLoadedEP
// compute_llep_lpt_plan at 034974620fc7), as specified in reference/policies.md §3.1: when a
// GPU's native experts exceed the cap alpha * (tokens / P), the excess token ranges of an
// expert (and its weights) move to the least-loaded GPUs. Input is global token-slot counts
// per expert under contiguous native placement (expert e native to GPU e / M); output is a
// plan of token ranges per expert, per-GPU loads and the weight transfers. A second step maps
// each range onto source ranks, which gives the dispatch traffic.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace moesim::workload {

struct LlepConfig {
  uint32_t num_gpus = 1;                // P (ep_size)
  uint32_t local_experts = 1;           // M, experts native to each GPU; E = P * M
  double alpha = 1.0;                   // capacity factor (max_tokens_factor), > 0
  uint64_t min_tokens_per_gemm = 1024;  // m: smallest spilled chunk unless it ends the expert
};

// Expert `expert`'s tokens [start, end) (in the global order of its slots) run on `gpu`.
struct LlepAssignment {
  uint32_t expert = 0;
  uint32_t gpu = 0;
  uint64_t start = 0;
  uint64_t end = 0;
  bool operator==(const LlepAssignment&) const = default;
};

// The expert's weights are copied from its native GPU to `dst_gpu` for tokens [start, end).
struct WeightTransfer {
  uint32_t expert = 0;
  uint32_t src_gpu = 0;
  uint32_t dst_gpu = 0;
  uint64_t start = 0;
  uint64_t end = 0;
  bool operator==(const WeightTransfer&) const = default;
};

struct LlepPlan {
  std::vector<uint64_t> counts;  // the input: token slots per expert
  uint64_t capacity = 0;         // cap = max(int(alpha * (sum // P)), 1), or sum when sum // P == 0
  // In creation order: experts by count descending (ties: lower id), each expert's chunks
  // contiguous with its native GPU first if it keeps tokens. Zero-count experts are absent.
  std::vector<LlepAssignment> assignments;
  std::vector<uint64_t> gpu_loads;        // [gpu] tokens assigned; sums to sum(counts)
  std::vector<WeightTransfer> transfers;  // one per spilled chunk, in creation order
  std::vector<uint32_t> forced_gpus;      // GPUs that received a forced (over-cap) chunk

  // The chunks of one expert, in creation order.
  std::vector<LlepAssignment> chunks_of(uint32_t expert) const;
};

// Least-Loaded Assignment (§3.1 step 1). Throws InputError if counts.size() != P * M, P or M
// is 0, alpha is not a positive finite number, or the counts sum past 2^63 - 1 (as do
// native_plan and llep_should_rebalance).
LlepPlan llep_plan(std::span<const uint64_t> counts, const LlepConfig& config);

// Standard EP: every expert whole on its native GPU (what LLEP falls back to when skipped).
LlepPlan native_plan(std::span<const uint64_t> counts, const LlepConfig& config);

// Step 0 as in the code: max / mean of per-GPU native loads >= lambda. All-zero counts -> false.
bool llep_should_rebalance(std::span<const uint64_t> counts, const LlepConfig& config,
                           double lambda);

// Where each source rank's slots of each expert go. Expert e's slots are ordered globally by
// source rank (rank 0's first), so a chunk [start, end) takes slots from the ranks whose
// cumulative range [cum_e(r), cum_e(r+1)) intersects it: low ranks feed the native GPU.
struct TokenMove {
  uint32_t expert = 0;
  uint32_t src_rank = 0;
  uint32_t dst_gpu = 0;
  uint64_t count = 0;
  bool operator==(const TokenMove&) const = default;
};
// `counts_by_rank[r][e]` = slots of expert e routed from rank r; the column sums must equal the
// counts the plan was made from (InputError otherwise). Moves in plan order, then rank order.
std::vector<TokenMove> llep_token_moves(const LlepPlan& plan,
                                        const std::vector<std::vector<uint64_t>>& counts_by_rank);

// Per-slot destinations for one layer: `experts` is row-major [tokens][k], `src_rank[t]` the
// source GPU of token t. Inside a rank, an expert's slots are taken in token order (then k
// order), matching llep_token_moves. Returns the GPU of every slot, same layout as `experts`.
std::vector<uint32_t> llep_dispatch(const LlepPlan& plan, std::span<const uint32_t> experts,
                                    uint32_t k, std::span<const uint32_t> src_rank,
                                    uint32_t num_ranks);

}  // namespace moesim::workload
