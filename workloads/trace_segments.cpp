// SRP and SCH (trace_segments.hpp): a window of m tokens slides over each batch, keeping per
// expert its count in the window and a histogram of those counts, so each token costs O(k)
// updates and each evaluated segment O(m k) (the histogram walk), whatever the expert count.
#include "workloads/trace_segments.hpp"

#include <algorithm>
#include <limits>

#include "sim/core/error.hpp"

namespace moesim::workload {

SegmentAccumulator::SegmentAccumulator(const TraceShape& shape, const SegmentOptions& o)
    : shape_(shape), o_(o) {
  if (o.tokens == 0 || o.stride == 0 || o.cache_experts == 0 ||
      o.cache_experts > shape.num_experts) {
    throw InternalError("SegmentAccumulator: options out of range");
  }
}

void SegmentAccumulator::add(const Batch& b) {
  check_batch(b, shape_);
  Layer& l = layers_[b.layer];
  // Counts reach m x k at most (m tokens, k slots each; m when a token's experts differ).
  const size_t max_count = static_cast<size_t>(o_.tokens) * b.top_k;
  if (l.hist.empty()) l.hist.assign(max_count + 1, 0);
  const size_t n = b.num_tokens();
  if (n < o_.tokens || b.top_k == 0) return;
  counts_.assign(shape_.num_experts, 0);
  window_hist_.assign(max_count + 1, 0);
  window_hist_[0] = shape_.num_experts;
  const auto bump = [&](ExpertId e, bool in) {
    --window_hist_[counts_[e]];
    counts_[e] += in ? 1 : -1;
    ++window_hist_[counts_[e]];
  };
  for (size_t i = 0; i < n; ++i) {
    for (const ExpertId e : b.experts_of(i))
      bump(e, true);
    if (i >= o_.tokens) {
      for (const ExpertId e : b.experts_of(i - o_.tokens))
        bump(e, false);
    }
    if (i + 1 >= o_.tokens && (i + 1 - o_.tokens) % o_.stride == 0) add_segment(l);
  }
}

void SegmentAccumulator::add_segment(Layer& l) {
  ++l.segments;
  for (size_t v = 1; v < window_hist_.size(); ++v)
    l.hist[v] += window_hist_[v];
  // The C most-used experts of the segment: take experts from the highest count down.
  uint64_t room = o_.cache_experts;
  for (size_t v = window_hist_.size() - 1; v >= 1 && room > 0; --v) {
    const uint64_t take = std::min(room, window_hist_[v]);
    l.hits += take * v;
    room -= take;
  }
}

SegmentStats SegmentAccumulator::summarize(const Layer& l) const {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  SegmentStats s{l.segments, 0, kNaN, 0, kNaN, kNaN};
  if (l.segments == 0) return s;
  uint64_t used = 0;  // (segment, expert) pairs with a(s, e) >= 1
  for (size_t v = 1; v < l.hist.size(); ++v) {
    s.activations += v * l.hist[v];
    used += l.hist[v];
  }
  const uint64_t idle = l.segments * shape_.num_experts - used;  // pairs with a(s, e) = 0
  const auto m = static_cast<double>(o_.tokens);
  const auto a = static_cast<double>(s.activations);
  // Suffix sums from the top threshold down: M(t) and the group sizes sum_s |G_t(s)|.
  double covered = 0, group = 0, best = -1;
  for (size_t t = l.hist.size(); t-- > 0;) {
    covered += static_cast<double>(t * l.hist[t]);
    group += static_cast<double>(t == 0 ? idle : l.hist[t]);
    const double f1 = 2 * covered / (m * group + a);
    if (f1 >= best) {  // >=: the smaller threshold wins a tie
      best = f1;
      s.srp_threshold = static_cast<uint32_t>(t);
      s.srp_group = group / static_cast<double>(l.segments);
    }
  }
  s.srp = best;
  s.sch = static_cast<double>(l.hits) / a;
  return s;
}

std::map<uint32_t, SegmentStats> SegmentAccumulator::layers() const {
  std::map<uint32_t, SegmentStats> out;
  for (const auto& [id, l] : layers_)
    out.emplace(id, summarize(l));
  return out;
}

SegmentStats SegmentAccumulator::pooled() const {
  Layer all;
  for (const auto& [id, l] : layers_) {
    if (all.hist.size() < l.hist.size()) all.hist.resize(l.hist.size(), 0);
    for (size_t v = 0; v < l.hist.size(); ++v)
      all.hist[v] += l.hist[v];
    all.segments += l.segments;
    all.hits += l.hits;
  }
  return summarize(all);
}

}  // namespace moesim::workload
