// Gate functions: from one token's router logits to its top-k experts and gate weights, as the
// models compute them (reference/policies.md §1.1 and §1.6). Ties: larger value first, equal
// values -> lower index first (policies.md "Tie rule"). Pure functions, used by the gate-driven
// generators and testable on hand-made logits.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace moesim::workload {

// Softmax top-k, Megatron's default (pre_softmax = false): idx = top-k(logits); weights =
// softmax over the k selected logits (renormalised over k). `idx` in descending logit order.
void softmax_topk(std::span<const double> logits, uint32_t k, std::vector<uint32_t>& idx,
                  std::vector<double>& weights);

struct GroupLimitedParams {
  uint32_t num_groups = 8;       // experts [g*E/G, (g+1)*E/G) form group g (= a node)
  uint32_t topk_groups = 4;      // groups a token may use
  uint32_t group_score_top = 2;  // group score = sum of its top-m biased scores (V3: 2; 1 = max)
  double route_scale = 2.5;      // DeepSeek-V3 config_671B
};

// Scratch storage for sigmoid_group_limited_topk, so a generator routing many tokens does not
// allocate per token.
struct GateWorkspace {
  std::vector<double> scores, biased, group_score;
  std::vector<uint32_t> top, kept, candidates;
};

// DeepSeek-V3 gate (policies.md §1.6): s = sigmoid(logits); b = s + bias (bias may be empty =
// zeros); keep the topk_groups groups with the largest score (sum of the group's top-m b);
// idx = top-k of b within those groups (in descending b order); weights = s[idx] / sum(s[idx])
// * route_scale. Requires E % num_groups == 0, topk_groups <= num_groups, k <= the experts of
// the kept groups.
void sigmoid_group_limited_topk(std::span<const double> logits, std::span<const double> bias,
                                uint32_t k, const GroupLimitedParams& p, std::vector<uint32_t>& idx,
                                std::vector<double>& weights);
// The same with caller-owned scratch storage.
void sigmoid_group_limited_topk(std::span<const double> logits, std::span<const double> bias,
                                uint32_t k, const GroupLimitedParams& p, std::vector<uint32_t>& idx,
                                std::vector<double>& weights, GateWorkspace& ws);

// The first k indices of `values` under the tie rule (larger first, then lower index), in
// that order.
void topk_indices(std::span<const double> values, uint32_t k, std::vector<uint32_t>& out);

}  // namespace moesim::workload
