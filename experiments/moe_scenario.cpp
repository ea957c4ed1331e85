#include "experiments/moe_scenario.hpp"

#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "sim/core/error.hpp"
#include "workloads/eplb.hpp"
#include "workloads/placement.hpp"

namespace moesim::cli {
namespace {

// A whole number option, or the preset's value when the option says "preset".
uint32_t count_or(const Settings& s, const std::string& name, uint32_t preset, uint32_t min) {
  const std::string& text = s.get(name);
  if (text == "preset") return preset;
  uint32_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || v < min) {
    throw InputError(
        fmt::format("{}: '{}': expected preset or a whole number >= {}", s.where(name), text, min));
  }
  return v;
}

double real_or(const Settings& s, const std::string& name, double preset, double lo, double hi) {
  const std::string& text = s.get(name);
  if (text == "preset") return preset;
  double v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(v) ||
      v < lo || v > hi) {
    throw InputError(
        fmt::format("{}: '{}': expected a number from {} to {}", s.where(name), text, lo, hi));
  }
  return v;
}

template <class T>
T choice(const Settings& s, const std::string& name,
         std::initializer_list<std::pair<const char*, T>> options) {
  std::string expected;
  for (const auto& [text, value] : options) {
    if (s.get(name) == text) return value;
    expected += expected.empty() ? text : std::string(", ") + text;
  }
  throw InputError(
      fmt::format("{}: '{}': expected one of {}", s.where(name), s.get(name), expected));
}

// Facts of the published models (hidden size, expert FFN width, experts, top-k, MoE layers).
MoeShape preset_shape(const std::string& name, workload::TraceGenSpec& gen) {
  MoeShape m;
  m.preset = name;
  if (name == "mixtral-8x7b") {
    gen = workload::mixtral_8x7b_spec();
    m.experts = 8, m.top_k = 2, m.hidden = 4096, m.expert_ffn = 14336, m.layers = 32;
  } else if (name == "deepseek-v3") {
    gen = workload::deepseek_v3_spec();
    m.experts = 256, m.top_k = 8, m.hidden = 7168, m.expert_ffn = 2048, m.layers = 58;
  } else if (name == "olmoe-1b-7b") {
    gen = workload::olmoe_1b_7b_spec();
    m.experts = 64, m.top_k = 8, m.hidden = 2048, m.expert_ffn = 1024, m.layers = 16;
  } else {
    throw InputError(
        fmt::format("--moe-model: '{}': expected mixtral-8x7b, deepseek-v3 or olmoe-1b-7b", name));
  }
  return m;
}

// --balance alf: the synthetic router balances itself with a per-layer bias (DeepSeek-V3
// §2.1.2). It needs gate scores, so a preset that samples its experts (no scores) routes with
// the softmax gate and the spec's calibrated logit noise and bias scale instead; a replayed
// trace has fixed expert choices and cannot be rebalanced.
void use_alf(const Settings& s, MoeSpec& spec, double rate) {
  if (!spec.trace.empty()) {
    throw InputError(fmt::format(
        "{}: 'alf' with --trace '{}': expected none or llep (a replayed trace has fixed expert "
        "choices; alf needs the synthetic router)",
        s.where("balance"), spec.trace));
  }
  workload::TraceGenSpec& gen = spec.generator;
  if (gen.router == workload::TraceRouter::kSample) {
    gen.router = workload::TraceRouter::kSoftmax;
    gen.locality = 0;  // a sampling-router feature
  }
  gen.alf_update_rate = rate;
}

}  // namespace

MoeSpec parse_moe(const Settings& s, uint64_t seed) {
  MoeSpec spec;
  workload::TraceGenSpec& gen = spec.generator;
  MoeShape& m = spec.shape;
  m = preset_shape(s.get("moe-model"), gen);
  m.experts = count_or(s, "experts", m.experts, 1);
  m.top_k = count_or(s, "top-k", m.top_k, 1);
  m.hidden = count_or(s, "hidden", m.hidden, 1);
  m.expert_ffn = count_or(s, "expert-ffn", m.expert_ffn, 1);
  m.layers = count_or(s, "moe-layers", m.layers, 1);
  m.bytes_per_element = count_or(s, "bytes-per-element", m.bytes_per_element, 1);
  if (m.top_k > m.experts) {
    throw InputError(fmt::format("{}: {}: expected at most --experts ({})", s.where("top-k"),
                                 m.top_k, m.experts));
  }
  spec.tokens_per_gpu = count_or(s, "tokens-per-gpu", 4096, 1);
  spec.iterations = count_or(s, "iterations", 1, 1);
  gen.num_experts = m.experts;
  gen.top_k = m.top_k;
  gen.num_layers = m.layers;
  gen.num_iterations = spec.iterations;
  gen.zipf_s = real_or(s, "zipf-s", gen.zipf_s, 0, 10);
  gen.seed = seed;
  if (gen.router == workload::TraceRouter::kSigmoidGrouped &&
      m.experts % gen.groups.num_groups != 0) {
    gen.router = workload::TraceRouter::kSoftmax;  // custom expert counts: no node groups
  }
  spec.trace = s.get("trace");
  spec.placement = s.get("placement");
  choice<int>(s, "placement",
              {{"auto", 0},
               {"contiguous", 0},
               {"round-robin", 0},
               {"random", 0},
               {"eplb", 0},
               {"topology-aware", 0}});
  spec.slots_per_gpu = count_or(s, "slots-per-gpu", 0, 0);
  workload::MoeRoutingConfig& r = spec.routing;
  // alf balances inside the router (the generator), so routing itself does not rebalance.
  r.balancer = choice<workload::Balancer>(s, "balance",
                                          {{"none", workload::Balancer::none},
                                           {"llep", workload::Balancer::llep},
                                           {"alf", workload::Balancer::none}});
  // Scores lie in (0, 1) for both gates: a step above 1 would jump past every score gap.
  // Default 0.001: DeepSeek-V3's bias update speed gamma (arXiv 2412.19437 §4.2; policies.md
  // §1.7).
  const double alf_rate = real_or(s, "alf-rate", 0.001, 0, 1);
  if (s.get("balance") == "alf") use_alf(s, spec, alf_rate);
  r.capacity.mode = choice<workload::CapacityMode>(s, "capacity",
                                                   {{"dropless", workload::CapacityMode::dropless},
                                                    {"drop", workload::CapacityMode::drop},
                                                    {"pad", workload::CapacityMode::pad}});
  r.capacity.capacity_factor = real_or(s, "capacity-factor", 1.25, 1e-6, 1e6);
  r.capacity.drop_policy =
      choice<workload::DropPolicy>(s, "drop-policy",
                                   {{"probability", workload::DropPolicy::probability},
                                    {"position", workload::DropPolicy::position}});
  r.replica =
      choice<workload::ReplicaPolicy>(s, "replica",
                                      {{"round-robin", workload::ReplicaPolicy::round_robin},
                                       {"nearest", workload::ReplicaPolicy::nearest},
                                       {"least-loaded", workload::ReplicaPolicy::least_loaded}});
  spec.gpu.peak_flops = real_or(s, "gpu-tflops", 989.4, 1e-3, 1e6) * 1e12;
  spec.attention = parse_time(s.get("attention-time"), s.where("attention-time"));
  spec.seed = seed;
  return spec;
}

std::vector<uint32_t> leaf_of_gpus(const topo::Topology& t) {
  std::vector<uint32_t> leaf(t.num_hosts(), 0);
  for (uint32_t h = 0; h < t.num_hosts(); ++h) {
    for (const uint32_t l : t.out_links(t.host_vertex(h))) {
      if (t.link(l).kind != topo::LinkKind::NvLink) {
        leaf[h] = t.link(l).to;
        break;
      }
    }
  }
  return leaf;
}

namespace {

// Slots per GPU and the placement policy, with "auto" resolved: contiguous when every GPU holds
// its share of experts exactly, else EPLB (which replicates into the spare slots).
struct PlacementChoice {
  std::string policy;
  uint32_t per_gpu;
  uint32_t slots;
};

PlacementChoice choose_placement(const MoeSpec& spec, uint32_t num_gpus) {
  const uint32_t e = spec.shape.experts;
  PlacementChoice c;
  c.per_gpu =
      spec.slots_per_gpu != 0 ? spec.slots_per_gpu : std::max(1u, (e + num_gpus - 1) / num_gpus);
  c.slots = c.per_gpu * num_gpus;
  c.policy = spec.placement;
  if (c.policy == "auto") c.policy = c.slots == e ? "contiguous" : "eplb";
  if (c.policy != "eplb" && c.slots != e) {
    throw InputError(fmt::format(
        "--placement {}: {} experts in {} slots ({} GPUs x {}): expected --placement eplb, "
        "which replicates experts into spare slots",
        c.policy, e, c.slots, num_gpus, c.per_gpu));
  }
  return c;
}

// Only these policies read the trace's loads (and co-activation); the others need no first
// pass over the trace, which for a synthetic router is half the generation time.
bool reads_loads(const PlacementChoice& c) {
  return c.policy == "eplb" || c.policy == "topology-aware";
}

workload::Placement make_placement(const MoeSpec& spec, const PlacementChoice& choice,
                                   uint32_t num_gpus, const std::vector<uint32_t>& leaf_of_gpu,
                                   const workload::ExpertLoads& loads,
                                   const std::vector<Eigen::MatrixXd>& coactivation) {
  const uint32_t e = spec.shape.experts, layers = spec.shape.layers;
  const std::string& policy = choice.policy;
  const uint32_t slots = choice.slots;
  if (policy == "contiguous") return workload::place_contiguous(layers, e, num_gpus);
  if (policy == "round-robin") return workload::place_round_robin(layers, e, num_gpus);
  if (policy == "random") return workload::place_random(layers, e, num_gpus, spec.seed);
  if (policy == "topology-aware") {
    return workload::place_topology_aware(loads, coactivation, leaf_of_gpu);
  }
  workload::EplbConfig c;
  c.num_slots = slots;
  c.num_gpus = num_gpus;
  c.policy = workload::EplbPolicy::global;
  return workload::eplb(loads, c);
}

}  // namespace

MoeLayers route_trace(const MoeSpec& spec, uint32_t num_gpus,
                      const std::vector<uint32_t>& leaf_of_gpu,
                      const std::function<std::unique_ptr<workload::TraceReader>()>& reopen) {
  const uint32_t e = spec.shape.experts, layers = spec.shape.layers;
  const PlacementChoice choice = choose_placement(spec, num_gpus);
  const auto check_layer = [&](const workload::Batch& b) {
    if (b.layer >= layers) {
      throw InputError(fmt::format("trace: layer {}: expected layers 0..{} (--moe-layers)", b.layer,
                                   layers - 1));
    }
  };
  // Loads and co-activation of the whole trace: what a placement is computed from.
  workload::ExpertLoads loads(layers, std::vector<double>(e, 0.0));
  std::vector<Eigen::MatrixXd> coactivation;
  workload::Batch b;
  if (reads_loads(choice)) {
    if (choice.policy == "topology-aware") coactivation.assign(layers, Eigen::MatrixXd::Zero(e, e));
    auto reader = reopen();
    while (reader->next(b)) {
      check_layer(b);
      for (const uint32_t x : b.experts)
        loads[b.layer][x] += 1;
      if (!coactivation.empty()) {
        coactivation[b.layer] += workload::coactivation_matrix(b.experts, b.top_k, e);
      }
    }
  }
  const workload::Placement placement =
      make_placement(spec, choice, num_gpus, leaf_of_gpu, loads, coactivation);
  workload::MoeRoutingConfig rc = spec.routing;
  rc.num_gpus = num_gpus;
  rc.node_of_gpu = leaf_of_gpu;
  MoeLayers out;
  auto reader = reopen();
  while (reader->next(b)) {
    check_layer(b);
    workload::RoutedLayer r = workload::route_layer(b, placement, b.layer, rc);
    out.iteration.push_back(b.iteration);
    out.layer.push_back(b.layer);
    out.traffic.push_back(std::move(r.traffic));
    out.stats.push_back(r.stats);
  }
  if (out.traffic.empty()) throw InputError("trace: no tokens: expected at least one batch");
  return out;
}

Workload moe_workload(const MoeSpec& spec, const MoeLayers& layers) {
  workload::MoeDagParams p;
  p.dispatch_bytes_per_token = uint64_t{spec.shape.hidden} * spec.shape.bytes_per_element;
  p.combine_bytes_per_token = p.dispatch_bytes_per_token;
  p.attention = spec.attention;
  p.layers_per_iteration = spec.shape.layers;
  // SwiGLU expert: 3 matrices hidden x ffn, 2 FLOPs per multiply-add.
  const double flops = 2.0 * 3.0 * spec.shape.hidden * spec.shape.expert_ffn;
  return workload::build_moe_dag(layers.traffic, p, [&](uint32_t layer, uint32_t gpu) {
    return sim::expert_compute_time(spec.gpu, layers.traffic[layer].expert_rows[gpu], flops);
  });
}

}  // namespace moesim::cli
