// Collective communication patterns as Workload DAGs of flows. Hosts 0..n-1 take part.
// Sizes follow NCCL-tests conventions: `size` is the per-pair message for all-to-all,
// permutation and incast, and the whole per-GPU buffer for the ring collectives, which move
// it in n chunks of size/n (the first size%n chunks one byte larger, so bytes are conserved).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "sim/core/rng.hpp"
#include "sim/core/workload_dag.hpp"
#include "workloads/traffic_matrix.hpp"

namespace moesim::workload {

// Every ordered pair (i, j), i != j, sends `size`: n(n-1) independent flows.
Workload all_to_all(uint32_t n, Bytes size);
// Pair (i, j) sends tm(i, j) bytes; zero entries and the diagonal make no flow.
Workload all_to_allv(const TrafficMatrix& tm);
// Host i sends `size` to perm(i), a uniformly random derangement drawn from `rng`.
Workload permutation(uint32_t n, Bytes size, Rng& rng);
// Ring all-reduce: reduce-scatter then all-gather, 2(n-1) dependent steps. In step s host i
// sends one chunk to host (i+1) mod n; that flow depends on step s-1's flow into host i.
Workload ring_allreduce(uint32_t n, Bytes size);
// Ring all-gather: n-1 dependent steps of one chunk each.
Workload all_gather(uint32_t n, Bytes size);
// Ring reduce-scatter: n-1 dependent steps of one chunk each.
Workload reduce_scatter(uint32_t n, Bytes size);
// Every host except `target` sends `size` to `target` at once.
Workload incast(uint32_t n, Bytes size, uint32_t target);

struct CollectiveSpec {
  std::string kind;  // all-to-all | all-to-allv | permutation | ring-allreduce | all-gather |
                     // reduce-scatter | incast
  uint32_t num_hosts = 0;
  Bytes size;
  std::string matrix_file;  // all-to-allv only
  uint32_t incast_target = 0;
  uint64_t seed = 1;  // permutation: the "workload" stream of this seed
};

// Builds the named collective; InputError for an unknown kind or bad parameter (e.g. a
// matrix whose size exceeds num_hosts, an incast target out of range, n < 2).
Workload make_collective(const CollectiveSpec& spec);

// How many flows make_collective(spec) makes, computed without building it (for the memory
// budget); for all-to-allv, at most n(n-1). A double: n^2 of a large n does not overflow.
double collective_flows(const CollectiveSpec& spec);

// Appends `num_steps` ring steps over `ranks` (hosts in ring order) to `w`: in step s rank i
// sends chunk (i - s) mod n of `size` (n = ranks) to rank i + 1, after the step s - 1 flow
// into it; n - 1 steps are a reduce-scatter (or all-gather), 2 (n - 1) an all-reduce, so each
// rank sends 2 (n - 1) / n of `size`. With `after` (nodes per rank), rank i's first send waits
// for every node of after[i]. Returns, per rank, the last flow into it. Needs n >= 2.
std::vector<uint32_t> add_ring(Workload& w, std::span<const uint32_t> ranks, Bytes size,
                               uint32_t num_steps, std::span<const uint32_t> tag_of_step,
                               std::span<const std::vector<uint32_t>> after);

// Appends an all-to-all over `ranks` to `w`: rank i sends slice j of its `buffer` (split n ways
// as the ring collectives split theirs) to rank j, for every j != i; its own slice stays. Flows
// are source-major and each source lists its peers in the shifted order i+1, i+2, ... (mod n), so
// the flow from rank i to rank (i+k) mod n is the returned id [i (n - 1) + k - 1]. Needs n >= 2
// and buffer >= n (no empty slice).
std::vector<uint32_t> add_all_to_all(Workload& w, std::span<const uint32_t> ranks, Bytes buffer,
                                     uint32_t tag);

}  // namespace moesim::workload
