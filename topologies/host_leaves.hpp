// The leaf of every host: the switch its NIC link goes to (not its NVLink fabric). The MoE
// pipeline reads it for topology-aware placement and nearest replicas.
#pragma once

#include <cstdint>
#include <vector>

#include "topologies/topology.hpp"

namespace moesim::topo {

// [host] -> vertex of the first non-NVLink neighbour (0 for a host without one).
std::vector<uint32_t> leaf_of_hosts(const Topology& t);

// [host] -> its server (the hosts joined by one NVLink fabric), -1 for a host in none.
std::vector<int32_t> server_of_hosts(const Topology& t);

}  // namespace moesim::topo
