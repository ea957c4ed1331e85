// An MoE training step as a Workload DAG (--step train), on a layout with expert parallelism
// (TP = PP = 1). Per micro-batch, every layer forward (as in moe_dag.hpp: attention, dispatch,
// experts, combine), then every layer backward in reverse order:
//   combine-grad   the gradient of the combined outputs back to the experts' GPUs: the
//                  dispatch pattern (g -> h, the same bytes), after g's previous backward task;
//   expert-bwd(h)  2x the forward expert FLOPs, after the combine-grad flows into h;
//   dispatch-grad  the input gradients back to the tokens' GPUs: the combine pattern (h -> g);
//   attention-bwd  2x the forward attention time, after the dispatch-grad flows into g.
// After the last micro-batch's backward of a layer its gradients are final: dense gradients are
// all-reduced over the data-parallel group (every GPU of the stage and TP rank) and expert
// gradients over the expert-data-parallel group (the GPUs with the same EP rank in every EP
// group), as ring collectives in buckets of at most `bucket` bytes filled in backward order
// (PyTorch DDP's scheme; the rings of one group run one after another, as NCCL's one stream
// per communicator does). Then an optimizer task per GPU. Every GPU runs its compute tasks one
// at a time: each waits for that GPU's previous one.
#pragma once

#include <cstdint>
#include <span>

#include "sim/core/units.hpp"
#include "sim/core/workload_dag.hpp"
#include "workloads/moe_dag.hpp"
#include "workloads/parallel_layout.hpp"

namespace moesim::workload {

struct TrainStepParams {
  MoeDagParams layer;  // forward bytes per token, attention time, layers_per_iteration = L
  uint32_t micro_batches = 1;
  Bytes dense_grad_per_layer;   // gradient bytes of one layer's dense parameters, per GPU
  Bytes expert_grad_per_layer;  // gradient bytes of one layer's expert slots of one GPU
  Bytes bucket{25'000'000};     // DDP's default bucket_cap_mb = 25
  bool reduce_scatter = false;  // ZeRO-style: a reduce-scatter (n - 1 ring steps), not 2 (n - 1)
  TimePs optimizer{0};          // per GPU, after its gradients are reduced
};

// `layers` micro-batch-major (micro-batch m, layer l at m x L + l), M x L of them, on the GPUs
// of `layout`; `expert_time(i, g)` the forward expert time of GPU g in layers[i].
// InternalError if the counts disagree.
Workload build_train_step(std::span<const LayerTraffic> layers, const TrainStepParams& p,
                          const ExpertTime& expert_time, const ParallelLayout& layout);

}  // namespace moesim::workload
