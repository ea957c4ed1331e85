// LLEP least-loaded assignment and the mapping of its token ranges onto source ranks.
// Loads are "effective": tokens already assigned plus native work not yet visited, so a GPU
// whose own heavy experts come later is not filled with spilled tokens first.
#include "workloads/llep.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>

#include <fmt/format.h>

#include "sim/core/error.hpp"

namespace moesim::workload {

std::vector<LlepAssignment> LlepPlan::chunks_of(uint32_t expert) const {
  std::vector<LlepAssignment> out;
  for (const LlepAssignment& a : assignments) {
    if (a.expert == expert) out.push_back(a);
  }
  return out;
}

namespace {

void check_config(std::span<const uint64_t> counts, const LlepConfig& c) {
  if (c.num_gpus == 0 || c.local_experts == 0) {
    throw InputError(fmt::format("llep: gpus {} and local experts {}: expected both >= 1",
                                 c.num_gpus, c.local_experts));
  }
  if (counts.size() != static_cast<size_t>(c.num_gpus) * c.local_experts) {
    throw InputError(fmt::format("llep: {} expert counts: expected gpus x local experts = {} x {}",
                                 counts.size(), c.num_gpus, c.local_experts));
  }
  if (!std::isfinite(c.alpha) || c.alpha <= 0) {
    throw InputError(fmt::format("llep: alpha {}: expected a positive number", c.alpha));
  }
  // The assigner keeps loads as int64 (effective load = assigned + pending native work), and
  // the cap is a fraction of the sum: the sum must fit, or the plan is silently wrong.
  uint64_t total = 0;
  for (size_t e = 0; e < counts.size(); ++e) {
    if (__builtin_add_overflow(total, counts[e], &total) || total > uint64_t{INT64_MAX}) {
      throw InputError(fmt::format(
          "llep: the expert counts sum past {} (2^63 - 1) at expert {} (count {}): expected "
          "token counts whose total fits in a signed 64-bit integer",
          INT64_MAX, e, counts[e]));
    }
  }
}

// The assignment state of §3.1 step 2.
class Assigner {
 public:
  Assigner(std::span<const uint64_t> counts, const LlepConfig& c, LlepPlan& plan)
      : c_(c), plan_(plan), pending_(c.num_gpus, 0) {
    plan_.gpu_loads.assign(c.num_gpus, 0);
    for (size_t e = 0; e < counts.size(); ++e)
      pending_[e / c.local_experts] += static_cast<int64_t>(counts[e]);
  }

  void expert(uint32_t e, uint64_t count) {
    const uint32_t native = e / c_.local_experts;
    const auto l = static_cast<int64_t>(count);
    pending_[native] -= l;
    const int64_t avail = cap() - eff(native);
    if (avail >= l || c_.num_gpus == 1) {  // case 1 (with one GPU nothing can move)
      if (avail < l) plan_.forced_gpus.push_back(native);
      assign(e, native, native, 0, count);
      return;
    }
    if (avail > 0) {  // case 2: keep [0, avail), spill the rest, re-sorting after each chunk
      assign(e, native, native, 0, static_cast<uint64_t>(avail));
      auto offset = static_cast<uint64_t>(avail);
      uint64_t rest = count - offset;
      while (rest > 0) {
        const std::vector<uint32_t> others = sorted_others(native);
        const uint32_t h = first_fit(others, rest);
        const uint64_t c = h == kNone ? rest : std::min<uint64_t>(rest, cap() - eff(h));
        if (h == kNone) plan_.forced_gpus.push_back(others.front());
        assign(e, native, h == kNone ? others.front() : h, offset, offset + c);
        offset += c;
        rest -= c;
      }
      return;
    }
    // Case 3: spill everything in one pass over the GPUs sorted once.
    const std::vector<uint32_t> others = sorted_others(native);
    uint64_t offset = 0;
    for (const uint32_t h : others) {
      const uint64_t rest = count - offset;
      if (rest == 0) break;
      const int64_t room = cap() - eff(h);
      if (room <= 0) continue;
      const uint64_t c = std::min<uint64_t>(rest, static_cast<uint64_t>(room));
      if (c < c_.min_tokens_per_gemm && c != rest) continue;
      assign(e, native, h, offset, offset + c);
      offset += c;
    }
    if (offset < count) {
      plan_.forced_gpus.push_back(others.front());
      assign(e, native, others.front(), offset, count);
    }
  }

 private:
  static constexpr uint32_t kNone = UINT32_MAX;

  int64_t cap() const { return static_cast<int64_t>(plan_.capacity); }
  int64_t eff(uint32_t g) const { return static_cast<int64_t>(plan_.gpu_loads[g]) + pending_[g]; }

  std::vector<uint32_t> sorted_others(uint32_t native) const {
    std::vector<uint32_t> others;
    for (uint32_t g = 0; g < c_.num_gpus; ++g) {
      if (g != native) others.push_back(g);
    }
    std::stable_sort(others.begin(), others.end(),
                     [&](uint32_t a, uint32_t b) { return eff(a) < eff(b); });
    return others;
  }

  // The first GPU with room whose chunk is >= m or finishes the expert; kNone if none.
  uint32_t first_fit(const std::vector<uint32_t>& others, uint64_t rest) const {
    for (const uint32_t h : others) {
      const int64_t room = cap() - eff(h);
      if (room <= 0) continue;
      const uint64_t c = std::min<uint64_t>(rest, static_cast<uint64_t>(room));
      if (c >= c_.min_tokens_per_gemm || c == rest) return h;
    }
    return kNone;
  }

  void assign(uint32_t e, uint32_t native, uint32_t gpu, uint64_t start, uint64_t end) {
    plan_.assignments.push_back({e, gpu, start, end});
    plan_.gpu_loads[gpu] += end - start;
    if (gpu != native) plan_.transfers.push_back({e, native, gpu, start, end});
  }

  const LlepConfig& c_;
  LlepPlan& plan_;
  std::vector<int64_t> pending_;  // native work of experts not yet visited, per GPU
};

}  // namespace

LlepPlan llep_plan(std::span<const uint64_t> counts, const LlepConfig& config) {
  check_config(counts, config);
  LlepPlan plan;
  plan.counts.assign(counts.begin(), counts.end());
  const uint64_t total = std::accumulate(counts.begin(), counts.end(), uint64_t{0});
  const uint64_t balanced = total / config.num_gpus;
  // int(alpha * balanced) in double, as the Python code computes it; held at 2^63 - 1 (the
  // assigner's int64 loads), which is more than the total (check_config) so changes nothing.
  const double scaled = config.alpha * static_cast<double>(balanced);
  plan.capacity = balanced == 0      ? total
                  : scaled >= 0x1p63 ? uint64_t{INT64_MAX}
                                     : static_cast<uint64_t>(scaled);
  plan.capacity = std::max<uint64_t>(plan.capacity, 1);

  std::vector<uint32_t> order(counts.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(),
                   [&](uint32_t a, uint32_t b) { return counts[a] > counts[b]; });
  Assigner assigner(counts, config, plan);
  for (const uint32_t e : order) {
    if (counts[e] > 0) assigner.expert(e, counts[e]);
  }
  return plan;
}

LlepPlan native_plan(std::span<const uint64_t> counts, const LlepConfig& config) {
  check_config(counts, config);
  LlepPlan plan;
  plan.counts.assign(counts.begin(), counts.end());
  plan.capacity = std::accumulate(counts.begin(), counts.end(), uint64_t{0});
  plan.gpu_loads.assign(config.num_gpus, 0);
  for (uint32_t e = 0; e < counts.size(); ++e) {
    if (counts[e] == 0) continue;
    const uint32_t gpu = e / config.local_experts;
    plan.assignments.push_back({e, gpu, 0, counts[e]});
    plan.gpu_loads[gpu] += counts[e];
  }
  return plan;
}

bool llep_should_rebalance(std::span<const uint64_t> counts, const LlepConfig& config,
                           double lambda) {
  check_config(counts, config);
  std::vector<uint64_t> native(config.num_gpus, 0);
  for (size_t e = 0; e < counts.size(); ++e)
    native[e / config.local_experts] += counts[e];
  const uint64_t total = std::accumulate(native.begin(), native.end(), uint64_t{0});
  if (total == 0) return false;
  const double mean = static_cast<double>(total) / config.num_gpus;
  return static_cast<double>(*std::max_element(native.begin(), native.end())) / mean >= lambda;
}

namespace {

// cum[e][r] = slots of expert e on ranks < r (r = 0..P); checks them against the plan.
std::vector<std::vector<uint64_t>> rank_prefix(const LlepPlan& plan,
                                               const std::vector<std::vector<uint64_t>>& by_rank) {
  const size_t num_experts = plan.counts.size();
  std::vector<std::vector<uint64_t>> cum(num_experts, std::vector<uint64_t>(by_rank.size() + 1));
  for (size_t r = 0; r < by_rank.size(); ++r) {
    if (by_rank[r].size() != num_experts) {
      throw InputError(fmt::format("llep token moves: rank {} has {} expert counts, expected {}", r,
                                   by_rank[r].size(), num_experts));
    }
    for (size_t e = 0; e < num_experts; ++e)
      cum[e][r + 1] = cum[e][r] + by_rank[r][e];
  }
  for (size_t e = 0; e < num_experts; ++e) {
    if (cum[e].back() != plan.counts[e]) {
      throw InputError(
          fmt::format("llep token moves: expert {} has {} slots over the ranks but "
                      "{} in the plan",
                      e, cum[e].back(), plan.counts[e]));
    }
  }
  return cum;
}

}  // namespace

std::vector<TokenMove> llep_token_moves(const LlepPlan& plan,
                                        const std::vector<std::vector<uint64_t>>& counts_by_rank) {
  const auto cum = rank_prefix(plan, counts_by_rank);
  std::vector<TokenMove> moves;
  for (const LlepAssignment& a : plan.assignments) {
    for (uint32_t r = 0; r < counts_by_rank.size(); ++r) {
      const uint64_t lo = std::max(a.start, cum[a.expert][r]);
      const uint64_t hi = std::min(a.end, cum[a.expert][r + 1]);
      if (hi > lo) moves.push_back({a.expert, r, a.gpu, hi - lo});
    }
  }
  return moves;
}

std::vector<uint32_t> llep_dispatch(const LlepPlan& plan, std::span<const uint32_t> experts,
                                    uint32_t k, std::span<const uint32_t> src_rank,
                                    uint32_t num_ranks) {
  const size_t num_experts = plan.counts.size();
  if (k == 0 || experts.size() != src_rank.size() * k) {
    throw InputError(fmt::format("llep dispatch: {} expert ids for {} tokens of k = {}",
                                 experts.size(), src_rank.size(), k));
  }
  std::vector<std::vector<uint64_t>> by_rank(num_ranks, std::vector<uint64_t>(num_experts, 0));
  for (size_t i = 0; i < experts.size(); ++i) {
    const uint32_t r = src_rank[i / k];
    if (r >= num_ranks || experts[i] >= num_experts) {
      throw InputError(
          fmt::format("llep dispatch: token {}: rank {} or expert {} out of range "
                      "(ranks {}, experts {})",
                      i / k, r, experts[i], num_ranks, num_experts));
    }
    ++by_rank[r][experts[i]];
  }
  const auto cum = rank_prefix(plan, by_rank);
  std::vector<std::vector<LlepAssignment>> chunks(num_experts);
  for (const LlepAssignment& a : plan.assignments)
    chunks[a.expert].push_back(a);
  for (size_t e = 0; e < num_experts; ++e) {
    auto& list = chunks[e];
    std::sort(list.begin(), list.end(),
              [](const LlepAssignment& a, const LlepAssignment& b) { return a.start < b.start; });
    uint64_t next = 0;  // the chunks must tile [0, count)
    for (const LlepAssignment& a : list) {
      if (a.start != next || a.end <= a.start) break;
      next = a.end;
    }
    if (next != plan.counts[e]) {
      throw InputError(
          fmt::format("llep dispatch: the plan's chunks of expert {} do not cover "
                      "its {} slots exactly once",
                      e, plan.counts[e]));
    }
  }
  std::vector<std::vector<uint64_t>> seen(num_ranks, std::vector<uint64_t>(num_experts, 0));
  std::vector<uint32_t> dst(experts.size());
  for (size_t i = 0; i < experts.size(); ++i) {
    const uint32_t e = experts[i];
    const uint32_t r = src_rank[i / k];
    const uint64_t ordinal = cum[e][r] + seen[r][e]++;
    const auto& list = chunks[e];
    auto it = std::upper_bound(list.begin(), list.end(), ordinal,
                               [](uint64_t v, const LlepAssignment& a) { return v < a.start; });
    dst[i] = std::prev(it)->gpu;  // ordinal < count, and the chunks tile [0, count)
  }
  return dst;
}

}  // namespace moesim::workload
