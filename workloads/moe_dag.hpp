// MoE layers as a Workload DAG, the form every network model runs. Per layer and GPU g:
//   attention(g)  the per-GPU dense part (attention, shared experts), after g's tokens are back
//                 from the previous layer: its own experts done and every combine flow into g;
//   dispatch      one flow g -> h per destination GPU h holding tokens of g, carrying each token
//                 once per distinct destination GPU (DESIGN.md §3), after attention(g);
//   expert(h)     h's experts over the rows they received, after attention(h) (its local tokens)
//                 and every dispatch flow into h;
//   combine       the transpose: h -> g, after expert(h).
// Intra-server pairs are ordinary flows: the routing view sends them over NVLink.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "sim/core/units.hpp"
#include "sim/core/workload_dag.hpp"

namespace moesim::workload {

// One MoE layer after routing, placement and balancing.
// How an all-to-all crosses servers: `direct`, a token once to every distinct GPU holding one
// of its experts; `hierarchical` (DeepEP's internode mode), once per destination server to one
// GPU there, which relays it over NVLink (layer_exchange.hpp).
enum class Dispatch : uint8_t { direct, hierarchical };

struct LayerTraffic {
  uint32_t num_gpus = 0;
  // tokens[src * num_gpus + dst]: tokens GPU src sends GPU dst in dispatch, each token once per
  // distinct destination GPU; src == dst counts tokens kept local (no transfer).
  std::vector<uint64_t> tokens;
  // Per GPU: rows (token, expert pairs) processed by each expert slot it hosts.
  std::vector<std::vector<uint64_t>> expert_rows;
  // Hierarchical dispatch only (else empty): server_tokens[src * num_servers + server], the
  // tokens GPU src sends to server `server`, each token once per distinct destination server
  // (what crosses the network when one GPU there relays them over NVLink).
  uint32_t num_servers = 0;
  std::vector<uint64_t> server_tokens;

  uint64_t at(uint32_t src, uint32_t dst) const {
    return tokens[static_cast<size_t>(src) * num_gpus + dst];
  }
  uint64_t at_server(uint32_t src, uint32_t server) const {
    return server_tokens[static_cast<size_t>(src) * num_servers + server];
  }
};

struct MoeDagParams {
  uint64_t dispatch_bytes_per_token = 0;  // hidden x bytes per element
  uint64_t combine_bytes_per_token = 0;
  TimePs attention{0};                // per GPU per layer
  uint32_t layers_per_iteration = 1;  // tags: layer = i mod L, iteration = i / L
};

// Expert compute time of `gpu` in layer `layer` (index into the span), given its expert rows.
using ExpertTime = std::function<TimePs(uint32_t layer, uint32_t gpu)>;

// `layers` in execution order (iteration-major, whole iterations of layers_per_iteration): the
// forward step of step_dag.hpp on one expert-parallel group of every GPU, iterations one after
// another. All must have the same num_gpus; the Workload has that many hosts.
Workload build_moe_dag(std::span<const LayerTraffic> layers, const MoeDagParams& p,
                       const ExpertTime& expert_time);

}  // namespace moesim::workload
