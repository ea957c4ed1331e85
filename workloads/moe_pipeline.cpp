#include "workloads/moe_pipeline.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "sim/core/error.hpp"
#include "workloads/placement_registry.hpp"

namespace moesim::workload {
namespace {

// Slots per GPU and the placement policy, with "auto" resolved: contiguous when every GPU holds
// its share of experts exactly, else EPLB (which replicates into the spare slots).
struct PlacementChoice {
  const PlacementEntry* entry;
  uint32_t per_gpu;
  uint32_t slots;
};

std::string spare_slot_policies() {
  std::vector<std::string> names;
  for (const PlacementEntry* e : placement_entries()) {
    if (e->allows_spare_slots) names.emplace_back(e->name);
  }
  return fmt::format("{}", fmt::join(names, " | "));
}

PlacementChoice choose_placement(const MoeSpec& spec, uint32_t num_gpus) {
  const uint32_t e = spec.shape.experts;
  PlacementChoice c;
  c.per_gpu =
      spec.slots_per_gpu != 0 ? spec.slots_per_gpu : std::max(1u, (e + num_gpus - 1) / num_gpus);
  c.slots = c.per_gpu * num_gpus;
  const std::string name =
      spec.placement != "auto" ? spec.placement : (c.slots == e ? "contiguous" : "eplb");
  c.entry = find_placement(name);
  if (c.entry == nullptr) {
    throw InputError(fmt::format("--placement: '{}': expected auto or one of {}", name,
                                 fmt::join(placement_names(), ", ")));
  }
  if (!c.entry->allows_spare_slots && c.slots != e) {
    throw InputError(fmt::format(
        "--placement {}: {} experts in {} slots ({} GPUs x {}): expected --placement {}, "
        "which replicate experts into spare slots",
        name, e, c.slots, num_gpus, c.per_gpu, spare_slot_policies()));
  }
  return c;
}

}  // namespace

TraceGenSpec router_for(const MoeSpec& spec, uint32_t num_gpus) {
  TraceGenSpec gen = spec.generator;
  gen.num_ranks = num_gpus;
  gen.tokens_per_batch = spec.tokens_per_gpu * num_gpus;
  return gen;
}

TraceSource trace_source(const MoeSpec& spec, uint32_t num_gpus) {
  if (!spec.trace.empty()) {
    const TraceReadOptions read{spec.shape.experts, spec.shape.top_k};
    return [path = spec.trace, read]() { return open_trace(path, read); };
  }
  return [gen = router_for(spec, num_gpus)]() -> std::unique_ptr<TraceReader> {
    return std::make_unique<TraceGenerator>(gen);
  };
}

MoeLayers route_trace(const MoeSpec& spec, uint32_t num_gpus,
                      const std::vector<uint32_t>& leaf_of_gpu, const TraceSource& reopen) {
  const uint32_t e = spec.shape.experts, layers = spec.shape.layers;
  const PlacementChoice choice = choose_placement(spec, num_gpus);
  const auto check_layer = [&](const Batch& b) {
    if (b.layer >= layers) {
      throw InputError(fmt::format("trace: layer {}: expected layers 0..{} (--moe-layers)", b.layer,
                                   layers - 1));
    }
  };
  // Loads and co-activation of the whole trace: what a placement is computed from. Only the
  // policies that read them cost a first pass over the trace, which for a synthetic router is
  // half the generation time.
  ExpertLoads loads(layers, std::vector<double>(e, 0.0));
  std::vector<Eigen::MatrixXd> coactivation;
  Batch b;
  if (choice.entry->reads_loads || choice.entry->needs_coactivation) {
    if (choice.entry->needs_coactivation) coactivation.assign(layers, Eigen::MatrixXd::Zero(e, e));
    auto reader = reopen();
    while (reader->next(b)) {
      check_layer(b);
      for (const uint32_t x : b.experts)
        loads[b.layer][x] += 1;
      if (!coactivation.empty()) {
        coactivation[b.layer] += coactivation_matrix(b.experts, b.top_k, e);
      }
    }
  }
  const PlacementInput in{.num_layers = layers,
                          .num_experts = e,
                          .num_gpus = num_gpus,
                          .num_slots = choice.slots,
                          .seed = spec.seed,
                          .loads = loads,
                          .coactivation = coactivation,
                          .leaf_of_gpu = leaf_of_gpu};
  MoeLayers out;
  out.placement = choice.entry->place(in);
  MoeRoutingConfig rc = spec.routing;
  rc.num_gpus = num_gpus;
  rc.node_of_gpu = leaf_of_gpu;
  auto reader = reopen();
  while (reader->next(b)) {
    check_layer(b);
    RoutedLayer r = route_layer(b, out.placement, b.layer, rc);
    out.iteration.push_back(b.iteration);
    out.layer.push_back(b.layer);
    out.traffic.push_back(std::move(r.traffic));
    out.stats.push_back(r.stats);
  }
  if (out.traffic.empty()) throw InputError("trace: no tokens: expected at least one batch");
  return out;
}

double expert_flops_per_token(const MoeShape& shape) {
  return 2.0 * 3.0 * shape.hidden * shape.expert_ffn;
}

Workload moe_workload(const MoeSpec& spec, const MoeLayers& layers, const ExpertCost& cost) {
  MoeDagParams p;
  p.dispatch_bytes_per_token = uint64_t{spec.shape.hidden} * spec.shape.bytes_per_element;
  p.combine_bytes_per_token = p.dispatch_bytes_per_token;
  p.attention = spec.attention;
  p.layers_per_iteration = spec.shape.layers;
  const double flops = expert_flops_per_token(spec.shape);
  return build_moe_dag(layers.traffic, p, [&](uint32_t layer, uint32_t gpu) {
    return cost(layers.traffic[layer].expert_rows[gpu], flops);
  });
}

}  // namespace moesim::workload
