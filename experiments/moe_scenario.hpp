// The MoE workload of `moesim run --workload moe` and `moesim replay`: model shape (with
// presets), the synthetic router or a trace file, placement, balancing and the GPU model,
// parsed once from the options; and the pipeline that turns router batches into the layer DAG.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "experiments/options.hpp"
#include "sim/gpu_model.hpp"
#include "topologies/routing.hpp"
#include "workloads/moe_dag.hpp"
#include "workloads/moe_routing.hpp"
#include "workloads/trace_gen.hpp"

namespace moesim::cli {

struct MoeShape {
  std::string preset;  // mixtral-8x7b | deepseek-v3 | olmoe-1b-7b
  uint32_t experts = 8;
  uint32_t top_k = 2;
  uint32_t hidden = 4096;
  uint32_t expert_ffn = 14336;
  uint32_t layers = 32;
  uint32_t bytes_per_element = 2;
};

struct MoeSpec {
  MoeShape shape;
  uint32_t tokens_per_gpu = 4096;
  uint32_t iterations = 1;
  workload::TraceGenSpec generator;  // the synthetic router (run --workload moe)
  std::string trace;                 // or a router trace file to replay
  std::string placement;             // contiguous | round-robin | random | eplb | topology-aware
  uint32_t slots_per_gpu = 0;        // 0: experts / GPUs, at least 1
  workload::MoeRoutingConfig routing;
  sim::GpuModel gpu;
  TimePs attention{0};
  uint64_t seed = 1;
};

// Parses the MoE options; InputError naming the option.
MoeSpec parse_moe(const Settings& s, uint64_t seed);

// Per (iteration, layer): the layer traffic and its statistics, in execution order.
struct MoeLayers {
  std::vector<uint32_t> iteration, layer;
  std::vector<workload::LayerTraffic> traffic;
  std::vector<workload::LayerStats> stats;
};

// Places experts (from the loads of the whole trace), routes every batch of `reader` on
// `num_gpus` GPUs and returns the layers. The reader is read twice (`reopen` gives a fresh one)
// when the placement needs loads.
MoeLayers route_trace(const MoeSpec& spec, uint32_t num_gpus,
                      const std::vector<uint32_t>& leaf_of_gpu,
                      const std::function<std::unique_ptr<workload::TraceReader>()>& reopen);

// The layer DAG of `layers` with expert times from the GPU model.
Workload moe_workload(const MoeSpec& spec, const MoeLayers& layers);

// The leaf (first switch) of every GPU's NIC, for topology-aware placement and nearest replicas.
std::vector<uint32_t> leaf_of_gpus(const topo::Topology& t);

}  // namespace moesim::cli
