#include "workloads/moe_routing.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "sim/core/error.hpp"

namespace moesim::workload {

std::vector<uint32_t> source_gpus(const Batch& batch, uint32_t num_gpus) {
  const size_t n = batch.num_tokens();
  std::vector<uint32_t> src(n);
  for (size_t t = 0; t < n; ++t) {
    if (!batch.ranks.empty()) {
      if (batch.ranks[t] >= num_gpus) {
        throw InputError(fmt::format(
            "trace: iteration {} layer {} token {}: rank {}: expected a GPU below {}",
            batch.iteration, batch.layer, batch.token_ids[t], batch.ranks[t], num_gpus));
      }
      src[t] = batch.ranks[t];
    } else {
      src[t] = static_cast<uint32_t>(t * num_gpus / n);
    }
  }
  return src;
}

LlepConfig llep_config(const MoeRoutingConfig& c, uint32_t num_experts) {
  LlepConfig lc = c.llep;
  lc.num_gpus = c.num_gpus;
  if (num_experts % c.num_gpus != 0) {
    throw InputError(fmt::format("--balance llep: {} experts on {} GPUs: expected a multiple",
                                 num_experts, c.num_gpus));
  }
  lc.local_experts = num_experts / c.num_gpus;
  return lc;
}

void add_row_stats(const LayerTraffic& lt, std::span<const uint64_t> expert_rows, LayerStats& st) {
  uint64_t total = 0;
  for (const std::vector<uint64_t>& gpu : lt.expert_rows) {
    uint64_t rows = 0;
    for (const uint64_t r : gpu)
      rows += r;
    st.max_gpu_rows = std::max(st.max_gpu_rows, rows);
    total += rows;
  }
  st.mean_gpu_rows = static_cast<double>(total) / lt.num_gpus;
  for (const uint64_t r : expert_rows)
    st.max_expert_rows = std::max(st.max_expert_rows, r);
  st.mean_expert_rows = static_cast<double>(total) / static_cast<double>(expert_rows.size());
}

namespace {

// The GPU of every kept slot: LLEP's plan, or a replica of the slot's expert.
std::vector<uint32_t> slot_gpus(const Batch& b, const Placement& p, uint32_t layer,
                                const MoeRoutingConfig& c, std::span<const uint32_t> src,
                                LayerStats& stats) {
  const uint32_t k = b.top_k;
  if (c.balancer == Balancer::llep) {
    const uint32_t experts = p.num_experts();
    const LlepPlan plan = llep_plan(slot_counts(b.experts, experts), llep_config(c, experts));
    stats.weight_transfers = plan.transfers.size();
    return llep_dispatch(plan, b.experts, k, src, c.num_gpus);
  }
  const std::vector<uint32_t> slots =
      choose_replicas(p, layer, b.experts, k, src, c.node_of_gpu, c.replica);
  std::vector<uint32_t> gpus(slots.size());
  for (size_t i = 0; i < slots.size(); ++i)
    gpus[i] = p.gpu_of_slot(slots[i]);
  return gpus;
}

}  // namespace

RoutedLayer route_layer(const Batch& b, const Placement& p, uint32_t layer,
                        const MoeRoutingConfig& c) {
  const uint32_t n = c.num_gpus, k = b.top_k, experts = p.num_experts();
  const std::vector<uint32_t> src = source_gpus(b, n);
  if (b.weights.empty() && c.capacity.mode != CapacityMode::dropless &&
      c.capacity.drop_policy == DropPolicy::probability) {
    throw InputError(fmt::format(
        "--drop-policy probability: iteration {} layer {} has no gate weights: expected "
        "--drop-policy position, or a trace or router with weights",
        b.iteration, b.layer));
  }
  std::vector<double> weights(b.weights.begin(), b.weights.end());
  const CapacityResult cap = apply_capacity(b.experts, weights, k, experts, c.capacity);

  RoutedLayer out;
  LayerStats& st = out.stats;
  st.tokens = b.num_tokens();
  st.slots = cap.num_slots;
  st.dropped = cap.num_dropped;
  st.padding = cap.num_padding;
  const std::vector<uint32_t> gpu = slot_gpus(b, p, layer, c, src, st);

  LayerTraffic& lt = out.traffic;
  lt.num_gpus = n;
  lt.tokens.assign(size_t{n} * n, 0);
  lt.expert_rows.assign(n, std::vector<uint64_t>(experts, 0));
  const bool by_server = !c.server_of_gpu.empty();
  if (by_server) {
    if (c.server_of_gpu.size() != n) {
      throw InternalError(
          fmt::format("route_layer: {} servers of GPUs for {} GPUs", c.server_of_gpu.size(), n));
    }
    lt.num_servers = c.num_servers;
    lt.server_tokens.assign(size_t{n} * c.num_servers, 0);
  }
  std::vector<uint32_t> seen, seen_servers;  // destination GPUs, servers of the current token
  for (size_t t = 0; t < b.num_tokens(); ++t) {
    seen.clear();
    seen_servers.clear();
    for (uint32_t j = 0; j < k; ++j) {
      const size_t slot = t * k + j;
      if (!cap.kept[slot]) continue;
      const uint32_t g = gpu[slot];
      ++lt.expert_rows[g][b.experts[slot]];
      if (std::find(seen.begin(), seen.end(), g) != seen.end()) continue;
      seen.push_back(g);
      ++lt.tokens[size_t{src[t]} * n + g];
      ++(g == src[t] ? st.local_tokens : st.remote_tokens);
      if (!by_server) continue;
      const uint32_t server = c.server_of_gpu[g];
      if (std::find(seen_servers.begin(), seen_servers.end(), server) != seen_servers.end()) {
        continue;
      }
      seen_servers.push_back(server);
      ++lt.server_tokens[size_t{src[t]} * c.num_servers + server];
    }
  }
  // Padding is computed, not sent: each expert's padded rows go to the GPU of its first replica.
  for (uint32_t e = 0; e < experts && st.padding > 0; ++e) {
    const uint64_t pad = cap.rows[e] - cap.processed[e];
    if (pad == 0) continue;
    const int32_t first = c.balancer == Balancer::llep
                              ? static_cast<int32_t>(e / (experts / n))
                              : static_cast<int32_t>(p.gpu_of_slot(p.log2phy[layer][e][0]));
    lt.expert_rows[first][e] += pad;
  }
  add_row_stats(lt, cap.rows, st);
  return out;
}

}  // namespace moesim::workload
