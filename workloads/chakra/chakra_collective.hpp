// One Chakra collective instance -> moesim's own collective generators (workloads/
// collectives.hpp) on the ranks of its process group, with comm_size mapped as ASTRA-sim reads
// it (see chakra_import.hpp). Returns, per group rank, the DAG nodes its Chakra node starts with
// (its first sends) and finishes with (its last send and receive).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "sim/core/workload_dag.hpp"

namespace moesim::workload::chakra {

struct NodeEnds {
  std::vector<uint32_t> start;  // DAG nodes that wait for the Chakra node's dependencies
  std::vector<uint32_t> done;   // DAG nodes whose completion completes the Chakra node
};

// Appends the collective `comm_type` (et_def.proto's CollectiveCommType value) of `comm_size`
// bytes over `ranks` (ascending hosts) to `w`. InputError, prefixed by `where`, for a type
// moesim does not simulate or a size too small to split over the ranks.
std::vector<NodeEnds> add_chakra_collective(Workload& w, std::span<const uint32_t> ranks,
                                            int64_t comm_type, uint64_t comm_size,
                                            const std::string& where);

}  // namespace moesim::workload::chakra
