// Placement value type, its invariants, and the non-EPLB placement policies.
#include "workloads/placement.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include <fmt/format.h>

#include "sim/core/error.hpp"
#include "sim/core/rng.hpp"
#include "workloads/eplb.hpp"

namespace moesim::workload {

uint32_t Placement::num_slots() const {
  return phy2log.empty() ? 0 : static_cast<uint32_t>(phy2log.front().size());
}

uint32_t Placement::num_experts() const {
  return logcnt.empty() ? 0 : static_cast<uint32_t>(logcnt.front().size());
}

uint32_t Placement::max_replicas() const {
  return log2phy.empty() || log2phy.front().empty()
             ? 0
             : static_cast<uint32_t>(log2phy.front().front().size());
}

uint32_t check_loads(const ExpertLoads& loads) {
  if (loads.empty() || loads.front().empty()) {
    throw InputError("expert loads: expected at least one layer with at least one expert");
  }
  const size_t num_experts = loads.front().size();
  for (size_t l = 0; l < loads.size(); ++l) {
    if (loads[l].size() != num_experts) {
      throw InputError(fmt::format("expert loads: layer {} has {} experts, expected {}", l,
                                   loads[l].size(), num_experts));
    }
    for (size_t e = 0; e < num_experts; ++e) {
      if (!std::isfinite(loads[l][e]) || loads[l][e] < 0) {
        throw InputError(
            fmt::format("expert loads: layer {} expert {}: value {}: expected a "
                        "finite load >= 0",
                        l, e, loads[l][e]));
      }
    }
  }
  return static_cast<uint32_t>(num_experts);
}

Placement make_placement(std::vector<std::vector<int32_t>> phy2log, uint32_t num_experts,
                         uint32_t num_gpus, const std::vector<std::vector<int32_t>>& replica_rank) {
  Placement p;
  p.num_gpus = num_gpus;
  p.phy2log = std::move(phy2log);
  const size_t num_slots = p.phy2log.empty() ? 0 : p.phy2log.front().size();
  if (num_gpus == 0 || num_slots == 0 || num_slots % num_gpus != 0) {
    throw InputError(
        fmt::format("placement: {} slots: expected a positive multiple of the {} "
                    "GPUs",
                    num_slots, num_gpus));
  }
  // Replica ranks: given, or the order of appearance in slot order.
  std::vector<std::vector<int32_t>> ranks(p.phy2log.size());
  int32_t max_cnt = 0;
  for (size_t l = 0; l < p.phy2log.size(); ++l) {
    const auto& row = p.phy2log[l];
    if (row.size() != num_slots) {
      throw InputError(
          fmt::format("placement: layer {} has {} slots, expected {}", l, row.size(), num_slots));
    }
    std::vector<int32_t> cnt(num_experts, 0);
    for (size_t s = 0; s < num_slots; ++s) {
      if (row[s] < 0 || static_cast<uint32_t>(row[s]) >= num_experts) {
        throw InputError(fmt::format("placement: layer {} slot {}: expert {}: expected 0..{}", l, s,
                                     row[s], num_experts - 1));
      }
      ranks[l].push_back(replica_rank.empty() ? cnt[row[s]] : replica_rank[l].at(s));
      ++cnt[row[s]];
    }
    for (uint32_t e = 0; e < num_experts; ++e) {
      if (cnt[e] == 0) {
        throw InputError(fmt::format("placement: layer {}: expert {} has no slot", l, e));
      }
    }
    max_cnt = std::max(max_cnt, *std::max_element(cnt.begin(), cnt.end()));
    p.logcnt.push_back(std::move(cnt));
  }
  for (size_t l = 0; l < p.phy2log.size(); ++l) {
    std::vector<std::vector<int32_t>> table(num_experts, std::vector<int32_t>(max_cnt, -1));
    for (size_t s = 0; s < num_slots; ++s) {
      const int32_t e = p.phy2log[l][s];
      const int32_t r = ranks[l][s];
      if (r < 0 || r >= p.logcnt[l][e] || table[e][r] != -1) {
        throw InputError(
            fmt::format("placement: layer {} slot {}: replica rank {} of expert {} "
                        "is out of range or repeated",
                        l, s, r, e));
      }
      table[e][r] = static_cast<int32_t>(s);
    }
    p.log2phy.push_back(std::move(table));
  }
  return p;
}

void validate_placement(const Placement& p) {
  const std::vector<std::vector<int32_t>> rebuilt_counts =
      make_placement(p.phy2log, p.num_experts(), p.num_gpus).logcnt;
  if (rebuilt_counts != p.logcnt || p.log2phy.size() != p.phy2log.size()) {
    throw InputError("placement: logcnt does not match phy2log");
  }
  const uint32_t width = p.max_replicas();
  for (uint32_t l = 0; l < p.num_layers(); ++l) {
    for (uint32_t e = 0; e < p.num_experts(); ++e) {
      const auto& slots = p.log2phy[l].at(e);
      if (slots.size() != width) throw InputError("placement: log2phy rows differ in width");
      for (uint32_t r = 0; r < width; ++r) {
        const bool used = r < static_cast<uint32_t>(p.logcnt[l][e]);
        const bool ok = used ? slots[r] >= 0 && static_cast<uint32_t>(slots[r]) < p.num_slots() &&
                                   p.phy2log[l][slots[r]] == static_cast<int32_t>(e)
                             : slots[r] == -1;
        if (!ok) {
          throw InputError(
              fmt::format("placement: layer {} expert {} replica {}: slot {} "
                          "disagrees with phy2log",
                          l, e, r, slots[r]));
        }
      }
    }
  }
}

namespace {

void require_no_redundancy(uint32_t num_experts, uint32_t num_gpus) {
  if (num_gpus == 0 || num_experts == 0 || num_experts % num_gpus != 0) {
    throw InputError(
        fmt::format("placement: {} experts on {} GPUs: expected experts to be a "
                    "positive multiple of GPUs",
                    num_experts, num_gpus));
  }
}

}  // namespace

Placement place_contiguous(uint32_t num_layers, uint32_t num_experts, uint32_t num_gpus) {
  require_no_redundancy(num_experts, num_gpus);
  std::vector<int32_t> row(num_experts);
  std::iota(row.begin(), row.end(), 0);
  return make_placement(std::vector(num_layers, row), num_experts, num_gpus);
}

Placement place_round_robin(uint32_t num_layers, uint32_t num_experts, uint32_t num_gpus) {
  require_no_redundancy(num_experts, num_gpus);
  const uint32_t per_gpu = num_experts / num_gpus;
  std::vector<int32_t> row(num_experts);
  for (uint32_t g = 0; g < num_gpus; ++g) {
    for (uint32_t j = 0; j < per_gpu; ++j)
      row[g * per_gpu + j] = static_cast<int32_t>(g + j * num_gpus);
  }
  return make_placement(std::vector(num_layers, row), num_experts, num_gpus);
}

Placement place_random(uint32_t num_layers, uint32_t num_experts, uint32_t num_gpus,
                       uint64_t seed) {
  require_no_redundancy(num_experts, num_gpus);
  Rng rng = make_stream(seed, "placement");
  std::vector<std::vector<int32_t>> rows;
  for (uint32_t l = 0; l < num_layers; ++l) {
    std::vector<int32_t> row(num_experts);
    std::iota(row.begin(), row.end(), 0);
    for (uint32_t i = num_experts - 1; i > 0; --i)
      std::swap(row[i], row[rng.below(i + 1)]);
    rows.push_back(std::move(row));
  }
  return make_placement(std::move(rows), num_experts, num_gpus);
}

Eigen::MatrixXd coactivation_matrix(std::span<const uint32_t> topk_experts, uint32_t k,
                                    uint32_t num_experts) {
  if (k == 0 || topk_experts.size() % k != 0) {
    throw InputError(
        fmt::format("co-activation: {} expert ids are not a whole number of "
                    "tokens of k = {}",
                    topk_experts.size(), k));
  }
  Eigen::MatrixXd a = Eigen::MatrixXd::Zero(num_experts, num_experts);
  std::vector<uint32_t> distinct;
  for (size_t t = 0; t < topk_experts.size(); t += k) {
    distinct.assign(topk_experts.begin() + t, topk_experts.begin() + t + k);
    std::sort(distinct.begin(), distinct.end());
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    if (distinct.back() >= num_experts) {
      throw InputError(fmt::format("co-activation: token {}: expert {}: expected 0..{}", t / k,
                                   distinct.back(), num_experts - 1));
    }
    for (size_t i = 0; i < distinct.size(); ++i) {
      for (size_t j = i + 1; j < distinct.size(); ++j) {
        a(distinct[i], distinct[j]) += 1.0;
        a(distinct[j], distinct[i]) += 1.0;
      }
    }
  }
  return a;
}

namespace {

// Steps 1-3 of the topology-aware policy for one layer: the leaf of every expert.
std::vector<uint32_t> group_by_affinity(std::span<const double> w, const Eigen::MatrixXd& a,
                                        const std::vector<uint32_t>& leaf_slots,
                                        double load_slack) {
  const auto num_experts = static_cast<uint32_t>(w.size());
  const auto num_leaves = static_cast<uint32_t>(leaf_slots.size());
  const double total = std::accumulate(w.begin(), w.end(), 0.0);
  constexpr uint32_t kUnplaced = UINT32_MAX;
  std::vector<uint32_t> leaf_of(num_experts, kUnplaced);
  std::vector<uint32_t> used(num_leaves, 0);
  std::vector<double> load(num_leaves, 0.0);
  // affinity[n][e] = sum of A(e, f) over experts f already on leaf n.
  std::vector<std::vector<double>> affinity(num_leaves, std::vector<double>(num_experts, 0.0));
  const auto put = [&](uint32_t e, uint32_t n) {
    leaf_of[e] = n;
    ++used[n];
    load[n] += w[e];
    for (uint32_t f = 0; f < num_experts; ++f)
      affinity[n][f] += a(e, f);
  };

  std::vector<uint32_t> by_load(num_experts);
  std::iota(by_load.begin(), by_load.end(), 0u);
  std::stable_sort(by_load.begin(), by_load.end(),
                   [&](uint32_t x, uint32_t y) { return w[x] > w[y]; });
  for (uint32_t n = 0; n < num_leaves && n < num_experts; ++n)
    put(by_load[n], n);

  for (uint32_t placed = std::min(num_leaves, num_experts); placed < num_experts; ++placed) {
    uint32_t leaf = kUnplaced;
    for (uint32_t n = 0; n < num_leaves; ++n) {
      if (used[n] == leaf_slots[n]) continue;
      if (leaf == kUnplaced || load[n] / leaf_slots[n] < load[leaf] / leaf_slots[leaf]) leaf = n;
    }
    const double budget = (1.0 + load_slack) * total * leaf_slots[leaf] / num_experts;
    uint32_t best = kUnplaced;   // best fitting expert by affinity
    uint32_t light = kUnplaced;  // lightest unplaced expert, the fallback
    for (uint32_t e = 0; e < num_experts; ++e) {
      if (leaf_of[e] != kUnplaced) continue;
      if (light == kUnplaced || w[e] < w[light]) light = e;
      if (load[leaf] + w[e] > budget) continue;
      const double ae = affinity[leaf][e];
      if (best == kUnplaced || ae > affinity[leaf][best] ||
          (ae == affinity[leaf][best] && w[e] > w[best])) {
        best = e;
      }
    }
    put(best != kUnplaced ? best : light, leaf);
  }
  return leaf_of;
}

}  // namespace

Placement place_topology_aware(const ExpertLoads& loads,
                               const std::vector<Eigen::MatrixXd>& coactivation,
                               std::span<const uint32_t> leaf_of_gpu, double load_slack) {
  const uint32_t num_experts = check_loads(loads);
  const auto num_gpus = static_cast<uint32_t>(leaf_of_gpu.size());
  require_no_redundancy(num_experts, num_gpus);
  if (coactivation.size() != loads.size()) {
    throw InputError(
        fmt::format("topology-aware placement: {} co-activation matrices for {} "
                    "layers",
                    coactivation.size(), loads.size()));
  }
  if (!(load_slack >= 0)) {
    throw InputError(
        fmt::format("topology-aware placement: load slack {}: expected >= 0", load_slack));
  }
  // Dense leaf indices in order of leaf id; each leaf's GPUs in ascending GPU id.
  std::map<uint32_t, std::vector<uint32_t>> gpus_by_id;
  for (uint32_t g = 0; g < num_gpus; ++g)
    gpus_by_id[leaf_of_gpu[g]].push_back(g);
  std::vector<std::vector<uint32_t>> leaf_gpus;
  for (auto& [id, gpus] : gpus_by_id)
    leaf_gpus.push_back(std::move(gpus));
  const uint32_t per_gpu = num_experts / num_gpus;
  std::vector<uint32_t> leaf_slots;
  for (const auto& gpus : leaf_gpus)
    leaf_slots.push_back(static_cast<uint32_t>(gpus.size()) * per_gpu);

  std::vector<std::vector<int32_t>> rows;
  for (size_t l = 0; l < loads.size(); ++l) {
    const Eigen::MatrixXd& a = coactivation[l];
    if (a.rows() != num_experts || a.cols() != num_experts) {
      throw InputError(
          fmt::format("topology-aware placement: layer {}: co-activation matrix is "
                      "{}x{}, expected {}x{}",
                      l, a.rows(), a.cols(), num_experts, num_experts));
    }
    const std::vector<uint32_t> leaf_of = group_by_affinity(loads[l], a, leaf_slots, load_slack);
    std::vector<int32_t> row(num_experts);
    for (size_t n = 0; n < leaf_gpus.size(); ++n) {
      std::vector<uint32_t> members;
      std::vector<double> member_w;
      for (uint32_t e = 0; e < num_experts; ++e) {
        if (leaf_of[e] != n) continue;
        members.push_back(e);
        member_w.push_back(loads[l][e]);
      }
      const Packing pk = balanced_packing(member_w, static_cast<uint32_t>(leaf_gpus[n].size()));
      for (size_t i = 0; i < members.size(); ++i)
        row[leaf_gpus[n][pk.pack[i]] * per_gpu + pk.rank[i]] = static_cast<int32_t>(members[i]);
    }
    rows.push_back(std::move(row));
  }
  return make_placement(std::move(rows), num_experts, num_gpus);
}

}  // namespace moesim::workload
