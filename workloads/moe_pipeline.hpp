// The MoE pipeline of DESIGN.md §1: a router trace (synthetic or replayed) -> expert placement
// (placement_registry.hpp) -> load balancing (balance_registry.hpp, applied through the routing
// config) -> per-layer traffic and expert rows -> the layer DAG. MoeSpec is the parsed
// description of one MoE workload; the command line fills it in experiments/.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "sim/core/units.hpp"
#include "sim/core/workload_dag.hpp"
#include "workloads/moe_dag.hpp"
#include "workloads/moe_presets.hpp"
#include "workloads/moe_routing.hpp"
#include "workloads/parallel_layout.hpp"
#include "workloads/placement.hpp"
#include "workloads/trace_gen.hpp"
#include "workloads/trace_io.hpp"

namespace moesim::workload {

// --step: forward (the MoE layers, iterations one after another), prefill and decode (serving
// steps, forward only) or train (forward and backward of micro-batches, gradient sync).
enum class MoeStep : uint8_t { forward, prefill, decode, train };

struct MoeSpec {
  MoeShape shape;
  uint32_t tokens_per_gpu = 4096;
  uint32_t iterations = 1;
  TraceGenSpec generator;                               // the synthetic router (run --workload moe)
  std::string trace;                                    // or a router trace file to replay
  NpyLayout trace_layout = NpyLayout::layers_tokens_k;  // of a .npy / .npz trace
  // Or counts-level layers (--loads, moe_slots.hpp): slots[layer][expert] of the file `loads`,
  // routed every iteration without token identity.
  std::string loads;
  std::vector<std::vector<uint64_t>> layer_slots;
  std::string placement;       // a placement_registry name, or "auto"
  uint32_t slots_per_gpu = 0;  // 0: experts / GPUs, at least 1
  MoeRoutingConfig routing;
  TimePs attention{0};
  uint64_t seed = 1;
  // --overlap two-batch: every micro-batch is two halves, each a router iteration of
  // tokens_per_gpu tokens (the halves' size).
  bool two_batch = false;
  MoeStep step = MoeStep::forward;
  // decode: `iterations` steps of tokens_per_gpu tokens (the batch) per GPU; step k's
  // attention reads a KV cache of context + k tokens. A replayed trace gives prefill its first
  // iteration and decode the iterations after it (at most `iterations` of them).
  uint32_t context = 1024;
  // train (workloads/step_dag.hpp): one step of `micro_batches` router iterations.
  uint32_t micro_batches = 1;
  Bytes grad_bucket{25'000'000};
  bool reduce_scatter = false;
  TimePs optimizer{0};

  Dispatch dispatch = Dispatch::direct;
  // DeepSeek-V3's node-limited routing (0: off): the sigmoid group-limited router with one
  // expert group per server an EP group spans, a token using at most this many of them.
  uint32_t max_nodes_per_token = 0;

  bool train() const { return step == MoeStep::train; }
};

// Per (iteration, layer): the layer traffic and its statistics, in execution order, and the
// placement they were routed on.
struct MoeLayers {
  std::vector<uint32_t> iteration, layer;
  std::vector<LayerTraffic> traffic;
  std::vector<LayerStats> stats;
  Placement placement;
};

// A fresh reader of the trace (the pipeline may read it twice).
using TraceSource = std::function<std::unique_ptr<TraceReader>()>;

// The synthetic router of the spec for `num_gpus` GPUs, each routing tokens_per_gpu tokens per
// layer.
TraceGenSpec router_for(const MoeSpec& spec, uint32_t num_gpus);

// The spec's trace file, or its synthetic router with every one of `num_gpus` GPUs routing
// tokens_per_gpu tokens per layer.
TraceSource trace_source(const MoeSpec& spec, uint32_t num_gpus);

// Places experts (from the loads of the whole trace), routes every batch of the trace on
// `num_gpus` GPUs and returns the layers. `leaf_of_gpu` is the leaf of every GPU (nearest
// replicas, topology-aware placement).
MoeLayers route_trace(const MoeSpec& spec, uint32_t num_gpus,
                      const std::vector<uint32_t>& leaf_of_gpu, const TraceSource& reopen);

// route_trace on each EP group of `layout` (experts sharded over the group's E GPUs, each
// group routing its own tokens_per_gpu x E tokens per layer from the synthetic router, seeded
// per group), merged into layers over all of the layout's GPUs: dispatch and combine stay
// inside a group, and a layer keeps only the groups of the pipeline stage that owns it. One
// group over every GPU is route_trace itself. Stats are summed over a layer's groups (max_*
// are the largest of any group, mean_* the mean); `placement` is group 0's.
// InputError for a trace replayed on more than one group or experts not divisible by E.
MoeLayers route_ep_groups(const MoeSpec& spec, const ParallelLayout& layout,
                          const std::vector<uint32_t>& leaf_of_gpu);

// Expert compute time of one GPU given the rows of each expert slot it hosts and the FLOPs of
// one row (the cluster's GPU model, which lives in sim/).
using ExpertCost =
    std::function<TimePs(std::span<const uint64_t> rows_per_expert, double flops_per_row)>;

// Forward FLOPs of one token through one SwiGLU expert: 3 matrices hidden x ffn, 2 FLOPs per
// multiply-add.
double expert_flops_per_token(const MoeShape& shape);

// Decode attention time of one GPU and layer: `tokens` new tokens over `kv_tokens` cached
// ones (the cluster's GPU model).
using AttentionCost = std::function<TimePs(uint64_t tokens, uint64_t kv_tokens)>;

// The step DAG of `layers` on `layout` (step_dag.hpp), expert times from `cost` and decode
// attention times from `attention`.
Workload moe_workload(const MoeSpec& spec, const MoeLayers& layers, const ExpertCost& cost,
                      const AttentionCost& attention, const ParallelLayout& layout);

// Gradient bytes per layer (spec.bytes_per_element per parameter), as the training step
// reduces them: the dense part of one layer on each GPU, attention's Q, K, V and O projections
// (4 hidden^2, no grouped-query saving) and the router (hidden x experts); and the experts of
// one GPU, its slots x 3 hidden x expert_ffn (SwiGLU's gate, up and down matrices).
Bytes dense_grad_bytes(const MoeShape& shape);
Bytes expert_grad_bytes(const MoeShape& shape, uint32_t slots_per_gpu);

}  // namespace moesim::workload
