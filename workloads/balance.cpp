// Capacity dropping/padding, bias balancing and replica choice. Every choice is a
// deterministic function of its inputs: ties break by the lower index, as reference/policies.md
// §1 prescribes.
#include "workloads/balance.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <tuple>

#include <fmt/format.h>

#include "sim/core/error.hpp"

namespace moesim::workload {
namespace {

void check_slots(std::span<const uint32_t> experts, uint32_t k, uint32_t num_experts,
                 const char* who) {
  if (num_experts == 0) throw InputError(fmt::format("{}: experts 0: expected at least 1", who));
  if (k == 0 || experts.size() % k != 0) {
    throw InputError(
        fmt::format("{}: {} expert ids are not tokens x k with k = {}", who, experts.size(), k));
  }
  for (size_t i = 0; i < experts.size(); ++i) {
    if (experts[i] >= num_experts) {
      throw InputError(fmt::format("{}: token {} slot {}: expert {}: expected 0..{}", who, i / k,
                                   i % k, experts[i], num_experts - 1));
    }
  }
}

}  // namespace

uint64_t expert_capacity(uint64_t num_tokens, uint32_t top_k, uint32_t num_experts,
                         double capacity_factor, uint64_t min_capacity) {
  if (num_experts == 0) throw InputError("expert capacity: experts 0: expected at least 1");
  if (!std::isfinite(capacity_factor) || capacity_factor <= 0) {
    throw InputError(fmt::format("expert capacity: capacity factor {}: expected a positive number",
                                 capacity_factor));
  }
  const double per_expert = static_cast<double>(num_tokens * top_k) / num_experts;
  const auto capacity = static_cast<uint64_t>(std::ceil(per_expert * capacity_factor));
  return std::max(capacity, min_capacity);
}

CapacityResult apply_capacity(std::span<const uint32_t> experts, std::span<const double> weights,
                              uint32_t k, uint32_t num_experts, const CapacityConfig& config) {
  check_slots(experts, k, num_experts, "capacity");
  const bool by_weight = config.drop_policy == DropPolicy::probability &&
                         (config.mode == CapacityMode::drop || config.mode == CapacityMode::pad);
  if (by_weight || !weights.empty()) {
    if (weights.size() != experts.size()) {
      throw InputError(
          fmt::format("capacity: {} gate weights for {} slots", weights.size(), experts.size()));
    }
    for (size_t i = 0; i < weights.size(); ++i) {
      if (!std::isfinite(weights[i])) {
        throw InputError(
            fmt::format("capacity: token {} slot {}: weight {}: expected a finite "
                        "number",
                        i / k, i % k, weights[i]));
      }
    }
  }

  CapacityResult r;
  r.num_slots = experts.size();
  r.kept.assign(experts.size(), 1);
  r.load = slot_counts(experts, num_experts);
  const uint64_t max_load = *std::max_element(r.load.begin(), r.load.end());
  switch (config.mode) {
    case CapacityMode::dropless:
      break;
    case CapacityMode::pad_to_max:
      r.capacity = max_load;
      break;
    case CapacityMode::drop:
    case CapacityMode::pad:
      r.capacity = expert_capacity(experts.size() / k, k, num_experts, config.capacity_factor,
                                   config.min_capacity);
      break;
  }
  const bool drops = config.mode == CapacityMode::drop || config.mode == CapacityMode::pad;
  if (drops && max_load > *r.capacity) {
    // Slots of each expert in token order; stable sort by weight keeps token order on ties.
    std::vector<std::vector<uint32_t>> slots_of(num_experts);
    for (uint32_t i = 0; i < experts.size(); ++i)
      slots_of[experts[i]].push_back(i);
    for (auto& slots : slots_of) {
      if (slots.size() <= *r.capacity) continue;
      if (by_weight) {
        std::stable_sort(slots.begin(), slots.end(),
                         [&](uint32_t a, uint32_t b) { return weights[a] > weights[b]; });
      }
      for (size_t j = *r.capacity; j < slots.size(); ++j)
        r.kept[slots[j]] = 0;
    }
  }
  r.processed.assign(num_experts, 0);
  for (size_t i = 0; i < experts.size(); ++i)
    r.processed[experts[i]] += r.kept[i];
  r.num_kept = std::accumulate(r.processed.begin(), r.processed.end(), uint64_t{0});
  r.num_dropped = r.num_slots - r.num_kept;
  const bool pads = config.mode == CapacityMode::pad || config.mode == CapacityMode::pad_to_max;
  r.rows = pads ? std::vector<uint64_t>(num_experts, *r.capacity) : r.processed;
  r.num_padding = std::accumulate(r.rows.begin(), r.rows.end(), uint64_t{0}) - r.num_kept;
  return r;
}

BiasBalancer::BiasBalancer(uint32_t num_experts, double update_rate)
    : update_rate_(update_rate), bias_(num_experts, 0.0) {
  if (num_experts == 0) throw InputError("bias balancing: experts 0: expected at least 1");
  if (!std::isfinite(update_rate) || update_rate < 0) {
    throw InputError(
        fmt::format("bias balancing: update rate {}: expected a finite number >= 0", update_rate));
  }
}

void BiasBalancer::update(std::span<const uint64_t> counts) {
  if (counts.size() != bias_.size()) {
    throw InputError(
        fmt::format("bias balancing: {} counts for {} experts", counts.size(), bias_.size()));
  }
  const double mean =
      static_cast<double>(std::accumulate(counts.begin(), counts.end(), uint64_t{0})) /
      static_cast<double>(counts.size());
  for (size_t i = 0; i < counts.size(); ++i) {
    const double gap = mean - static_cast<double>(counts[i]);
    bias_[i] += update_rate_ * static_cast<double>((gap > 0) - (gap < 0));
  }
}

TopKSelection select_top_k(std::span<const double> scores, uint32_t num_experts, uint32_t k,
                           std::span<const double> bias, bool normalize, double scale) {
  if (num_experts == 0 || k == 0 || k > num_experts || scores.size() % num_experts != 0) {
    throw InputError(
        fmt::format("top-k: {} scores, {} experts, k = {}: expected tokens x "
                    "experts scores and 1 <= k <= experts",
                    scores.size(), num_experts, k));
  }
  if (!bias.empty() && bias.size() != num_experts) {
    throw InputError(fmt::format("top-k: {} bias values for {} experts", bias.size(), num_experts));
  }
  const size_t num_tokens = scores.size() / num_experts;
  TopKSelection out;
  out.experts.reserve(num_tokens * k);
  out.weights.reserve(num_tokens * k);
  std::vector<double> key(num_experts);
  std::vector<uint32_t> idx(num_experts);
  for (size_t t = 0; t < num_tokens; ++t) {
    const std::span<const double> row = scores.subspan(t * num_experts, num_experts);
    for (uint32_t e = 0; e < num_experts; ++e)
      key[e] = row[e] + (bias.empty() ? 0.0 : bias[e]);
    std::iota(idx.begin(), idx.end(), 0u);
    std::partial_sort(idx.begin(), idx.begin() + k, idx.end(), [&](uint32_t a, uint32_t b) {
      return key[a] > key[b] || (key[a] == key[b] && a < b);
    });
    double sum = 0;
    for (uint32_t j = 0; j < k; ++j)
      sum += row[idx[j]];
    for (uint32_t j = 0; j < k; ++j) {
      out.experts.push_back(idx[j]);
      out.weights.push_back(row[idx[j]] / (normalize && sum != 0 ? sum : 1.0) * scale);
    }
  }
  return out;
}

std::vector<uint64_t> slot_counts(std::span<const uint32_t> experts, uint32_t num_experts) {
  std::vector<uint64_t> counts(num_experts, 0);
  for (size_t i = 0; i < experts.size(); ++i) {
    if (experts[i] >= num_experts) {
      throw InputError(fmt::format("slot counts: entry {}: expert {}: expected 0..{}", i,
                                   experts[i], num_experts - 1));
    }
    ++counts[experts[i]];
  }
  return counts;
}

std::vector<uint32_t> choose_replicas(const Placement& placement, uint32_t layer,
                                      std::span<const uint32_t> experts, uint32_t k,
                                      std::span<const uint32_t> src_gpu,
                                      std::span<const uint32_t> node_of_gpu, ReplicaPolicy policy) {
  if (layer >= placement.num_layers()) {
    throw InputError(fmt::format("replica choice: layer {}: the placement has {} layers", layer,
                                 placement.num_layers()));
  }
  check_slots(experts, k, placement.num_experts(), "replica choice");
  const uint32_t num_gpus = placement.num_gpus;
  if (policy == ReplicaPolicy::nearest) {
    if (src_gpu.size() * k != experts.size()) {
      throw InputError(fmt::format("replica choice: {} source GPUs for {} tokens", src_gpu.size(),
                                   experts.size() / k));
    }
    if (!node_of_gpu.empty() && node_of_gpu.size() != num_gpus) {
      throw InputError(fmt::format("replica choice: node map of {} GPUs for {} GPUs",
                                   node_of_gpu.size(), num_gpus));
    }
    for (size_t t = 0; t < src_gpu.size(); ++t) {
      if (src_gpu[t] >= num_gpus) {
        throw InputError(fmt::format("replica choice: token {}: source GPU {}: expected 0..{}", t,
                                     src_gpu[t], num_gpus - 1));
      }
    }
  }
  const auto& log2phy = placement.log2phy[layer];
  const auto& logcnt = placement.logcnt[layer];
  const auto node = [&](uint32_t g) { return node_of_gpu.empty() ? g : node_of_gpu[g]; };
  std::vector<uint64_t> slot_load(placement.num_slots(), 0);
  std::vector<uint64_t> gpu_load(num_gpus, 0);
  std::vector<uint64_t> routed(placement.num_experts(), 0);
  std::vector<uint32_t> chosen(experts.size());
  for (size_t i = 0; i < experts.size(); ++i) {
    const uint32_t e = experts[i];
    const auto cnt = static_cast<uint32_t>(logcnt[e]);
    uint32_t best = static_cast<uint32_t>(log2phy[e][0]);
    if (policy == ReplicaPolicy::round_robin) {
      best = static_cast<uint32_t>(log2phy[e][routed[e] % cnt]);
    } else {
      // Lexicographic key, smaller is better: (distance or GPU load, slot load, slot).
      const auto key = [&](uint32_t slot) {
        const uint32_t g = placement.gpu_of_slot(slot);
        uint64_t first = gpu_load[g];
        if (policy == ReplicaPolicy::nearest) {
          const uint32_t src = src_gpu[i / k];
          first = g == src ? 0 : node(g) == node(src) ? 1 : 2;
        }
        return std::tuple{first, slot_load[slot], slot};
      };
      for (uint32_t r = 1; r < cnt; ++r) {
        const auto slot = static_cast<uint32_t>(log2phy[e][r]);
        if (key(slot) < key(best)) best = slot;
      }
    }
    chosen[i] = best;
    ++routed[e];
    ++slot_load[best];
    ++gpu_load[placement.gpu_of_slot(best)];
  }
  return chosen;
}

}  // namespace moesim::workload
