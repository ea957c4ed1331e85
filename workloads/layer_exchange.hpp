// The flows of one MoE all-to-all (dispatch, combine, or their gradients in backward) among
// the GPUs of one pipeline stage, from a layer's token counts. `direct`: a flow a -> b per GPU
// pair with tokens, carrying tokens(a, b) x bytes_per_token, in shifted order (a sends to
// a + 1 first, as pairwise exchange does). Each flow is returned with whether it leaves its
// source as soon as the source's data is ready (`entry`: the caller adds those dependencies)
// and whether its destination must wait for it (`exit`: the caller makes the destination's
// next task wait); a multi-hop mode wires its inner hops itself.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "sim/core/workload_dag.hpp"
#include "workloads/moe_dag.hpp"

namespace moesim::workload {

struct ExchangeFlow {
  uint32_t id = 0;  // the flow's node id
  uint32_t src = 0, dst = 0;
  bool entry = true, exit = true;
};

// Appends the exchange of `lt` among `gpus` (ascending GPU ids; tokens between GPUs outside
// the list are ignored) to `w`. `reverse`: every flow goes b -> a (combine is dispatch
// transposed). Returns the flows added.
std::vector<ExchangeFlow> add_exchange(Workload& w, const LayerTraffic& lt,
                                       std::span<const uint32_t> gpus, uint64_t bytes_per_token,
                                       bool reverse, uint32_t tag);

}  // namespace moesim::workload
