// One MoE layer of a router trace, through expert placement and load balancing, becomes the
// traffic and per-GPU expert rows the layer model (moe_dag.hpp) runs:
//   source GPU of each token -> capacity (drop / pad) -> a GPU per kept (token, expert) slot,
//   chosen among the expert's replicas (placement + replica policy) or by LLEP's plan ->
//   dispatch tokens per GPU pair (a token once per distinct destination GPU) and rows per
//   (GPU, expert).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "workloads/balance.hpp"
#include "workloads/llep.hpp"
#include "workloads/moe_dag.hpp"
#include "workloads/placement.hpp"
#include "workloads/trace.hpp"

namespace moesim::workload {

enum class Balancer : uint8_t {
  none,  // dropless; replicas by `replica`
  llep,  // LLEP least-loaded assignment over contiguous native experts (no replicas)
};

struct MoeRoutingConfig {
  uint32_t num_gpus = 1;
  CapacityConfig capacity;  // applied before either balancer
  Balancer balancer = Balancer::none;
  ReplicaPolicy replica = ReplicaPolicy::round_robin;
  std::vector<uint32_t> node_of_gpu;  // for ReplicaPolicy::nearest (e.g. the GPU's leaf)
  LlepConfig llep;                    // num_gpus and local_experts are filled in
  // Hierarchical dispatch: the server of every GPU (dense ids below num_servers), for
  // LayerTraffic::server_tokens; empty for direct dispatch.
  std::vector<uint32_t> server_of_gpu;
  uint32_t num_servers = 0;
};

struct LayerStats {
  uint64_t tokens = 0;
  uint64_t slots = 0;         // tokens x k
  uint64_t dropped = 0;       // slots dropped by the capacity
  uint64_t padding = 0;       // padded rows computed (pad modes)
  uint64_t max_gpu_rows = 0;  // rows (kept slots + padding) computed by the busiest GPU
  double mean_gpu_rows = 0;
  uint64_t max_expert_rows = 0;  // rows routed to the busiest logical expert
  double mean_expert_rows = 0;
  uint64_t local_tokens = 0;      // (token, destination GPU) pairs that stay on the source GPU
  uint64_t remote_tokens = 0;     // ... that cross to another GPU
  uint64_t weight_transfers = 0;  // LLEP: expert chunks computed away from their native GPU
};

struct RoutedLayer {
  LayerTraffic traffic;
  LayerStats stats;
};

// Token t starts on batch.ranks[t] if the trace has ranks, else on GPU t * P / tokens (equal
// contiguous shares). `layer` indexes the placement (ignored by LLEP). InputError on an
// expert id outside the placement or a rank >= num_gpus.
RoutedLayer route_layer(const Batch& batch, const Placement& placement, uint32_t layer,
                        const MoeRoutingConfig& config);

// The LLEP configuration of `config` for `num_experts` contiguous experts (InputError unless
// they divide over the GPUs).
LlepConfig llep_config(const MoeRoutingConfig& config, uint32_t num_experts);

// Fills the row statistics of `st` (max_* and mean_*) from the rows per GPU of `lt` and the
// rows per logical expert.
void add_row_stats(const LayerTraffic& lt, std::span<const uint64_t> expert_rows, LayerStats& st);

// The GPU each token of `batch` starts on (see route_layer).
std::vector<uint32_t> source_gpus(const Batch& batch, uint32_t num_gpus);

}  // namespace moesim::workload
