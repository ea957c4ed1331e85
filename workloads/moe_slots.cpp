#include "workloads/moe_slots.hpp"

#include <fmt/format.h>

#include "sim/core/error.hpp"
#include "workloads/llep.hpp"

namespace moesim::workload {

std::vector<uint64_t> apportion(uint64_t total, std::span<const uint64_t> weights) {
  unsigned __int128 sum = 0;
  for (const uint64_t w : weights)
    sum += w;
  const bool equal = sum == 0;
  if (equal) sum = weights.size();
  std::vector<uint64_t> parts(weights.size());
  unsigned __int128 cum = 0;
  uint64_t given = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    cum += equal ? 1 : weights[i];
    const auto upto = static_cast<uint64_t>(total * cum / sum);  // <= total: fits
    parts[i] = upto - given;
    given = upto;
  }
  return parts;
}

RoutedLayer route_layer_slots(std::span<const uint64_t> slots,
                              std::span<const uint64_t> tokens_of_gpu, const Placement& p,
                              uint32_t layer, const MoeRoutingConfig& c) {
  const uint32_t n = c.num_gpus, experts = p.num_experts();
  if (slots.size() != experts || tokens_of_gpu.size() != n) {
    throw InternalError(
        fmt::format("route_layer_slots: {} counts for {} experts, {} sources for {} GPUs",
                    slots.size(), experts, tokens_of_gpu.size(), n));
  }
  RoutedLayer out;
  LayerStats& st = out.stats;
  LayerTraffic& lt = out.traffic;
  lt.num_gpus = n;
  lt.tokens.assign(size_t{n} * n, 0);
  lt.expert_rows.assign(n, std::vector<uint64_t>(experts, 0));
  const bool by_server = !c.server_of_gpu.empty();
  if (by_server) {
    lt.num_servers = c.num_servers;
    lt.server_tokens.assign(size_t{n} * c.num_servers, 0);
  }
  for (const uint64_t t : tokens_of_gpu)
    st.tokens += t;
  // by_rank[g][e]: the slots of expert e that GPU g routes.
  std::vector<std::vector<uint64_t>> by_rank(n, std::vector<uint64_t>(experts, 0));
  for (uint32_t e = 0; e < experts; ++e) {
    st.slots += slots[e];
    const std::vector<uint64_t> parts = apportion(slots[e], tokens_of_gpu);
    for (uint32_t g = 0; g < n; ++g)
      by_rank[g][e] = parts[g];
  }
  // Every slot is its own transfer (no token identity to deduplicate by).
  const auto send = [&](uint32_t src, uint32_t dst, uint32_t e, uint64_t count) {
    lt.tokens[size_t{src} * n + dst] += count;
    lt.expert_rows[dst][e] += count;
    (dst == src ? st.local_tokens : st.remote_tokens) += count;
    if (by_server) lt.server_tokens[size_t{src} * c.num_servers + c.server_of_gpu[dst]] += count;
  };
  if (c.balancer == Balancer::llep) {
    const LlepPlan plan = llep_plan(slots, llep_config(c, experts));
    st.weight_transfers = plan.transfers.size();
    for (const TokenMove& m : llep_token_moves(plan, by_rank))
      send(m.src_rank, m.dst_gpu, m.expert, m.count);
  } else {
    for (uint32_t e = 0; e < experts; ++e) {
      const std::vector<int32_t>& replicas = p.log2phy[layer][e];
      const auto num = static_cast<uint32_t>(p.logcnt[layer][e]);
      const std::vector<uint64_t> equal(num, 1);
      for (uint32_t g = 0; g < n; ++g) {
        // Source g starts at replica g mod R, so the rounding does not favour replica 0.
        const std::vector<uint64_t> parts = apportion(by_rank[g][e], equal);
        for (uint32_t i = 0; i < num; ++i) {
          const auto slot = static_cast<uint32_t>(replicas[(i + g) % num]);
          send(g, p.gpu_of_slot(slot), e, parts[i]);
        }
      }
    }
  }
  add_row_stats(lt, slots, st);
  return out;
}

MoeLayers route_slot_layers(const MoeSpec& spec, uint32_t num_gpus,
                            const std::vector<uint32_t>& leaf_of_gpu, const PlacementEntry& entry,
                            uint32_t num_slots) {
  const uint32_t layers = spec.shape.layers, e = spec.shape.experts;
  if (entry.needs_coactivation) {
    throw InputError(fmt::format(
        "--placement {}: needs the experts' co-activation, which the slot counts of --loads '{}' "
        "do not have (no token identity): expected a placement from loads",
        entry.name, spec.loads));
  }
  if (spec.layer_slots.size() != layers) {
    throw InternalError(fmt::format("route_slot_layers: {} layers of counts for {} layers",
                                    spec.layer_slots.size(), layers));
  }
  ExpertLoads loads(layers, std::vector<double>(e, 0.0));
  for (uint32_t l = 0; l < layers; ++l) {
    for (uint32_t x = 0; x < e; ++x)
      loads[l][x] = static_cast<double>(spec.layer_slots[l].at(x));
  }
  const std::vector<Eigen::MatrixXd> no_coactivation;
  const PlacementInput in{.num_layers = layers,
                          .num_experts = e,
                          .num_gpus = num_gpus,
                          .num_slots = num_slots,
                          .seed = spec.seed,
                          .loads = loads,
                          .coactivation = no_coactivation,
                          .leaf_of_gpu = leaf_of_gpu};
  MoeLayers out;
  out.placement = entry.place(in);
  MoeRoutingConfig rc = spec.routing;
  rc.num_gpus = num_gpus;
  rc.node_of_gpu = leaf_of_gpu;
  const std::vector<uint64_t> tokens(num_gpus, spec.tokens_per_gpu);
  std::vector<RoutedLayer> routed;
  for (uint32_t l = 0; l < layers; ++l)
    routed.push_back(route_layer_slots(spec.layer_slots[l], tokens, out.placement, l, rc));
  for (uint32_t it = 0; it < spec.iterations; ++it) {
    for (uint32_t l = 0; l < layers; ++l) {
      out.iteration.push_back(it);
      out.layer.push_back(l);
      out.traffic.push_back(routed[l].traffic);
      out.stats.push_back(routed[l].stats);
    }
  }
  return out;
}

}  // namespace moesim::workload
