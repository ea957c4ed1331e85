#include "workloads/moe_pipeline.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "sim/core/error.hpp"
#include "sim/core/options.hpp"
#include "sim/core/rng.hpp"
#include "workloads/moe_slots.hpp"
#include "workloads/placement_registry.hpp"
#include "workloads/step_dag.hpp"

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

namespace {

// The iterations [first, first + count) of a trace by position (count 0: all after first),
// renumbered from 0: the prefill pass or the decode steps of a serving trace.
class IterationWindow : public TraceReader {
 public:
  IterationWindow(std::unique_ptr<TraceReader> in, uint32_t first, uint32_t count)
      : in_(std::move(in)), first_(first), count_(count) {}

  bool next(Batch& out) override {
    while (in_->next(out)) {
      if (!seen_ || out.iteration != last_) {
        position_ += seen_ ? 1 : 0;
        seen_ = true;
        last_ = out.iteration;
      }
      if (position_ < first_) continue;
      if (count_ != 0 && position_ - first_ >= count_) return false;
      out.iteration = position_ - first_;
      return true;
    }
    return false;
  }
  const TraceShape& shape() const override { return in_->shape(); }

 private:
  std::unique_ptr<TraceReader> in_;
  uint32_t first_, count_;
  bool seen_ = false;
  uint32_t last_ = 0, position_ = 0;
};

}  // namespace

TraceSource trace_source(const MoeSpec& spec, uint32_t num_gpus) {
  if (!spec.trace.empty()) {
    const TraceReadOptions read{spec.shape.experts, spec.shape.top_k, spec.trace_layout};
    if (spec.step == MoeStep::prefill || spec.step == MoeStep::decode) {
      const bool prefill = spec.step == MoeStep::prefill;
      return [path = spec.trace, read, prefill,
              n = spec.iterations]() -> std::unique_ptr<TraceReader> {
        return std::make_unique<IterationWindow>(open_trace(path, read), prefill ? 0 : 1,
                                                 prefill ? 1 : n);
      };
    }
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
  if (!spec.layer_slots.empty()) {
    return route_slot_layers(spec, num_gpus, leaf_of_gpu, *choice.entry, choice.slots);
  }
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
  // Every iteration gets all its layers, in order: a layer a trace leaves out (the real
  // Mixtral profiler drops some (token, layer) records) routes no tokens.
  const auto add = [&](uint32_t iteration, uint32_t layer, LayerTraffic t, const LayerStats& st) {
    out.iteration.push_back(iteration);
    out.layer.push_back(layer);
    out.traffic.push_back(std::move(t));
    out.stats.push_back(st);
  };
  const auto empty_layer = [&] {
    LayerTraffic empty;
    empty.num_gpus = num_gpus;
    empty.tokens.assign(size_t{num_gpus} * num_gpus, 0);
    empty.expert_rows.assign(num_gpus, std::vector<uint64_t>(out.placement.slots_per_gpu(), 0));
    empty.num_servers = rc.num_servers;
    empty.server_tokens.assign(rc.server_of_gpu.empty() ? 0 : size_t{num_gpus} * rc.num_servers, 0);
    return empty;
  };
  const auto pad = [&](uint32_t iteration, uint32_t until) {
    while (!out.layer.empty() && out.iteration.back() == iteration &&
           out.layer.back() + 1 < until) {
      add(iteration, out.layer.back() + 1, empty_layer(), LayerStats{});
    }
  };
  auto reader = reopen();
  while (reader->next(b)) {
    check_layer(b);
    const bool same = !out.layer.empty() && out.iteration.back() == b.iteration;
    if (same && b.layer <= out.layer.back()) {
      throw InputError(
          fmt::format("trace: iteration {}: layer {} after layer {}: expected each "
                      "iteration's layers in increasing order",
                      b.iteration, b.layer, out.layer.back()));
    }
    if (!same && !out.layer.empty()) pad(out.iteration.back(), layers);
    if (!same && b.layer > 0) {  // the iteration starts past layer 0: an empty layer 0 first
      add(b.iteration, 0, empty_layer(), LayerStats{});
    }
    pad(b.iteration, b.layer);
    RoutedLayer r = route_layer(b, out.placement, b.layer, rc);
    add(b.iteration, b.layer, std::move(r.traffic), r.stats);
  }
  if (out.traffic.empty()) throw InputError("trace: no tokens: expected at least one batch");
  pad(out.iteration.back(), layers);
  return out;
}

namespace {

// Adds the layers of one EP group (local GPU ids) into `all` (global ids): those of its
// pipeline stage, [first_layer, end_layer).
void merge_group(MoeLayers& all, const MoeLayers& group, const std::vector<uint32_t>& gpus,
                 uint32_t num_gpus, bool first, uint32_t first_layer, uint32_t end_layer) {
  const auto e = static_cast<uint32_t>(gpus.size());
  if (first) {
    all.iteration = group.iteration;
    all.layer = group.layer;
    all.placement = group.placement;
    all.traffic.resize(group.traffic.size());
    all.stats.resize(group.stats.size());
    for (size_t i = 0; i < all.traffic.size(); ++i) {
      LayerTraffic& t = all.traffic[i];
      t.num_gpus = num_gpus;
      t.tokens.assign(static_cast<size_t>(num_gpus) * num_gpus, 0);
      t.expert_rows.assign(num_gpus, {});
      t.num_servers = group.traffic[i].num_servers;  // global server ids already
      t.server_tokens.assign(static_cast<size_t>(num_gpus) * t.num_servers, 0);
    }
  }
  if (group.traffic.size() != all.traffic.size()) {
    throw InternalError("route_ep_groups: groups routed different numbers of layers");
  }
  for (size_t i = 0; i < group.traffic.size(); ++i) {
    if (group.layer[i] < first_layer || group.layer[i] >= end_layer) continue;
    const LayerTraffic& t = group.traffic[i];
    LayerTraffic& out = all.traffic[i];
    for (uint32_t s = 0; s < e; ++s) {
      for (uint32_t d = 0; d < e; ++d)
        out.tokens[static_cast<size_t>(gpus[s]) * num_gpus + gpus[d]] = t.at(s, d);
      out.expert_rows[gpus[s]] = t.expert_rows[s];
      for (uint32_t v = 0; v < t.num_servers; ++v)
        out.server_tokens[static_cast<size_t>(gpus[s]) * t.num_servers + v] = t.at_server(s, v);
    }
    const LayerStats& g = group.stats[i];
    LayerStats& o = all.stats[i];
    o.tokens += g.tokens;
    o.slots += g.slots;
    o.dropped += g.dropped;
    o.padding += g.padding;
    o.max_gpu_rows = std::max(o.max_gpu_rows, g.max_gpu_rows);
    o.mean_gpu_rows += g.mean_gpu_rows;  // divided by the group count at the end
    o.max_expert_rows = std::max(o.max_expert_rows, g.max_expert_rows);
    o.mean_expert_rows += g.mean_expert_rows;
    o.local_tokens += g.local_tokens;
    o.remote_tokens += g.remote_tokens;
    o.weight_transfers += g.weight_transfers;
  }
}

// The spec one EP group (`members`, by EP rank) routes with: the servers of its GPUs for
// hierarchical dispatch, and node-limited routing with one expert group per server.
MoeSpec group_spec(const MoeSpec& spec, const ParallelLayout& layout,
                   const std::vector<uint32_t>& members) {
  MoeSpec out = spec;
  MoeRoutingConfig& rc = out.routing;
  if (spec.dispatch == Dispatch::hierarchical) {
    rc.num_servers = layout.num_servers();
    rc.server_of_gpu.resize(members.size());
    for (size_t r = 0; r < members.size(); ++r)
      rc.server_of_gpu[r] = layout.server(members[r]);
  }
  const uint32_t k = spec.max_nodes_per_token;
  if (k == 0) return out;
  // Contiguous placement gives EP rank r experts [r E / ep, (r + 1) E / ep): expert group v
  // (experts [v E / N, (v + 1) E / N)) is the experts of server v when the group's ranks fill
  // its N servers one after another, ep / N each.
  const auto e = static_cast<uint32_t>(members.size());
  std::vector<uint32_t> block_server;
  for (uint32_t r = 0; r < e; ++r) {
    const uint32_t s = layout.server(members[r]);
    if (block_server.empty() || block_server.back() != s) block_server.push_back(s);
  }
  const auto nodes = static_cast<uint32_t>(block_server.size());
  std::vector<uint32_t> sorted = block_server;
  std::sort(sorted.begin(), sorted.end());
  bool by_server =
      std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end() && e % nodes == 0;
  for (uint32_t r = 0; r < e && by_server; ++r)
    by_server = layout.server(members[r]) == block_server[r / (e / nodes)];
  const auto bad = [&](const std::string& expected) {
    throw FieldError("max-nodes-per-token", std::to_string(k), expected);
  };
  if (!by_server) {
    bad(
        fmt::format("EP groups whose ranks fill their servers one after another, an equal "
                    "share on each ({}: --rank-order with ep before dp and pp)",
                    layout.summary()));
  }
  if (k > nodes) bad(fmt::format("at most the {} servers an EP group of {} GPUs spans", nodes, e));
  if (spec.shape.experts % nodes != 0) {
    bad(fmt::format("a model whose {} experts divide into the {} servers of an EP group",
                    spec.shape.experts, nodes));
  }
  if (uint64_t{k} * (spec.shape.experts / nodes) < spec.shape.top_k) {
    bad(fmt::format("enough servers for top-{} ({} experts per server)", spec.shape.top_k,
                    spec.shape.experts / nodes));
  }
  out.generator.groups.num_groups = nodes;
  out.generator.groups.topk_groups = k;
  return out;
}

}  // namespace

MoeLayers route_ep_groups(const MoeSpec& spec, const ParallelLayout& layout,
                          const std::vector<uint32_t>& leaf_of_gpu) {
  const uint32_t gpus = layout.num_gpus();
  if (layout.num_ep_groups() == 1) {
    const MoeSpec one = group_spec(spec, layout, layout.ep_group(0));
    return route_trace(one, gpus, leaf_of_gpu, trace_source(one, gpus));
  }
  if (!spec.trace.empty()) {
    throw FieldError("ep", std::to_string(layout.ep()),
                     fmt::format("--ep equal to --dp ({}) with --trace: a replayed trace is one "
                                 "expert-parallel group's tokens",
                                 layout.dp()));
  }
  if (spec.shape.experts % layout.ep() != 0) {
    throw FieldError(
        "ep", std::to_string(layout.ep()),
        fmt::format("a divisor of the {} experts (each EP rank holds E / ep)", spec.shape.experts));
  }
  MoeLayers all;
  for (uint32_t g = 0; g < layout.num_ep_groups(); ++g) {
    const std::vector<uint32_t>& members = layout.ep_group(g);
    MoeSpec group = group_spec(spec, layout, members);
    // Each group routes its own tokens: the router's seed drawn from the group's stream.
    group.generator.seed =
        make_stream(spec.generator.seed, fmt::format("ep-group-{}", g)).next_u64();
    std::vector<uint32_t> leaves(members.size());
    for (size_t r = 0; r < members.size(); ++r)
      leaves[r] = leaf_of_gpu[members[r]];
    const MoeLayers routed =
        route_trace(group, layout.ep(), leaves, trace_source(group, layout.ep()));
    const uint32_t stage = layout.coord(members.front()).pp, layers = spec.shape.layers;
    merge_group(all, routed, members, gpus, g == 0,
                first_layer_of_stage(stage, layout.pp(), layers),
                first_layer_of_stage(stage + 1, layout.pp(), layers));
  }
  // Each layer was merged from the EP groups of its stage.
  const uint32_t groups_per_stage = layout.num_ep_groups() / layout.pp();
  for (LayerStats& s : all.stats) {
    s.mean_gpu_rows /= groups_per_stage;
    s.mean_expert_rows /= groups_per_stage;
  }
  return all;
}

double expert_flops_per_token(const MoeShape& shape) {
  return 2.0 * 3.0 * shape.hidden * shape.expert_ffn;
}

Bytes dense_grad_bytes(const MoeShape& s) {
  const uint64_t h = s.hidden;
  return Bytes{(4 * h * h + h * s.experts) * s.bytes_per_element};  // < 2^32 fields: fits
}

Bytes expert_grad_bytes(const MoeShape& s, uint32_t slots_per_gpu) {
  return Bytes{uint64_t{slots_per_gpu} * 3 * s.hidden * s.expert_ffn * s.bytes_per_element};
}

namespace {

const char* step_name(MoeStep s) {
  switch (s) {
    case MoeStep::forward:
      return "forward";
    case MoeStep::prefill:
      return "prefill";
    case MoeStep::decode:
      return "decode";
    case MoeStep::train:
      return "train";
  }
  return "?";
}

// a x b, or InputError naming `what` when it passes 2^64 - 1.
uint64_t product(uint64_t a, uint64_t b, const char* what) {
  uint64_t out = 0;
  if (__builtin_mul_overflow(a, b, &out)) {
    throw InputError(fmt::format("{}: {} x {} bytes: expected at most 2^64 - 1", what, a, b));
  }
  return out;
}

}  // namespace

Workload moe_workload(const MoeSpec& spec, const MoeLayers& layers, const ExpertCost& cost,
                      const AttentionCost& attention, const ParallelLayout& layout) {
  StepParams t;
  MoeDagParams& p = t.layer;
  p.dispatch_bytes_per_token = uint64_t{spec.shape.hidden} * spec.shape.bytes_per_element;
  p.combine_bytes_per_token = p.dispatch_bytes_per_token;
  p.attention = spec.attention;
  p.layers_per_iteration = spec.shape.layers;
  t.train = spec.train();
  t.two_batch = spec.two_batch;
  t.dispatch = spec.dispatch;
  const uint32_t halves = spec.two_batch ? 2 : 1;
  const size_t units = layers.traffic.size() / spec.shape.layers;
  if (units * spec.shape.layers != layers.traffic.size() || units % halves != 0) {
    throw InputError(fmt::format(
        "--step {}: the router gave {} layers, not a whole number of {}micro-batches of {} "
        "layers",
        step_name(spec.step), layers.traffic.size(), spec.two_batch ? "two-batch " : "",
        spec.shape.layers));
  }
  t.micro_batches = static_cast<uint32_t>(units / halves);
  // Each unit carries its GPU's tokens_per_gpu tokens (a half with two-batch: the router
  // routed halves); a TP group's activation is its T GPUs' tokens.
  t.activation =
      Bytes{product(spec.tokens_per_gpu, p.dispatch_bytes_per_token, "--tokens-per-gpu")};
  t.tp_allreduce = Bytes{product(layout.tp(), t.activation.count, "--tp")};
  const double flops = expert_flops_per_token(spec.shape);
  const ExpertTime time = [&](uint32_t layer, uint32_t gpu) {
    return cost(layers.traffic[layer].expert_rows[gpu], flops);
  };
  if (spec.step == MoeStep::decode) {
    // Step k's tokens per GPU (the batch; a replayed trace's tokens over the GPUs) attend
    // over context + k cached tokens.
    const uint64_t gpus = layout.num_gpus() / layout.pp();  // a layer's tokens: one stage's
    for (size_t u = 0; u < units; ++u) {
      const uint64_t tokens = (layers.stats[u * spec.shape.layers].tokens + gpus - 1) / gpus;
      t.attention.push_back(attention(tokens, uint64_t{spec.context} + u / halves));
    }
  }
  if (spec.train()) {
    t.dense_grad_per_layer = Bytes{dense_grad_bytes(spec.shape).count / layout.tp()};
    t.expert_grad_per_layer = expert_grad_bytes(spec.shape, layers.placement.slots_per_gpu());
    t.bucket = spec.grad_bucket;
    t.reduce_scatter = spec.reduce_scatter;
    t.optimizer = spec.optimizer;
  }
  return build_step(layers.traffic, t, time, layout);
}

}  // namespace moesim::workload
