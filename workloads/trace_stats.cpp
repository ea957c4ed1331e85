// Trace statistics: streaming accumulation per layer and the Zipf fit (the table and CSV:
// trace_stats_format.cpp).
#include "workloads/trace_stats.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

#include "sim/core/error.hpp"

namespace moesim::workload {
namespace {

constexpr size_t kShareBins = 10000;

struct LoadSummary {
  double max_over_mean = 0, cv = 0, top10_share = 0;
  uint32_t idle = 0;
};

LoadSummary summarize(std::span<const uint64_t> counts) {
  LoadSummary s;
  const auto n = static_cast<double>(counts.size());
  double sum = 0, sum_sq = 0;
  uint64_t max = 0;
  for (const uint64_t c : counts) {
    sum += static_cast<double>(c);
    sum_sq += static_cast<double>(c) * static_cast<double>(c);
    max = std::max(max, c);
    s.idle += c == 0;
  }
  if (sum == 0) return s;
  const double mean = sum / n;
  s.max_over_mean = static_cast<double>(max) / mean;
  s.cv = std::sqrt(std::max(0.0, sum_sq / n - mean * mean)) / mean;
  std::vector<uint64_t> sorted(counts.begin(), counts.end());
  std::sort(sorted.begin(), sorted.end(), std::greater<>());
  const auto hot = static_cast<size_t>(std::ceil(n / 10.0));
  double hot_sum = 0;
  for (size_t i = 0; i < hot; ++i)
    hot_sum += static_cast<double>(sorted[i]);
  s.top10_share = hot_sum / sum;
  return s;
}

double quantile(const std::vector<uint64_t>& hist, uint64_t total, double q) {
  // The bin holding the ceil(q * total)-th smallest value, reported at its centre.
  const auto rank = std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(q * total)));
  uint64_t seen = 0;
  for (size_t i = 0; i < hist.size(); ++i) {
    if ((seen += hist[i]) >= rank) return (static_cast<double>(i) + 0.5) / hist.size();
  }
  return 1.0;
}

}  // namespace

double fit_zipf_exponent(std::span<const uint64_t> counts) {
  std::vector<uint64_t> sorted;
  for (const uint64_t c : counts) {
    if (c > 0) sorted.push_back(c);
  }
  if (sorted.size() < 2) return 0;
  std::sort(sorted.begin(), sorted.end(), std::greater<>());
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  const auto n = static_cast<double>(sorted.size());
  for (size_t r = 0; r < sorted.size(); ++r) {
    const double x = std::log(static_cast<double>(r + 1));
    const double y = std::log(static_cast<double>(sorted[r]));
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  }
  const double slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
  return -slope;
}

double median_of(std::vector<double> values) {
  std::erase_if(values, [](double v) { return std::isnan(v); });
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(values.begin(), values.end());
  const size_t m = values.size() / 2;
  return values.size() % 2 ? values[m] : 0.5 * (values[m - 1] + values[m]);
}

StatsAccumulator::StatsAccumulator(const TraceShape& shape,
                                   const std::optional<SegmentOptions>& segments)
    : shape_(shape), share_sum_by_slot_(shape.top_k, 0.0) {
  if (shape_.has_weights) share_hist_.assign(kShareBins, 0);
  if (segments) segments_.emplace(shape, *segments);
}

StatsAccumulator::Layer& StatsAccumulator::layer(uint32_t l) {
  Layer& acc = layers_[l];
  acc.counts.resize(shape_.num_experts, 0);
  return acc;
}

void StatsAccumulator::add_batch_counts(Layer& acc, std::span<const uint64_t> counts) {
  uint64_t sum = 0;
  for (uint32_t e = 0; e < shape_.num_experts; ++e) {
    acc.counts[e] += counts[e];
    sum += counts[e];
  }
  ++acc.batches;
  if (sum == 0) return;
  acc.sum_batch_max_over_mean += summarize(counts).max_over_mean;
  ++acc.batches_with_load;
}

void StatsAccumulator::add(const Batch& b) {
  check_batch(b, shape_);
  if (segments_) segments_->add(b);
  Layer& acc = layer(b.layer);
  scratch_.assign(shape_.num_experts, 0);
  for (const ExpertId e : b.experts)
    ++scratch_[e];
  add_batch_counts(acc, scratch_);
  const size_t n = b.num_tokens();
  acc.tokens += n;
  if (b.top_k > 0) {
    for (size_t t = 1; t < n; ++t) {
      acc.repeats += b.experts[t * b.top_k] == b.experts[(t - 1) * b.top_k];
      ++acc.pairs;
    }
  }
  if (!shape_.has_weights) return;
  for (size_t t = 0; t < n; ++t) {
    const std::span<const float> w = b.weights_of(t);
    double sum = 0;
    for (const float x : w)
      sum += x;
    if (!(sum > 0)) continue;
    const double share = w[0] / sum;
    share_sum_ += share;
    ++share_tokens_;
    ++share_hist_[std::min(kShareBins - 1, static_cast<size_t>(share * kShareBins))];
    for (uint32_t j = 0; j < b.top_k; ++j)
      share_sum_by_slot_[j] += w[j] / sum;
  }
}

void StatsAccumulator::add(const LayerCounts& c) {
  if (c.counts.size() != shape_.num_experts)
    throw InternalError("StatsAccumulator: counts do not match num_experts");
  add_batch_counts(layer(c.layer), c.counts);
}

TraceStats StatsAccumulator::result() const {
  TraceStats out{shape_.num_experts, shape_.top_k, {}, {}};
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  for (const auto& [l, acc] : layers_) {
    TraceLayerStats s;
    s.layer = l;
    s.tokens = acc.tokens;
    for (const uint64_t c : acc.counts)
      s.selections += c;
    s.batches = acc.batches;
    const LoadSummary sum = summarize(acc.counts);
    s.max_over_mean = sum.max_over_mean;
    s.cv = sum.cv;
    s.top10_share = sum.top10_share;
    s.idle_experts = sum.idle;
    s.zipf_s = fit_zipf_exponent(acc.counts);
    s.mean_batch_max_over_mean =
        acc.batches_with_load ? acc.sum_batch_max_over_mean / acc.batches_with_load : kNaN;
    if (acc.pairs > 0) s.locality = static_cast<double>(acc.repeats) / acc.pairs;
    s.locality_pairs = acc.pairs;
    out.layers.push_back(s);
  }
  if (segments_) {
    const std::map<uint32_t, SegmentStats> seg = segments_->layers();
    for (TraceLayerStats& s : out.layers) {
      const auto it = seg.find(s.layer);
      if (it != seg.end()) s.segments = it->second;
    }
    out.segment_options = segments_->options();
    out.segments_pooled = segments_->pooled();
  }
  if (shape_.has_weights && share_tokens_ > 0) {
    ShareStats sh;
    sh.tokens = share_tokens_;
    sh.mean = share_sum_ / share_tokens_;
    sh.p10 = quantile(share_hist_, share_tokens_, 0.10);
    sh.p50 = quantile(share_hist_, share_tokens_, 0.50);
    sh.p90 = quantile(share_hist_, share_tokens_, 0.90);
    for (const double x : share_sum_by_slot_)
      sh.mean_share_by_slot.push_back(x / share_tokens_);
    out.top1_share = sh;
  }
  return out;
}

TraceStats compute_stats(TraceReader& reader, const std::optional<SegmentOptions>& segments) {
  StatsAccumulator acc(reader.shape(), segments);
  Batch b;
  while (reader.next(b))
    acc.add(b);
  return acc.result();
}

TraceStats compute_stats(const Trace& trace) {
  MemoryTraceReader reader(trace);
  return compute_stats(reader);
}

TraceStats compute_stats(const ExpertCounts& counts) {
  StatsAccumulator acc({counts.num_experts, 0, false, false});
  for (const LayerCounts& c : counts.entries)
    acc.add(c);
  return acc.result();
}

}  // namespace moesim::workload
