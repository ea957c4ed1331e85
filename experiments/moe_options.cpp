#include "experiments/moe_options.hpp"

#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "sim/core/error.hpp"
#include "workloads/balance_registry.hpp"
#include "workloads/policy_csv.hpp"

namespace moesim::cli {
namespace {

// A preset-shaped count: the option's whole number, or the preset's own value for "preset".
uint32_t preset_or(const Settings& s, const std::string& name, uint32_t preset) {
  return s.is(name, "preset") ? preset : static_cast<uint32_t>(s.count(name));
}

// The enum value of a choice option; its choices are declared in experiments/options.cpp.
template <class T, size_t N>
T enum_of(const Settings& s, const std::string& name,
          const std::pair<std::string_view, T> (&values)[N]) {
  for (const auto& [text, value] : values) {
    if (s.text(name) == text) return value;
  }
  throw InternalError(fmt::format("option {}: choice '{}' has no value", name, s.text(name)));
}

constexpr std::pair<std::string_view, workload::MoeStep> kStep[] = {
    {"forward", workload::MoeStep::forward},
    {"prefill", workload::MoeStep::prefill},
    {"decode", workload::MoeStep::decode},
    {"train", workload::MoeStep::train}};
constexpr std::pair<std::string_view, workload::CapacityMode> kCapacity[] = {
    {"dropless", workload::CapacityMode::dropless},
    {"drop", workload::CapacityMode::drop},
    {"pad", workload::CapacityMode::pad}};
constexpr std::pair<std::string_view, workload::DropPolicy> kDropPolicy[] = {
    {"probability", workload::DropPolicy::probability},
    {"position", workload::DropPolicy::position}};
constexpr std::pair<std::string_view, workload::ReplicaPolicy> kReplica[] = {
    {"round-robin", workload::ReplicaPolicy::round_robin},
    {"nearest", workload::ReplicaPolicy::nearest},
    {"least-loaded", workload::ReplicaPolicy::least_loaded}};

// --loads: the slot counts, checked against the shape, refusing the options that need tokens.
void read_loads(const Settings& s, workload::MoeSpec& spec) {
  const auto refuse = [&](const char* name, const std::string& expected) {
    throw InputError(fmt::format("{}: '{}' with --loads (slot counts, no tokens): expected {}",
                                 s.where(name), s.get(name), expected));
  };
  if (!s.text("trace").empty()) refuse("trace", "one of --trace and --loads");
  if (spec.step != workload::MoeStep::forward) refuse("step", "forward");
  if (spec.two_batch) refuse("overlap", "none");
  if (!s.is("max-nodes-per-token", "none")) {
    refuse("max-nodes-per-token", "none (the counts fix every expert's slots)");
  }
  if (s.text("capacity") != "dropless") {
    refuse("capacity", "dropless (dropping chooses tokens, which counts do not have)");
  }
  if (s.text("replica") != "round-robin") {
    refuse("replica",
           "round-robin (a GPU's slots of an expert are split evenly over its replicas)");
  }
  spec.layer_slots = workload::read_layer_slots_csv(spec.loads);
  const workload::MoeShape& m = spec.shape;
  const auto rows = static_cast<uint32_t>(spec.layer_slots.size());
  const auto experts = static_cast<uint32_t>(spec.layer_slots.front().size());
  if (rows != m.layers || experts != m.experts) {
    throw InputError(fmt::format(
        "{}: {} layers of {} experts: expected the model's {} layers (--moe-layers) of {} "
        "experts (--experts)",
        spec.loads, rows, experts, m.layers, m.experts));
  }
}

}  // namespace

workload::MoeSpec parse_moe(const Settings& s, uint64_t seed) {
  workload::MoeSpec spec;
  workload::TraceGenSpec& gen = spec.generator;
  workload::MoeShape& m = spec.shape;
  const workload::MoePreset& preset =
      workload::find_moe_preset(s.text("moe-model"), s.where("moe-model"));
  m = preset.shape;
  gen = preset.generator();
  m.experts = preset_or(s, "experts", m.experts);
  m.top_k = preset_or(s, "top-k", m.top_k);
  m.hidden = preset_or(s, "hidden", m.hidden);
  m.expert_ffn = preset_or(s, "expert-ffn", m.expert_ffn);
  m.layers = preset_or(s, "moe-layers", m.layers);
  m.bytes_per_element = preset_or(s, "bytes-per-element", m.bytes_per_element);
  if (m.top_k > m.experts) {
    throw InputError(fmt::format("{}: {}: expected at most --experts ({})", s.where("top-k"),
                                 m.top_k, m.experts));
  }
  spec.tokens_per_gpu = static_cast<uint32_t>(s.count("tokens-per-gpu"));
  spec.iterations = static_cast<uint32_t>(s.count("iterations"));
  spec.step = enum_of(s, "step", kStep);
  const auto only_with = [&](const char* name, workload::MoeStep step, const char* step_name) {
    if (spec.step != step && s.source(name) != "default") {
      throw InputError(
          fmt::format("{}: '{}' is only used by --step {}", s.where(name), s.get(name), step_name));
    }
  };
  for (const char* name : {"micro-batches", "grad-bucket", "grad-sync", "optimizer-time"})
    only_with(name, workload::MoeStep::train, "train");
  for (const char* name : {"decode-steps", "batch", "context"})
    only_with(name, workload::MoeStep::decode, "decode");
  if (spec.step == workload::MoeStep::train || spec.step == workload::MoeStep::decode) {
    if (spec.iterations != 1) {
      throw InputError(fmt::format(
          "{}: '{}': expected 1 with --step {} (one step of {})", s.where("iterations"),
          spec.iterations, s.text("step"),
          spec.train() ? "--micro-batches router iterations" : "--decode-steps iterations"));
    }
  }
  if (spec.train()) {
    spec.micro_batches = static_cast<uint32_t>(s.count("micro-batches"));
    spec.iterations = spec.micro_batches;
    spec.grad_bucket = s.bytes("grad-bucket");
    if (spec.grad_bucket.count == 0) {
      throw InputError(
          fmt::format("{}: '0': expected a bucket of at least 1 byte", s.where("grad-bucket")));
    }
    spec.reduce_scatter = s.text("grad-sync") == "reduce-scatter";
    spec.optimizer = s.time("optimizer-time");
  }
  if (spec.step == workload::MoeStep::decode) {
    for (const char* name : {"tokens-per-gpu", "attention-time"}) {
      if (s.source(name) != "default") {
        throw InputError(
            fmt::format("{}: '{}': --step decode takes --batch tokens per GPU and "
                        "its own attention time model",
                        s.where(name), s.get(name)));
      }
    }
    const bool replay = !s.text("trace").empty();
    if (s.is("batch", "none") && !replay) {
      throw InputError(
          fmt::format("{}: none: expected --batch B (tokens per GPU in each decode "
                      "step) with --step decode",
                      s.where("batch")));
    }
    if (!s.is("batch", "none")) {
      if (replay) {
        throw InputError(fmt::format("{}: '{}': a replayed trace gives each decode step's tokens",
                                     s.where("batch"), s.get("batch")));
      }
      spec.tokens_per_gpu = static_cast<uint32_t>(s.count("batch"));
    }
    spec.iterations = static_cast<uint32_t>(s.count("decode-steps"));
    spec.context = static_cast<uint32_t>(s.count("context"));
  }
  spec.two_batch = s.text("overlap") == "two-batch";
  if (spec.two_batch) {  // the router routes each half as an iteration of its own
    if (spec.tokens_per_gpu % 2 != 0) {
      throw InputError(fmt::format("{}: {}: expected an even count with --overlap two-batch",
                                   s.where("tokens-per-gpu"), spec.tokens_per_gpu));
    }
    spec.tokens_per_gpu /= 2;
    spec.iterations *= 2;
  }
  gen.num_experts = m.experts;
  gen.top_k = m.top_k;
  gen.num_layers = m.layers;
  gen.num_iterations = spec.iterations;
  if (!s.is("zipf-s", "preset")) gen.zipf_s = s.real("zipf-s");
  gen.seed = seed;
  spec.dispatch = s.text("dispatch") == "hierarchical" ? workload::Dispatch::hierarchical
                                                       : workload::Dispatch::direct;
  if (!s.is("max-nodes-per-token", "none")) {
    if (!s.text("trace").empty()) {
      throw InputError(fmt::format("{}: '{}': a replayed trace gives each token's experts",
                                   s.where("max-nodes-per-token"), s.get("max-nodes-per-token")));
    }
    if (gen.router != workload::TraceRouter::kSigmoidGrouped) {
      throw InputError(fmt::format(
          "{}: '{}': the {} router has no expert groups: expected a group-limited router "
          "(--moe-model deepseek-v3)",
          s.where("max-nodes-per-token"), s.get("max-nodes-per-token"), s.text("moe-model")));
    }
    // The expert groups become the servers of an EP group (route_ep_groups checks them).
    spec.max_nodes_per_token = static_cast<uint32_t>(s.count("max-nodes-per-token"));
  } else if (gen.router == workload::TraceRouter::kSigmoidGrouped &&
             m.experts % gen.groups.num_groups != 0) {
    gen.router = workload::TraceRouter::kSoftmax;  // custom expert counts: no node groups
  }
  spec.trace = s.text("trace");
  spec.trace_layout = s.text("trace-layout") == "tokens-layers-k"
                          ? workload::NpyLayout::tokens_layers_k
                          : workload::NpyLayout::layers_tokens_k;
  spec.loads = s.text("loads");
  if (!spec.loads.empty()) read_loads(s, spec);
  spec.placement = s.text("placement");
  spec.slots_per_gpu = static_cast<uint32_t>(s.count("slots-per-gpu"));
  workload::MoeRoutingConfig& r = spec.routing;
  // Scores lie in (0, 1) for both gates: a step above 1 would jump past every score gap
  // (the option's range). Default 0.001: DeepSeek-V3's bias update speed gamma (arXiv
  // 2412.19437 §4.2; policies.md §1.7).
  workload::apply_balance(spec, s.text("balance"), {.alf_rate = s.real("alf-rate")},
                          s.where("balance"));
  r.capacity.mode = enum_of(s, "capacity", kCapacity);
  r.capacity.capacity_factor = s.real("capacity-factor");
  r.capacity.drop_policy = enum_of(s, "drop-policy", kDropPolicy);
  r.replica = enum_of(s, "replica", kReplica);
  spec.attention = s.time("attention-time");
  spec.seed = seed;
  return spec;
}

workload::ParallelDims parse_parallel_dims(const Settings& s) {
  workload::ParallelDims d;
  d.tp = static_cast<uint32_t>(s.count("tp"));
  d.pp = static_cast<uint32_t>(s.count("pp"));
  d.dp = s.is("dp", "all") ? 0 : static_cast<uint32_t>(s.count("dp"));
  d.ep = s.is("ep", "all") ? 0 : static_cast<uint32_t>(s.count("ep"));
  d.order = with_sources(s, [&] { return workload::parse_rank_order(s.list("rank-order")); });
  return d;
}

sim::GpuModel parse_gpu_model(const Settings& s) {
  sim::GpuModel gpu;
  gpu.peak_flops = s.real("gpu-tflops") * 1e12;
  gpu.hbm_bytes_per_s = s.real("gpu-hbm-gbs") * 1e9;
  return gpu;
}

}  // namespace moesim::cli
