#include "experiments/scenario_workload.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "experiments/chakra_workload.hpp"
#include "experiments/moe_options.hpp"
#include "topologies/host_leaves.hpp"
#include "workloads/collectives.hpp"

namespace moesim::cli {
namespace {

std::string describe_moe(const MoeRun& m) {
  const workload::MoeSpec& s = m.spec;
  if (!s.loads.empty()) {
    return fmt::format("moe ({} shape, {} layers of the slot counts {})", s.shape.preset,
                       m.layers.traffic.size(), s.loads);
  }
  if (s.trace.empty()) {
    return fmt::format("moe ({}, {} layers of {} tokens per GPU)", s.shape.preset,
                       m.layers.traffic.size(), s.tokens_per_gpu);
  }
  return fmt::format("moe ({} shape, {} layers of trace {})", s.shape.preset,
                     m.layers.traffic.size(), s.trace);
}

}  // namespace

MoeRun route_moe(const workload::MoeSpec& spec, workload::ParallelLayout layout,
                 const topo::Topology& t) {
  workload::MoeLayers layers = workload::route_ep_groups(spec, layout, topo::leaf_of_hosts(t));
  return {spec, std::move(layout), std::move(layers)};
}

workload::ParallelLayout step_layout(const Settings& s, const topo::Topology& t, uint32_t layers) {
  return with_sources(s, [&] {
    const workload::ParallelDims dims = parse_parallel_dims(s);
    if (dims.pp > layers) {
      throw FieldError(
          "pp", std::to_string(dims.pp),
          fmt::format("at most the {} MoE layers (each stage owns at least one)", layers));
    }
    return workload::ParallelLayout(dims, topo::server_of_hosts(t));
  });
}

Workload moe_workload(const MoeRun& run, const sim::GpuModel& gpu) {
  const workload::MoeShape& shape = run.spec.shape;
  return workload::moe_workload(
      run.spec, run.layers,
      [&gpu](std::span<const uint64_t> rows, double flops_per_row) {
        return sim::expert_compute_time(gpu, rows, flops_per_row);
      },
      [&gpu, &shape](uint64_t tokens, uint64_t kv_tokens) {
        return sim::decode_attention_time(gpu, tokens, kv_tokens, shape.hidden,
                                          shape.bytes_per_element);
      },
      run.layout);
}

namespace {

// A DAG node (32 B), its share of the successor lists and tags: about 100 B per flow.
constexpr double kBytesPerFlow = 100;

void require_fits(const MemoryBudget& budget, const workload::CollectiveSpec& spec) {
  const double flows = workload::collective_flows(spec);
  budget.require(
      kBytesPerFlow * flows,
      fmt::format("--workload {} on {} hosts: {:.0f} flows", spec.kind, spec.num_hosts, flows),
      "about 100 B per flow", "fewer hosts");
}

// Per (iteration, layer): a GPU x GPU traffic matrix (8 B an entry) and up to two flows per
// GPU pair (dispatch and combine); per layer, per-expert loads and placement; per batch, the
// routed tokens' expert ids.
void require_fits(const MemoryBudget& budget, const workload::MoeSpec& spec, double gpus) {
  const double layers = static_cast<double>(spec.iterations) * spec.shape.layers;
  const double experts = spec.shape.experts;
  const double bytes = layers * (gpus * gpus * (8 + 2 * kBytesPerFlow) + experts * 16) +
                       static_cast<double>(spec.tokens_per_gpu) * gpus * spec.shape.top_k * 16;
  budget.require(
      bytes,
      fmt::format("--workload moe: {} iterations x {} layers on {:.0f} GPUs, {} experts, {} "
                  "tokens per GPU",
                  spec.iterations, spec.shape.layers, gpus, spec.shape.experts,
                  spec.tokens_per_gpu),
      "per layer a GPU x GPU matrix and its flows, per batch the routed tokens",
      "fewer --iterations, --moe-layers, --experts or --tokens-per-gpu");
}

}  // namespace

BuiltWorkload build_workload(const Scenario& sc, const topo::Topology& t) {
  if (std::optional<BuiltWorkload> chakra = build_chakra_workload(sc, t)) return std::move(*chakra);
  if (sc.workload.kind != "moe") {
    workload::CollectiveSpec spec = sc.workload;
    spec.num_hosts = t.num_hosts();
    require_fits(sc.budget, spec);
    return {workload::make_collective(spec),
            fmt::format("{} of {}", spec.kind, to_string(spec.size)), std::nullopt};
  }
  const workload::MoeSpec spec = parse_moe(sc.options, sc.seed);
  require_fits(sc.budget, spec, t.num_hosts());
  MoeRun moe = with_sources(sc.options, [&] {
    return route_moe(spec, step_layout(sc.options, t, spec.shape.layers), t);
  });
  if (!moe.per_layer() &&
      std::find(sc.details.begin(), sc.details.end(), "layers") != sc.details.end()) {
    throw InputError(
        fmt::format("{}: 'layers': the per-layer report reads the forward step on TP 1 and PP 1 "
                    "without overlap: expected flows, links or collectives here",
                    sc.options.where("detail")));
  }
  Workload w = moe_workload(moe, parse_gpu_model(sc.options));
  std::string description = describe_moe(moe);
  return {std::move(w), std::move(description), std::move(moe)};
}

}  // namespace moesim::cli
