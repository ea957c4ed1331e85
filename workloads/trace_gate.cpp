// Gate functions (softmax top-k; DeepSeek-V3 sigmoid + bias + group-limited top-k).
#include "workloads/trace_gate.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "sim/core/error.hpp"

namespace moesim::workload {

void topk_indices(std::span<const double> values, uint32_t k, std::vector<uint32_t>& out) {
  if (k > values.size()) throw InternalError("topk_indices: k > number of values");
  out.resize(values.size());
  for (uint32_t i = 0; i < values.size(); ++i)
    out[i] = i;
  std::partial_sort(out.begin(), out.begin() + k, out.end(), [&](uint32_t a, uint32_t b) {
    return values[a] > values[b] || (values[a] == values[b] && a < b);
  });
  out.resize(k);
}

namespace {

// Sum of the m largest values, larger first (the order topk_indices gives).
double top_sum(std::span<const double> values, uint32_t m, std::vector<uint32_t>& scratch) {
  topk_indices(values, m, scratch);
  double sum = 0;
  for (const uint32_t i : scratch)
    sum += values[i];
  return sum;
}

// The same for m = 2 (DeepSeek-V3's group score) in one pass: the two largest values, in the
// order top_sum adds them, so the sum is bit-identical.
double top2_sum(std::span<const double> values) {
  double first = values[0], second = values[1];
  if (second > first) std::swap(first, second);
  for (size_t i = 2; i < values.size(); ++i) {
    if (values[i] > first) {
      second = first;
      first = values[i];
    } else if (values[i] > second) {
      second = values[i];
    }
  }
  return 0.0 + first + second;
}

}  // namespace

void softmax_topk(std::span<const double> logits, uint32_t k, std::vector<uint32_t>& idx,
                  std::vector<double>& weights) {
  topk_indices(logits, k, idx);
  weights.resize(k);
  if (k == 0) return;
  const double top = logits[idx[0]];  // the largest: exp never overflows
  double sum = 0;
  for (uint32_t j = 0; j < k; ++j)
    sum += (weights[j] = std::exp(logits[idx[j]] - top));
  for (double& w : weights)
    w /= sum;
}

void sigmoid_group_limited_topk(std::span<const double> logits, std::span<const double> bias,
                                uint32_t k, const GroupLimitedParams& p, std::vector<uint32_t>& idx,
                                std::vector<double>& weights) {
  GateWorkspace ws;
  sigmoid_group_limited_topk(logits, bias, k, p, idx, weights, ws);
}

void sigmoid_group_limited_topk(std::span<const double> logits, std::span<const double> bias,
                                uint32_t k, const GroupLimitedParams& p, std::vector<uint32_t>& idx,
                                std::vector<double>& weights, GateWorkspace& ws) {
  const auto num_experts = static_cast<uint32_t>(logits.size());
  if (p.num_groups == 0 || num_experts % p.num_groups != 0 || p.topk_groups == 0 ||
      p.topk_groups > p.num_groups || (!bias.empty() && bias.size() != num_experts)) {
    throw InternalError("sigmoid_group_limited_topk: bad group parameters");
  }
  const uint32_t group_size = num_experts / p.num_groups;
  if (p.group_score_top == 0 || p.group_score_top > group_size || k > p.topk_groups * group_size)
    throw InternalError("sigmoid_group_limited_topk: bad k or group_score_top");

  std::vector<double>& s = ws.scores;
  std::vector<double>& b = ws.biased;
  s.resize(num_experts);
  b.resize(num_experts);
  for (uint32_t e = 0; e < num_experts; ++e) {
    s[e] = 1.0 / (1.0 + std::exp(-logits[e]));
    b[e] = s[e] + (bias.empty() ? 0.0 : bias[e]);
  }
  ws.group_score.resize(p.num_groups);
  for (uint32_t g = 0; g < p.num_groups; ++g) {
    const std::span<const double> members(b.data() + g * group_size, group_size);
    ws.group_score[g] =
        p.group_score_top == 2 ? top2_sum(members) : top_sum(members, p.group_score_top, ws.top);
  }
  topk_indices(ws.group_score, p.topk_groups, ws.kept);
  // Top-k over the experts of the kept groups only (the others are masked to -inf upstream).
  ws.candidates.clear();
  for (const uint32_t g : ws.kept) {
    for (uint32_t e = g * group_size; e < (g + 1) * group_size; ++e)
      ws.candidates.push_back(e);
  }
  std::partial_sort(ws.candidates.begin(), ws.candidates.begin() + k, ws.candidates.end(),
                    [&](uint32_t x, uint32_t y) { return b[x] > b[y] || (b[x] == b[y] && x < y); });
  idx.assign(ws.candidates.begin(), ws.candidates.begin() + k);
  weights.resize(k);
  double sum = 0;
  for (uint32_t j = 0; j < k; ++j)
    sum += (weights[j] = s[idx[j]]);  // gate values use the unbiased scores
  for (double& w : weights)
    w = w / sum * p.route_scale;
}

}  // namespace moesim::workload
