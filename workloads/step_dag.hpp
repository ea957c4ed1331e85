// One MoE step on a parallel layout (parallel_layout.hpp) as a Workload DAG: the forward
// step, a serving step (prefill, decode) or a training step (--step).
//
// The work is cut in units: a micro-batch, or with two-batch overlap each half of one. Per
// unit, pipeline stage s runs its layers (the consecutive block stage_layers gives it):
//   forward  attention -> TP all-reduce -> dispatch -> experts -> combine -> TP all-reduce;
//   backward (train, layers in reverse) TP all-reduce -> combine-grad (the dispatch pattern,
//            the same bytes) -> expert-bwd (2x the forward expert time) -> dispatch-grad (the
//            combine pattern) -> TP all-reduce -> attention-bwd (2x the forward attention);
// TP all-reduces are rings over the GPUs of equal (stage, DP rank), skipped with TP 1. With
// several stages, a unit's output on each GPU is sent to the GPU of equal (TP, DP rank) on the
// next stage (pp-send: activations forward, their gradients backward).
//
// Schedules. Forward steps (forward, prefill, decode) run their micro-batches one after the
// other: micro-batch m + 1 enters stage 0 once m has left the last stage (each decode step
// needs the token the step before produced; a dependency, no bytes). A training step runs the
// M micro-batches in 1F1B order on each stage s: min(P - 1 - s, M) forwards, then forward and
// backward alternating, then the remaining backwards. With two halves per micro-batch each
// compute phase runs for half A then half B, so one half's all-to-all runs under the other
// half's compute.
//
// After the last micro-batch's backward of a layer its gradients are final: dense gradients
// are reduced over the data-parallel group (the GPUs of equal stage and TP rank) and expert
// gradients over the expert-data-parallel group (equal EP rank in every EP group of the DP
// group), as ring collectives in buckets of at most `bucket` bytes filled in backward order
// (PyTorch DDP's scheme; a group's rings run one after another, as NCCL's one stream per
// communicator does). Then an optimizer task per GPU.
//
// Every GPU runs its compute tasks one at a time, in the schedule's order: each waits for the
// GPU's previous one. Communication does not occupy a GPU.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "sim/core/units.hpp"
#include "sim/core/workload_dag.hpp"
#include "workloads/moe_dag.hpp"
#include "workloads/parallel_layout.hpp"

namespace moesim::workload {

struct StepParams {
  MoeDagParams layer;  // bytes per token, forward attention time, L = layers_per_iteration
  bool train = false;
  uint32_t micro_batches = 1;  // M
  bool two_batch = false;      // each micro-batch is two halves
  // Per unit (micro-batch, or half: unit 2m + h), the forward attention time per GPU and
  // layer; empty: layer.attention for every unit.
  std::vector<TimePs> attention;
  Bytes activation;    // per unit and GPU: what pp-send carries between stages
  Bytes tp_allreduce;  // per unit: the size of each TP all-reduce
  // Training: the gradient bytes of one layer per GPU, dense (already divided over TP) and
  // expert slots; the bucket; ZeRO-style reduce-scatter (n - 1 ring steps, not 2 (n - 1)).
  Bytes dense_grad_per_layer;
  Bytes expert_grad_per_layer;
  Bytes bucket{25'000'000};  // DDP's default bucket_cap_mb = 25
  bool reduce_scatter = false;
  TimePs optimizer{0};  // per GPU, after its gradients are reduced
  // How dispatch, combine and their gradients cross servers (layer_exchange.hpp);
  // hierarchical needs every layer's server_tokens.
  Dispatch dispatch = Dispatch::direct;
};

// The layers of stage s out of P over L layers: [s L / P, (s + 1) L / P).
uint32_t first_layer_of_stage(uint32_t stage, uint32_t stages, uint32_t layers);
uint32_t stage_of_layer(uint32_t layer, uint32_t stages, uint32_t layers);

// `layers` unit-major (unit u, layer l at u x L + l; units = M, or 2M with two_batch) on the
// GPUs of `layout`; `expert_time(i, g)` the forward expert time of GPU g in layers[i].
// Tags: collective "moe", phase, layer, iteration (the micro-batch of a forward step, 0 in
// training), micro_batch, stage and pass. InternalError if the counts disagree.
Workload build_step(std::span<const LayerTraffic> layers, const StepParams& p,
                    const ExpertTime& expert_time, const ParallelLayout& layout);

}  // namespace moesim::workload
