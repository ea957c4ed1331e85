// Local routing consistency of a router trace: how well one fixed set of experts serves a
// segment of consecutive tokens, the property that decides whether a model suits expert
// offloading. The two metrics of Liang et al., "Not All Models Suit Expert Offloading: On
// Local Routing Consistency of Mixture-of-Expert Models" (arXiv 2505.16056), computed as the
// authors' code (github.com/ljcleo/moe-lrc, src/30_srp_calc.py, 31_srp_refine.py,
// 40_sch_calc.py) computes them:
//
// Token order is the order of the tokens in the trace, within one batch (one (iteration,
// layer)); segments never cross batches. A segment is m consecutive tokens of a batch,
// starting at every `stride`-th token (stride 1 = every window, the paper's choice; stride m
// = disjoint segments); a batch of n >= m tokens gives floor((n - m) / stride) + 1 segments,
// a shorter one none. An activation is a (token, expert) pair with the expert among the
// token's top-k choices (gate weights are not used: both metrics count top-k selections).
// Let a(s, e) = the tokens of segment s that chose expert e, and A = sum a(s, e) over the
// layer's segments and experts (= segments x m x k).
//
// SRP (segment routing best performance): the best F1 score of a router that gives every
// token of a segment the same group of experts, G_t(s) = {e : a(s, e) >= t}, with one
// threshold t in 0..m for the whole layer chosen to maximise F1:
//   M(t) = sum_s sum_{e in G_t(s)} a(s, e)   (activations the groups cover)
//   P(t) = m x sum_s |G_t(s)|                (activations the groups predict)
//   F1(t) = 2 M(t) / (P(t) + A)              (precision M / P, recall M / A)
//   SRP = max_t F1(t); ties go to the smaller t. 1 means every segment's tokens share one
//   expert set; t = 0 (all E experts) bounds it below by 2k / (E + k).
// SCH(m, C) (segment cache best hit rate): the hit rate of a cache of C experts loaded once
// per segment with the C experts the segment uses most:
//   SCH = sum_s (sum of the C largest a(s, e) over e) / A.
//   Every segment has m x k activations, so this is also the mean over segments. 1 when C
//   covers every expert a segment uses (always when C = E).
// Pooled over layers ("all"): the histograms and hits of every layer are summed, so SRP
// then uses one threshold for the whole model (the authors' model-level figure).
//
// (A later revision of the paper redefines SCH as an online cache that sees m tokens ahead;
// that is not what this computes.)
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "workloads/trace.hpp"

namespace moesim::workload {

struct SegmentOptions {
  uint32_t tokens = 16;        // m, >= 1
  uint32_t stride = 1;         // >= 1
  uint32_t cache_experts = 1;  // C, 1..num_experts
  bool operator==(const SegmentOptions&) const = default;
};

struct SegmentStats {
  uint64_t segments = 0;
  uint64_t activations = 0;  // A
  // NaN when there is no segment.
  double srp = 0;
  uint32_t srp_threshold = 0;  // the t that gives SRP
  double srp_group = 0;        // mean |G_t(s)| at that t: experts per segment's group
  double sch = 0;
};

class SegmentAccumulator {
 public:
  // InternalError unless tokens, stride >= 1 and 1 <= cache_experts <= shape.num_experts
  // (the command line checks the user's values first).
  SegmentAccumulator(const TraceShape& shape, const SegmentOptions& o);
  void add(const Batch& b);
  // One entry per layer seen (layers ascending), and all layers pooled.
  std::map<uint32_t, SegmentStats> layers() const;
  SegmentStats pooled() const;
  const SegmentOptions& options() const { return o_; }

 private:
  struct Layer {
    // hist[v] = (segment, expert) pairs with a(s, e) = v, v >= 1, summed over segments.
    std::vector<uint64_t> hist;
    uint64_t segments = 0;
    uint64_t hits = 0;  // SCH's numerator
  };
  void add_segment(Layer& l);
  SegmentStats summarize(const Layer& l) const;

  TraceShape shape_;
  SegmentOptions o_;
  std::map<uint32_t, Layer> layers_;  // ordered: deterministic output
  // The current window: a(s, e) per expert, and how many experts have each count.
  std::vector<uint32_t> counts_;
  std::vector<uint64_t> window_hist_;
};

}  // namespace moesim::workload
