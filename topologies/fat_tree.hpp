// The three-tier k-ary fat-tree (Al-Fares et al.): k pods of k/2 edge and k/2 aggregation
// switches, (k/2)^2 core switches and k^3/4 hosts, k/2 under each edge switch. Edge switches are
// VertexKind::Leaf, aggregation switches Spine, core switches Core.
//
// Oversubscription is a fabric-rate reduction at the edge tier: every switch-to-switch link runs
// at fabric_rate = host_rate / oversubscription, so an edge switch has k/2 hosts of host_rate
// below and k/2 uplinks of fabric_rate above (ratio = oversubscription), while aggregation and
// core switches stay 1:1 between what comes up from below and what goes on up.
#pragma once

#include <cstdint>
#include <optional>

#include "topologies/topology.hpp"

namespace moesim::topo {

struct FatTreeParams {
  uint32_t k = 4;  // switch radix: even, >= 2
  BitsPerSec host_rate = 400_Gbps;
  // Rate of every switch-to-switch link; when absent, host_rate / oversubscription.
  std::optional<BitsPerSec> fabric_rate;
  double oversubscription = 1.0;  // host capacity / uplink capacity at an edge switch
  TimePs host_latency = 1_us;
  TimePs fabric_latency = 1_us;
  Bytes buffer = Bytes{1u << 20};  // per output port
};

// Throws InputError naming the bad parameter and value.
Topology build_fat_tree(const FatTreeParams& p);

// The switch-to-switch rate the builder uses (explicit, or derived from the oversubscription).
BitsPerSec effective_fabric_rate(const FatTreeParams& p);

}  // namespace moesim::topo
