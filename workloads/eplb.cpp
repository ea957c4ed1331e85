// EPLB port. Each layer is independent; the hierarchical routine works in "mlog" ids
// (experts renumbered node-major after groups are packed to nodes) so each node's experts are
// a contiguous block, exactly as upstream's tensor reshapes do.
#include "workloads/eplb.hpp"

#include <algorithm>
#include <numeric>

#include <fmt/format.h>

#include "sim/core/error.hpp"

namespace moesim::workload {

Packing balanced_packing(std::span<const double> weights, uint32_t num_packs) {
  const auto n = static_cast<uint32_t>(weights.size());
  if (num_packs == 0 || n % num_packs != 0) {
    throw InputError(
        fmt::format("balanced packing: {} items do not split into {} equal packs", n, num_packs));
  }
  const uint32_t per_pack = n / num_packs;
  Packing out{std::vector<uint32_t>(n), std::vector<uint32_t>(n, 0)};
  if (per_pack == 1) {
    std::iota(out.pack.begin(), out.pack.end(), 0u);
    return out;
  }
  std::vector<uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(),
                   [&](uint32_t a, uint32_t b) { return weights[a] > weights[b]; });
  std::vector<double> pack_weight(num_packs, 0.0);
  std::vector<uint32_t> pack_items(num_packs, 0);
  for (const uint32_t item : order) {
    uint32_t best = num_packs;
    for (uint32_t p = 0; p < num_packs; ++p) {
      if (pack_items[p] == per_pack) continue;
      if (best == num_packs || pack_weight[p] < pack_weight[best]) best = p;
    }
    out.pack[item] = best;
    out.rank[item] = pack_items[best];
    pack_weight[best] += weights[item];
    ++pack_items[best];
  }
  return out;
}

Replication replicate_experts(std::span<const double> weights, uint32_t num_slots) {
  const auto n = static_cast<uint32_t>(weights.size());
  if (num_slots < n) {
    throw InputError(fmt::format("replicate experts: {} slots for {} experts", num_slots, n));
  }
  Replication out{std::vector<uint32_t>(num_slots), std::vector<uint32_t>(num_slots, 0),
                  std::vector<uint32_t>(n, 1)};
  std::iota(out.phy2log.begin(), out.phy2log.begin() + n, 0u);
  for (uint32_t slot = n; slot < num_slots; ++slot) {
    uint32_t best = 0;
    for (uint32_t e = 1; e < n; ++e) {
      if (weights[e] / out.logcnt[e] > weights[best] / out.logcnt[best]) best = e;
    }
    out.phy2log[slot] = best;
    out.rank[slot] = out.logcnt[best]++;
  }
  return out;
}

namespace {

struct LayerResult {
  std::vector<int32_t> phy2log;  // [slot]
  std::vector<int32_t> rank;     // [slot]
};

// rebalance_experts_hierarchical for one layer (the global policy calls it with G = N = 1).
LayerResult rebalance_layer(std::span<const double> w, uint32_t num_slots, uint32_t num_groups,
                            uint32_t num_nodes, uint32_t num_gpus) {
  const auto num_experts = static_cast<uint32_t>(w.size());
  const uint32_t group_size = num_experts / num_groups;
  const uint32_t groups_per_node = num_groups / num_nodes;
  const uint32_t experts_per_node = num_experts / num_nodes;
  const uint32_t slots_per_node = num_slots / num_nodes;
  const uint32_t gpus_per_node = num_gpus / num_nodes;
  const uint32_t slots_per_gpu = num_slots / num_gpus;

  // Step 1: groups to nodes; mlog = (node * groups_per_node + rank) * group_size + offset.
  std::vector<double> group_load(num_groups, 0.0);
  for (uint32_t e = 0; e < num_experts; ++e)
    group_load[e / group_size] += w[e];
  const Packing groups = balanced_packing(group_load, num_nodes);
  std::vector<uint32_t> mlog2log(num_experts);
  for (uint32_t e = 0; e < num_experts; ++e) {
    const uint32_t g = e / group_size;
    const uint32_t mlog =
        (groups.pack[g] * groups_per_node + groups.rank[g]) * group_size + e % group_size;
    mlog2log[mlog] = e;
  }

  LayerResult out{std::vector<int32_t>(num_slots), std::vector<int32_t>(num_slots)};
  std::vector<double> node_w(experts_per_node);
  std::vector<double> slot_w(slots_per_node);
  for (uint32_t node = 0; node < num_nodes; ++node) {
    // Step 2: replicate inside the node (replicas never leave the node owning the group).
    for (uint32_t j = 0; j < experts_per_node; ++j)
      node_w[j] = w[mlog2log[node * experts_per_node + j]];
    const Replication rep = replicate_experts(node_w, slots_per_node);
    // Step 3: pack the node's slots (load = expert load / replicas) onto its GPUs.
    for (uint32_t p = 0; p < slots_per_node; ++p)
      slot_w[p] = node_w[rep.phy2log[p]] / rep.logcnt[rep.phy2log[p]];
    const Packing gpus = balanced_packing(slot_w, gpus_per_node);
    for (uint32_t p = 0; p < slots_per_node; ++p) {
      const uint32_t slot = node * slots_per_node + gpus.pack[p] * slots_per_gpu + gpus.rank[p];
      out.phy2log[slot] = static_cast<int32_t>(mlog2log[node * experts_per_node + rep.phy2log[p]]);
      out.rank[slot] = static_cast<int32_t>(rep.rank[p]);
    }
  }
  return out;
}

void require(bool ok, const std::string& what) {
  if (!ok) throw InputError(fmt::format("eplb: {}", what));
}

}  // namespace

Placement eplb(const ExpertLoads& loads, const EplbConfig& c) {
  const uint32_t num_experts = check_loads(loads);
  require(
      c.num_groups > 0 && num_experts % c.num_groups == 0,
      fmt::format("groups {}: expected a divisor of the {} experts", c.num_groups, num_experts));
  require(c.num_gpus > 0 && c.num_slots % c.num_gpus == 0,
          fmt::format("slots {}: expected a multiple of the {} GPUs", c.num_slots, c.num_gpus));
  require(c.num_slots >= num_experts,
          fmt::format("slots {}: expected at least the {} experts", c.num_slots, num_experts));
  require(c.num_nodes > 0, "nodes 0: expected at least one node");
  bool hierarchical = c.num_groups % c.num_nodes == 0;
  if (c.policy == EplbPolicy::hierarchical) {
    require(hierarchical, fmt::format("hierarchical policy needs groups ({}) divisible by nodes "
                                      "({})",
                                      c.num_groups, c.num_nodes));
  }
  if (c.policy == EplbPolicy::global) hierarchical = false;
  // Only the hierarchical policy splits GPUs into nodes (global runs with one node).
  if (hierarchical) {
    require(c.num_gpus % c.num_nodes == 0,
            fmt::format("nodes {}: expected a divisor of the {} GPUs", c.num_nodes, c.num_gpus));
  }

  std::vector<std::vector<int32_t>> phy2log;
  std::vector<std::vector<int32_t>> rank;
  for (const auto& row : loads) {
    LayerResult r = hierarchical
                        ? rebalance_layer(row, c.num_slots, c.num_groups, c.num_nodes, c.num_gpus)
                        : rebalance_layer(row, c.num_slots, 1, 1, c.num_gpus);
    phy2log.push_back(std::move(r.phy2log));
    rank.push_back(std::move(r.rank));
  }
  return make_placement(std::move(phy2log), num_experts, c.num_gpus, rank);
}

}  // namespace moesim::workload
