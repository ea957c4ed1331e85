// Chakra rank traces -> moesim Workload DAG. Rank r runs on host r, or on host_of_rank[r]
// (distinct hosts, checked by the caller: policy_csv.hpp reads them from a file). Compute nodes
// become compute tasks of their duration_micros; send/recv pairs (matched by source, destination
// and comm_tag, in file order) become one flow each, which starts once the dependencies of both
// nodes are met; collective nodes (the k-th of a process group on each of its ranks forms one
// instance) become moesim's own collectives on the group's ranks, with comm_size read as ASTRA-sim
// reads it: ALL_REDUCE the whole buffer (ring all-reduce of comm_size), REDUCE_SCATTER the whole
// input (ring reduce-scatter of comm_size), ALL_GATHER the input per rank (ring all-gather of an
// output of comm_size x N), ALL_TO_ALL the whole buffer per rank (comm_size / N to each peer).
// data_deps and ctrl_deps are both kept as dependencies.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "sim/core/workload_dag.hpp"
#include "workloads/chakra/chakra_file.hpp"

namespace moesim::workload::chakra {

// The DAG of `ranks` (rank r = ranks[r]) on `num_hosts` hosts; `source` names the trace set in
// errors (e.g. "--chakra 'run/trace'"). InputError naming the file, node id and the type or
// value at fault, for anything moesim cannot run or the trace does not define.
Workload import_workload(std::span<const RankTrace> ranks, uint32_t num_hosts,
                         const std::string& source, std::span<const uint32_t> host_of_rank = {});

}  // namespace moesim::workload::chakra
