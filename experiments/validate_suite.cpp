// The scenarios of the cross-validation suite and the comparison of two runs (validate_suite.hpp).
#include "experiments/validate_suite.hpp"

#include <algorithm>
#include <cmath>
#include <span>
#include <vector>

#include "sim/gpu_model.hpp"
#include "sim/model.hpp"
#include "sim/simgrid/simgrid_model.hpp"
#include "topologies/leaf_spine.hpp"
#include "topologies/routing.hpp"
#include "topologies/rsn.hpp"
#include "workloads/collectives.hpp"
#include "workloads/moe_dag.hpp"
#include "workloads/moe_routing.hpp"
#include "workloads/placement.hpp"
#include "workloads/trace_gen.hpp"

namespace moesim::cli {
namespace {

constexpr uint32_t kHosts = 16;
constexpr uint64_t kSeed = 1;

struct Fabric {
  std::string name;
  topo::Topology topology;
  topo::RouteCost cost;
  bool symmetric_paths;  // every flow's equal-cost paths look alike (see ValidateRow)
};

// 4 leaves x 4 hosts, 4 spines, 100 Gb/s everywhere (1:1), 1 us per link.
Fabric leaf_spine() {
  topo::LeafSpineParams p;
  p.leaves = 4;
  p.spines = 4;
  p.hosts_per_leaf = 4;
  p.host_rate = 100_Gbps;
  p.fabric_rate = 100_Gbps;
  return {"leaf-spine", topo::build_leaf_spine(p), topo::RouteCost::Latency, true};
}

// 16 switches in the unit torus, one host each, expected degree 6 (Gaussian kernel, sigma
// 0.25; seed 1 draws a connected graph of mean degree 3.75), link latencies 0.5 us per switch
// hop plus 5 us per km of a 1 km box (1.75 us on average); 100 Gb/s everywhere. Hop-count
// routing, so paths of equal hop count tie and ideal spreads over them.
Fabric random_spatial() {
  topo::RsnParams p;
  p.switches = kHosts;
  p.hosts_per_switch = 1;
  p.mean_degree = 6;
  p.kernel_scale = 0.25;
  p.host_rate = 100_Gbps;
  p.fabric_rate = 100_Gbps;
  p.seed = kSeed;
  return {"rsn", topo::build_rsn(p).topology, topo::RouteCost::Hops, false};
}

// One MoE layer: 2048 tokens of a 16-expert top-2 trace with a skewed Zipf popularity
// (s = 1.2: the hottest expert gets about 5x the mean load), experts placed contiguously (one
// per GPU), 8 KiB per token each way (hidden 4096 x 2 bytes), 50 us of attention, expert
// time from the GPU model with Mixtral-sized experts (2 x 3 x 4096 x 14336 FLOPs per token).
Workload moe_layer() {
  workload::TraceGenSpec spec;
  spec.num_experts = kHosts;
  spec.top_k = 2;
  spec.num_layers = 1;
  spec.tokens_per_batch = 2048;
  spec.num_ranks = kHosts;
  spec.popularity = workload::TracePopularity::kZipf;
  spec.zipf_s = 1.2;
  spec.seed = kSeed;
  const workload::Trace trace = workload::generate_trace(spec);
  const workload::Placement placement = workload::place_contiguous(1, kHosts, kHosts);
  workload::MoeRoutingConfig routing;
  routing.num_gpus = kHosts;
  const workload::RoutedLayer layer =
      workload::route_layer(trace.batches.at(0), placement, 0, routing);
  workload::MoeDagParams p;
  p.dispatch_bytes_per_token = p.combine_bytes_per_token = 4096 * 2;
  p.attention = 50_us;
  const sim::GpuModel gpu;
  const double flops_per_token = 2.0 * 3 * 4096 * 14336;
  return workload::build_moe_dag(std::span(&layer.traffic, 1), p, [&](uint32_t, uint32_t g) {
    return sim::expert_compute_time(gpu, layer.traffic.expert_rows[g], flops_per_token);
  });
}

std::vector<std::pair<std::string, Workload>> workloads() {
  Rng rng = make_stream(kSeed, "workload");
  std::vector<std::pair<std::string, Workload>> out;
  out.emplace_back("all-to-all", workload::all_to_all(kHosts, 1_MiB));
  out.emplace_back("permutation", workload::permutation(kHosts, 4_MiB, rng));
  out.emplace_back("ring-allreduce", workload::ring_allreduce(kHosts, 16_MiB));
  out.emplace_back("moe-layer", moe_layer());
  return out;
}

// Relative differences of the flows' finish times, sorted.
std::vector<double> flow_diffs(const Workload& w, const sim::RunResult& a,
                               const sim::RunResult& b) {
  std::vector<double> d;
  for (uint32_t n = 0; n < w.size(); ++n) {
    if (w.node(n).kind != NodeKind::Flow) continue;
    const auto fa = static_cast<double>(a.nodes[n].finish.ps);
    const auto fb = static_cast<double>(b.nodes[n].finish.ps);
    d.push_back(std::abs(fb - fa) / fa);
  }
  std::sort(d.begin(), d.end());
  return d;
}

}  // namespace

void run_validate_suite(const std::function<void(ValidateRow&&)>& sink) {
  const auto fluid = sim::make_model("fluid");
  const auto simgrid = sim::simgrid::make_simgrid_model();
  const auto latency_first =
      sim::simgrid::make_simgrid_model(sim::simgrid::SimgridMode::LatencyFirst);
  const auto loads = workloads();
  for (const Fabric& fabric : {leaf_spine(), random_spatial()}) {
    const topo::Routing routing(fabric.topology, fabric.cost);
    for (const auto& [name, w] : loads) {
      for (const char* transport : {"ecmp", "ideal"}) {
        const sim::PathSet paths =
            sim::assign_paths(routing, w, sim::parse_transport(transport), kSeed);
        const sim::RunResult f = fluid->run(routing, w, paths);
        const sim::RunResult s = simgrid->run(routing, w, paths);
        ValidateRow row;
        row.scenario = fabric.name + "/" + name;
        row.transport = transport;
        row.flows = w.num_flows();
        row.fluid_cct_us = f.makespan.us();
        row.simgrid_cct_us = s.makespan.us();
        row.ratio = row.simgrid_cct_us / row.fluid_cct_us;
        const std::vector<double> diffs = flow_diffs(w, f, s);
        row.max_flow_diff = diffs.empty() ? 0 : diffs.back();
        row.median_flow_diff = diffs.empty() ? 0 : diffs[diffs.size() / 2];
        row.latency_first_ratio =
            latency_first->run(routing, w, paths).makespan.us() / row.fluid_cct_us;
        row.differs_by_design =
            !fabric.symmetric_paths && paths.transport.policy == sim::PathPolicy::Ideal;
        sink(std::move(row));
      }
    }
  }
}

}  // namespace moesim::cli
