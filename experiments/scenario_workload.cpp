#include "experiments/scenario_workload.hpp"

#include <fmt/format.h>

#include "experiments/moe_options.hpp"
#include "topologies/host_leaves.hpp"
#include "workloads/collectives.hpp"

namespace moesim::cli {
namespace {

std::string describe_moe(const MoeRun& m) {
  const workload::MoeSpec& s = m.spec;
  if (s.trace.empty()) {
    return fmt::format("moe ({}, {} layers of {} tokens per GPU)", s.shape.preset,
                       m.layers.traffic.size(), s.tokens_per_gpu);
  }
  return fmt::format("moe ({} shape, {} layers of trace {})", s.shape.preset,
                     m.layers.traffic.size(), s.trace);
}

}  // namespace

MoeRun route_moe(const workload::MoeSpec& spec, const topo::Topology& t) {
  const uint32_t gpus = t.num_hosts();
  return {spec, workload::route_trace(spec, gpus, topo::leaf_of_hosts(t),
                                      workload::trace_source(spec, gpus))};
}

Workload moe_workload(const MoeRun& run, const sim::GpuModel& gpu) {
  return workload::moe_workload(run.spec, run.layers,
                                [&gpu](std::span<const uint64_t> rows, double flops_per_row) {
                                  return sim::expert_compute_time(gpu, rows, flops_per_row);
                                });
}

BuiltWorkload build_workload(const Scenario& sc, const topo::Topology& t) {
  if (sc.workload.kind != "moe") {
    workload::CollectiveSpec spec = sc.workload;
    spec.num_hosts = t.num_hosts();
    return {workload::make_collective(spec),
            fmt::format("{} of {}", spec.kind, to_string(spec.size)), std::nullopt};
  }
  MoeRun moe = route_moe(parse_moe(sc.options, sc.seed), t);
  Workload w = moe_workload(moe, parse_gpu_model(sc.options));
  std::string description = describe_moe(moe);
  return {std::move(w), std::move(description), std::move(moe)};
}

}  // namespace moesim::cli
