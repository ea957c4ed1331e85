// Readers and writers for the router-trace formats of DESIGN.md §4, plus importers for the real
// count files in data/traces/. Raw text becomes validated Batches here, at the edge: an expert
// id out of range, a token with another number of experts than the rest, a malformed line or
// number, or a missing column throws InputError "path:line: field 'f': value 'v': expected ...".
//
// Long CSV   `iteration,layer,token,rank,expert,weight`: one row per (token, chosen expert),
//            rows of a token consecutive and in rank order (top-1 first). A header line is
//            required; columns may come in any order; `rank` and `weight` may be left out (then
//            the trace has no ranks / weights). Blank lines and lines starting with '#' are
//            skipped.
// JSONL      one object per (token, layer) — the layout of the Mixtral files in data/traces:
//            {"layer": L, "experts": [e1, e2], "gating_probs": [p1, p2], "token_idx": T}, and
//            optionally "iteration", "rank". `token_pos` (the raw profiler's name) is accepted
//            for `token_idx`; other keys ("dataset", "problem_id", ...) are skipped. Without an
//            "iteration" key, a new iteration starts when ("dataset", "problem_id") changes,
//            when the layer goes down, or when the layer stays and the token index does not go
//            up; iterations are then numbered 0, 1, ... in file order. So a processed Mario928
//            file gives one iteration per problem (all its decode tokens), and the raw
//            prefill/decode file gives the prefill pass then one iteration per decode step.
//            The derived one-line-per-token file (humaneval_p0_aligned_..., "experts" nested
//            per layer) is another layout and is rejected as malformed.
// Counts CSV `iteration,layer,expert,count`: rows of one (iteration, layer) consecutive; an
//            expert without a row has count 0.
// Binary    `.mtrace`: "MOETRACE", u32 version 1, num_experts, top_k, flags (1 weights, 2
//            ranks); then per batch u32 iteration, layer, num_tokens, u32 token ids, expert ids
//            (u16 if num_experts <= 65536, else u32), f32 weights, u32 ranks; little-endian. Its
//            reader takes num_experts and top_k from the header (options, if non-zero, must
//            agree) and reports errors by batch number and byte offset.
// NumPy    `.npy` / `.npz` (npy_format.hpp): integer expert ids shaped [layers, tokens, k] or
//            [tokens, layers, k] (TraceReadOptions::npy_layout), what numpy.save gives for a
//            vLLM, SGLang or Megatron router dump; a .npz holds that one integer array under
//            any name and at most one float array of gate weights of the same shape. One
//            iteration, token ids 0..T-1, no ranks. Read strictly (dtype, shape, ids in range)
//            and streamed a layer at a time ([tokens, layers, k] takes one pass per layer).
//            Written as "experts" (<i4) and, in .npz, "weights" (<f4); a trace with several
//            iterations, ranks, unequal token counts or (for .npy) weights is refused.
// Every format: iterations nondecreasing, each (iteration, layer) in one contiguous run,
// token ids strictly increasing within a batch (so a file streams batch by batch).
//
// JSON parsing: a small strict cursor (trace_json.hpp), not boost::property_tree. Measured on
// the real Mixtral JSONL (18,668 lines, -O2, this machine): property_tree's read_json per line
// plus extraction 0.14-0.16 M lines/s, and it would accept "7" for 7 (it keeps numbers as
// text); the cursor-based reader 2.6-2.7 M lines/s (~400 MB/s), so about 17x faster.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "workloads/trace.hpp"

namespace moesim::workload {

// The axis order of a NumPy routed-expert array.
enum class NpyLayout : uint8_t { layers_tokens_k, tokens_layers_k };

struct TraceReadOptions {
  uint32_t num_experts = 0;  // required: expert ids must lie in [0, num_experts)
  uint32_t top_k = 0;        // 0: every token must have as many experts as the first one
  NpyLayout npy_layout = NpyLayout::layers_tokens_k;
};

// Streaming readers; the first record is read at once, so shape() is known on return.
std::unique_ptr<TraceReader> open_csv_trace(const std::string& path, const TraceReadOptions& o);
std::unique_ptr<TraceReader> open_jsonl_trace(const std::string& path, const TraceReadOptions& o);
std::unique_ptr<TraceReader> open_binary_trace(const std::string& path, const TraceReadOptions& o);
std::unique_ptr<TraceReader> open_npy_trace(const std::string& path, const TraceReadOptions& o);
// By extension: .csv, .jsonl, .mtrace, .npy or .npz (InputError otherwise).
std::unique_ptr<TraceReader> open_trace(const std::string& path, const TraceReadOptions& o);
Trace read_trace(const std::string& path, const TraceReadOptions& o);

// Writers stream batches to "<path>.tmp" and rename it to `path` on close(); a writer
// destroyed without close() leaves nothing behind. Floats print in their shortest exact form,
// so reading a written file and writing it again gives identical bytes.
class TraceWriter {
 public:
  virtual ~TraceWriter() = default;
  // InternalError if the batch does not fit the shape given at construction.
  virtual void write(const Batch& b) = 0;
  virtual void close() = 0;
};

std::unique_ptr<TraceWriter> make_csv_trace_writer(const std::string& path,
                                                   const TraceShape& shape);
std::unique_ptr<TraceWriter> make_jsonl_trace_writer(const std::string& path,
                                                     const TraceShape& shape);
std::unique_ptr<TraceWriter> make_binary_trace_writer(const std::string& path,
                                                      const TraceShape& shape);
std::unique_ptr<TraceWriter> make_npy_trace_writer(const std::string& path,
                                                   const TraceShape& shape);
// By extension: .csv, .jsonl, .mtrace, .npy or .npz.
std::unique_ptr<TraceWriter> make_trace_writer(const std::string& path, const TraceShape& shape);
void write_trace(const std::string& path, const Trace& trace);
// Streams every batch of `reader` into `writer`, then closes the writer.
void copy_trace(TraceReader& reader, TraceWriter& writer);

// ---- counts ----

struct CountsReadOptions {
  uint32_t num_experts = 0;  // required
  // Extra key columns and the value a row must have to be kept, e.g. {"model", "olmoe"} for
  // data/traces' OLMoE expert_counts.csv. Any other column besides iteration, layer, expert and
  // count is an error. A file without an `iteration` column is iteration 0.
  std::vector<std::pair<std::string, std::string>> filters;
};

class CountsReader {
 public:
  virtual ~CountsReader() = default;
  virtual bool next(LayerCounts& out) = 0;
  virtual uint32_t num_experts() const = 0;
};

std::unique_ptr<CountsReader> open_counts_csv(const std::string& path, const CountsReadOptions& o);
ExpertCounts read_counts_csv(const std::string& path, const CountsReadOptions& o);

class CountsWriter {
 public:
  CountsWriter(const std::string& path, uint32_t num_experts);
  ~CountsWriter();
  // One row per expert, zeros included.
  void write(const LayerCounts& c);
  void close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

void write_counts_csv(const std::string& path, const ExpertCounts& counts);

// A headerless matrix, one line per layer (0, 1, ...) of comma-separated counts per expert,
// '#' comment lines (data/traces' mixtral-8x7b_expert-activation-counts_abhibambhaniya).
// Iteration 0; every row must have the same number of experts.
ExpertCounts read_count_matrix_csv(const std::string& path);

// specMoE's expert_statistics_3d.json: {"num_experts": E, "expert_usage_by_layer":
// {"<layer>": {"<expert>": count, ...}, ...}, ...}; other keys skipped; iteration 0.
ExpertCounts read_expert_usage_json(const std::string& path);

}  // namespace moesim::workload
