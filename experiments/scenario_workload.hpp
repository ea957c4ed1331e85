// The one Scenario -> Workload factory of the simulating commands: a collective from its spec,
// or the MoE pipeline (workloads/moe_pipeline.hpp) from the MoE options, with expert compute
// times from the cluster's GPU model (sim/gpu_model.hpp).
#pragma once

#include <optional>
#include <string>

#include "experiments/scenario.hpp"
#include "sim/core/workload_dag.hpp"
#include "sim/gpu_model.hpp"
#include "topologies/topology.hpp"
#include "workloads/moe_pipeline.hpp"

namespace moesim::cli {

// What an MoE workload was made from: its spec and its routed layers (for layers.csv).
struct MoeRun {
  workload::MoeSpec spec;
  workload::ParallelLayout layout;  // the GPUs' TP/PP/DP/EP coordinates (layout.csv)
  workload::MoeLayers layers;

  // Whether the per-layer report (moe_report.hpp) can read the step: a forward step without
  // TP, PP or overlap, four tags per layer.
  bool per_layer() const {
    return !spec.train() && !spec.two_batch && layout.tp() == 1 && layout.pp() == 1;
  }
};

struct BuiltWorkload {
  Workload workload;
  std::string description;    // for the "moesim run: ..." line
  std::optional<MoeRun> moe;  // when --workload moe
};

// The workload of `sc` on the hosts of `t`; InputError naming the option at fault.
BuiltWorkload build_workload(const Scenario& sc, const topo::Topology& t);

// The pipeline of a parsed spec on the hosts of `t` (the trace or the synthetic router,
// placement, balancing, layer traffic).
MoeRun route_moe(const workload::MoeSpec& spec, workload::ParallelLayout layout,
                 const topo::Topology& t);

// The parallel layout of the options on the GPUs of `t` for a model of `layers` MoE layers;
// FieldError naming the option's source (--pp above the layers, or the layout's own checks).
workload::ParallelLayout step_layout(const Settings& s, const topo::Topology& t, uint32_t layers);
// The layer DAG of `run`, expert compute times from `gpu`.
Workload moe_workload(const MoeRun& run, const sim::GpuModel& gpu);

}  // namespace moesim::cli
