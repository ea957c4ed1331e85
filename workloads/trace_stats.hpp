// Statistics of a router trace, as reported in reference/traces.md §4: per layer the load
// imbalance (max/mean tokens per expert), CV, a Zipf exponent fit, the top-10 % share and the
// temporal locality of top-1 choices and, if asked, the local routing consistency SRP and SCH
// (trace_segments.hpp); over the trace, the distribution of the top-1 expert's share of a
// token's gate weight. Computed in one streaming pass (StatsAccumulator), so a
// trace of any size can be summarised.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "workloads/trace.hpp"
#include "workloads/trace_segments.hpp"

namespace moesim::workload {

struct TraceLayerStats {
  uint32_t layer = 0;
  uint64_t tokens = 0;      // over all iterations (0 for the counts form)
  uint64_t selections = 0;  // expert slots = the sum of the loads
  uint64_t batches = 0;     // (iteration, layer) batches seen
  // Of the layer's loads summed over iterations (every top-k slot counts): hottest expert /
  // mean over experts, std/mean, least-squares Zipf exponent (fit_zipf_exponent), and the
  // share of the hottest ceil(E/10) experts.
  double max_over_mean = 0;
  double cv = 0;
  double zipf_s = 0;
  double top10_share = 0;
  uint32_t idle_experts = 0;  // experts with no token
  // max/mean of each (iteration, layer) batch, averaged over batches: the imbalance a step
  // sees, which grows as batches shrink (traces.md §4.3).
  double mean_batch_max_over_mean = 0;
  // Share of tokens whose top-1 expert equals the previous token's, over consecutive tokens
  // of one batch; empty if the layer has no such pair.
  std::optional<double> locality;
  uint64_t locality_pairs = 0;
  std::optional<SegmentStats> segments;  // SRP and SCH, when asked for
};

// The top-1 expert's share of its token's gate weight, w[0] / sum(w) (tokens with sum 0 are
// skipped). Quantiles come from a histogram of 10,000 bins over [0, 1]: within 1e-4.
struct ShareStats {
  uint64_t tokens = 0;
  double mean = 0, p10 = 0, p50 = 0, p90 = 0;
  std::vector<double> mean_share_by_slot;  // [top_k]: mean of w[j] / sum(w)
};

struct TraceStats {
  uint32_t num_experts = 0;
  uint32_t top_k = 0;
  std::vector<TraceLayerStats> layers;   // layers ascending
  std::optional<ShareStats> top1_share;  // only if the trace has weights
  // When SRP and SCH were asked for: their parameters and all layers pooled.
  std::optional<SegmentOptions> segment_options;
  std::optional<SegmentStats> segments_pooled;
};

class StatsAccumulator {
 public:
  // With `segments`, also SRP and SCH (InternalError if its options are out of range).
  explicit StatsAccumulator(const TraceShape& shape,
                            const std::optional<SegmentOptions>& segments = {});
  void add(const Batch& b);
  void add(const LayerCounts& c);  // loads only: no locality, no shares
  TraceStats result() const;

 private:
  struct Layer {
    std::vector<uint64_t> counts;
    uint64_t tokens = 0, batches = 0;
    double sum_batch_max_over_mean = 0;
    uint64_t batches_with_load = 0;
    uint64_t repeats = 0, pairs = 0;
  };
  Layer& layer(uint32_t l);
  void add_batch_counts(Layer& l, std::span<const uint64_t> counts);

  TraceShape shape_;
  std::map<uint32_t, Layer> layers_;  // ordered: deterministic output
  std::optional<SegmentAccumulator> segments_;
  std::vector<uint64_t> scratch_;
  std::vector<uint64_t> share_hist_;
  std::vector<double> share_sum_by_slot_;
  double share_sum_ = 0;
  uint64_t share_tokens_ = 0;
};

TraceStats compute_stats(TraceReader& reader, const std::optional<SegmentOptions>& segments = {});
TraceStats compute_stats(const Trace& trace);
TraceStats compute_stats(const ExpertCounts& counts);

// Zipf exponent of a load vector: sort descending, fit log(count) = c - s * log(rank) by
// ordinary least squares over the experts with a non-zero count (rank 1 = hottest), return s.
// 0 if fewer than two experts have load.
double fit_zipf_exponent(std::span<const uint64_t> counts);

// Median of the defined values (NaN if none).
double median_of(std::vector<double> values);

// A fixed-width table: one row per layer, a row of medians over layers, the top-1 share and,
// with SRP and SCH, a line of their values pooled over layers.
std::string format_stats_table(const TraceStats& s);

// The same as CSV: a header, one row per layer, then a row `all` with the tokens and slots
// summed and SRP and SCH pooled over layers (its load columns are empty: those are per layer).
// Undefined values are empty cells; SRP and SCH columns only when they were asked for.
std::string format_stats_csv(const TraceStats& s);

}  // namespace moesim::workload
