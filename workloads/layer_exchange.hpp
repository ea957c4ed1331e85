// The flows of one MoE all-to-all (dispatch, combine, or their gradients in backward) among
// the GPUs of one pipeline stage, from a layer's token counts.
//  - `direct`: a flow a -> b per GPU pair with tokens, carrying tokens(a, b) x bytes_per_token,
//    in shifted order (a sends to a + 1 first, as pairwise exchange does).
//  - `hierarchical` (DeepEP's internode dispatch): inside a's server as direct (NVLink); to
//    every other server S of a's EP group one network flow carrying server_tokens(a, S) (each
//    token once) to the relay, the GPU of a's EP group on S at a's position among its
//    server's GPUs of the group (the same rail), which forwards tokens(a, h) over NVLink to
//    every other GPU h on S holding them, after the network flow. Combine is the mirror: the
//    GPUs on S send their outputs to the relay, which sends the reduced tokens once to a.
// Each flow is returned with whether it leaves its source as soon as the source's data is
// ready (`entry`: the caller adds those dependencies) and whether its destination must wait for
// it (`exit`: the caller makes the destination's next task wait); the relay hops are wired
// here.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "sim/core/workload_dag.hpp"
#include "workloads/moe_dag.hpp"
#include "workloads/parallel_layout.hpp"

namespace moesim::workload {

struct ExchangeFlow {
  uint32_t id = 0;  // the flow's node id
  uint32_t src = 0, dst = 0;
  bool entry = true, exit = true;
};

// Appends the exchange of `lt` among `gpus` (ascending GPU ids; tokens between GPUs outside
// the list are ignored) to `w`. `reverse`: every flow goes the other way (combine is dispatch
// transposed). Hierarchical needs the layout (servers, EP groups) and lt.server_tokens.
// Returns the flows added.
std::vector<ExchangeFlow> add_exchange(Workload& w, const LayerTraffic& lt,
                                       std::span<const uint32_t> gpus, uint64_t bytes_per_token,
                                       bool reverse, uint32_t tag, Dispatch mode = Dispatch::direct,
                                       const ParallelLayout* layout = nullptr);

}  // namespace moesim::workload
