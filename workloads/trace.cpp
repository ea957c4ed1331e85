// Router-trace model: batch invariants, in-memory traces and the counts form.
#include "workloads/trace.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "sim/core/error.hpp"

namespace moesim::workload {

void Batch::clear() {
  token_ids.clear();
  experts.clear();
  weights.clear();
  ranks.clear();
}

void check_batch(const Batch& b, const TraceShape& shape) {
  const auto fail = [&](const std::string& what) {
    throw InternalError(
        fmt::format("batch (iteration {}, layer {}): {}", b.iteration, b.layer, what));
  };
  const size_t n = b.num_tokens();
  if (b.top_k != shape.top_k) fail(fmt::format("top_k {}, trace has {}", b.top_k, shape.top_k));
  if (b.experts.size() != n * b.top_k) fail("expert array is not tokens x top_k");
  if (shape.has_weights ? b.weights.size() != b.experts.size() : !b.weights.empty())
    fail("weights do not match the trace shape");
  if (shape.has_ranks ? b.ranks.size() != n : !b.ranks.empty())
    fail("ranks do not match the trace shape");
  for (size_t t = 1; t < n; ++t) {
    if (b.token_ids[t] <= b.token_ids[t - 1]) fail("token ids not strictly increasing");
  }
  for (const ExpertId e : b.experts) {
    if (e >= shape.num_experts) fail(fmt::format("expert {} >= {}", e, shape.num_experts));
  }
}

Trace read_all(TraceReader& reader) {
  Trace trace;
  trace.shape = reader.shape();
  Batch b;
  while (reader.next(b))
    trace.batches.push_back(b);
  return trace;
}

bool MemoryTraceReader::next(Batch& out) {
  if (pos_ == trace_.batches.size()) return false;
  out = trace_.batches[pos_++];
  return true;
}

void check_num_experts(uint64_t n, std::string_view where) {
  if (n == 0 || n > kMaxExperts) {
    throw InputError(
        fmt::format("{}: {} experts: expected 1..{} (the largest MoE layers "
                    "published have about a million experts)",
                    where, n, kMaxExperts));
  }
}

LayerCounts count_experts(const Batch& b, uint32_t num_experts) {
  // num_experts sizes an allocation; it may come straight from a file header.
  check_num_experts(num_experts, "count_experts");
  LayerCounts c{b.iteration, b.layer, std::vector<uint64_t>(num_experts, 0)};
  for (const ExpertId e : b.experts) {
    if (e >= num_experts)
      throw InternalError(fmt::format("count_experts: expert {} >= {}", e, num_experts));
    ++c.counts[e];
  }
  return c;
}

ExpertCounts count_experts(const Trace& trace) {
  ExpertCounts out{trace.shape.num_experts, {}};
  out.entries.reserve(trace.batches.size());
  for (const Batch& b : trace.batches)
    out.entries.push_back(count_experts(b, trace.shape.num_experts));
  return out;
}

ExpertCounts count_experts(TraceReader& reader) {
  ExpertCounts out{reader.shape().num_experts, {}};
  Batch b;
  while (reader.next(b))
    out.entries.push_back(count_experts(b, out.num_experts));
  return out;
}

ExpertCounts sum_over_iterations(const ExpertCounts& c) {
  std::map<uint32_t, std::vector<uint64_t>> by_layer;  // ordered: layers ascending
  for (const LayerCounts& e : c.entries) {
    auto& sum = by_layer[e.layer];
    sum.resize(c.num_experts, 0);
    for (uint32_t x = 0; x < c.num_experts; ++x) {
      // Counts can come from a file as any 64-bit value; a wrapped sum would be a wrong load.
      if (__builtin_add_overflow(sum[x], e.counts[x], &sum[x])) {
        throw InputError(fmt::format(
            "counts: expert {} of layer {}: the counts summed over iterations pass 2^64 - 1 "
            "(at iteration {}): expected token counts whose total fits in 64 bits",
            x, e.layer, e.iteration));
      }
    }
  }
  ExpertCounts out{c.num_experts, {}};
  for (auto& [layer, counts] : by_layer)
    out.entries.push_back({0, layer, std::move(counts)});
  return out;
}

std::vector<std::vector<double>> layer_loads(const ExpertCounts& c) {
  uint32_t num_layers = 0;
  for (const LayerCounts& e : c.entries) {
    // The layer id sizes the result; it may come from a file.
    if (e.layer >= kMaxLayers) {
      throw InputError(
          fmt::format("counts: layer {}: expected a layer id below {}", e.layer, kMaxLayers));
    }
    num_layers = std::max(num_layers, e.layer + 1);
  }
  std::vector<std::vector<double>> loads(num_layers, std::vector<double>(c.num_experts, 0.0));
  for (const LayerCounts& e : c.entries) {
    for (uint32_t x = 0; x < c.num_experts; ++x)
      loads[e.layer][x] += static_cast<double>(e.counts[x]);
  }
  return loads;
}

}  // namespace moesim::workload
