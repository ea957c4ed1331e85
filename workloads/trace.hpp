// The router-trace model: which experts each token of each (iteration, layer) chose. A trace is
// a sequence of Batches, one per (iteration, layer), each holding flat row-major arrays
// ([tokens x top_k] expert ids in rank order, top-1 first; optional gate weights; optional
// source GPU per token). Readers and generators hand out one Batch at a time through
// TraceReader, so a trace larger than memory is processed in chunks; the counts form
// (ExpertCounts) keeps only tokens per expert. Formats: trace_io.hpp; generators: trace_gen.hpp.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace moesim::workload {

// 32-bit so a Batch's ids can be handed to placement code (span<const uint32_t>) without a copy.
using ExpertId = uint32_t;

// The most experts per layer a trace may have: 2^20 = 1,048,576, the "million experts" of
// PEER (He, 2024), the largest published MoE layer (DeepSeek-V3 has 256). Counts and stats
// keep one 64-bit counter per expert per layer, so this bounds what a count taken from a
// file header or an option can make moesim allocate (8 MiB per layer at the limit).
inline constexpr uint32_t kMaxExperts = uint32_t{1} << 20;

// The most layers layer_loads lays out densely: 65,536, 500 times the deepest published
// transformers (about 128 layers).
inline constexpr uint32_t kMaxLayers = uint32_t{1} << 16;

// InputError "`where`: N experts: expected 1..1048576 ..." unless 1 <= n <= kMaxExperts.
void check_num_experts(uint64_t n, std::string_view where);

// What every batch of one trace shares.
struct TraceShape {
  uint32_t num_experts = 0;
  uint32_t top_k = 0;
  bool has_weights = false;  // gate weights, one per chosen expert
  bool has_ranks = false;    // source GPU of each token
  bool operator==(const TraceShape&) const = default;
};

// One (iteration, layer). Invariants (check_batch): experts.size() == num_tokens() * top_k;
// weights empty or the same size; ranks empty or one per token; token_ids strictly increasing.
struct Batch {
  uint32_t iteration = 0;
  uint32_t layer = 0;
  uint32_t top_k = 0;
  std::vector<uint32_t> token_ids;  // one per token: the token's index in its sequence or batch
  std::vector<ExpertId> experts;    // [token][slot], slot 0 = the top-1 expert
  std::vector<float> weights;       // empty, or [token][slot]
  std::vector<uint32_t> ranks;      // empty, or [token]: the GPU the token starts on

  size_t num_tokens() const { return token_ids.size(); }
  std::span<const ExpertId> experts_of(size_t token) const {
    return {experts.data() + token * top_k, top_k};
  }
  std::span<const float> weights_of(size_t token) const {
    return {weights.data() + token * top_k, top_k};
  }
  // Empties the arrays but keeps their capacity, so a reader can reuse one Batch.
  void clear();
  bool operator==(const Batch&) const = default;
};

// Throws InternalError if `b` breaks the Batch invariants or disagrees with `shape` (an expert
// id >= num_experts, another top_k, weights or ranks present when the shape says absent or
// vice versa). Readers validate their input themselves with file:line messages; this guards
// batches that code builds.
void check_batch(const Batch& b, const TraceShape& shape);

// A source of batches in trace order: iterations nondecreasing, each (iteration, layer) once.
class TraceReader {
 public:
  virtual ~TraceReader() = default;
  // Fills `out` with the next batch (reusing its storage); false at the end of the trace.
  virtual bool next(Batch& out) = 0;
  // Known from construction (a file reader looks at its first record; top_k is 0 for an
  // empty trace).
  virtual const TraceShape& shape() const = 0;
};

// A whole trace in memory.
struct Trace {
  TraceShape shape;
  std::vector<Batch> batches;
  bool operator==(const Trace&) const = default;
};

// Drains `reader` into memory.
Trace read_all(TraceReader& reader);

// Hands out the batches of an in-memory trace (copies; the trace must outlive the reader).
class MemoryTraceReader : public TraceReader {
 public:
  explicit MemoryTraceReader(const Trace& trace) : trace_(trace) {}
  bool next(Batch& out) override;
  const TraceShape& shape() const override { return trace_.shape; }

 private:
  const Trace& trace_;
  size_t pos_ = 0;
};

// Tokens per expert of one (iteration, layer): every top-k slot counts once.
struct LayerCounts {
  uint32_t iteration = 0;
  uint32_t layer = 0;
  std::vector<uint64_t> counts;  // [num_experts]
  bool operator==(const LayerCounts&) const = default;
};

// The counts form of a trace: no tokens, only loads. Entries in trace order.
struct ExpertCounts {
  uint32_t num_experts = 0;
  std::vector<LayerCounts> entries;
  bool operator==(const ExpertCounts&) const = default;
};

// InputError (check_num_experts) if num_experts is 0 or above kMaxExperts.
LayerCounts count_experts(const Batch& b, uint32_t num_experts);
ExpertCounts count_experts(const Trace& trace);
// Streams `reader` to the end, keeping only counts.
ExpertCounts count_experts(TraceReader& reader);

// Sums over iterations: one entry per layer (iteration 0), layers ascending. InputError if a
// sum passes 2^64 - 1.
ExpertCounts sum_over_iterations(const ExpertCounts& c);

// Per-layer loads as [layer][expert] doubles for placement (layers 0..max layer; a layer with
// no entry is all zeros), summed over iterations. InputError for a layer id >= kMaxLayers.
std::vector<std::vector<double>> layer_loads(const ExpertCounts& c);

}  // namespace moesim::workload
