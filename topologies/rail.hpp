// The rail-optimised leaf-spine of GPU servers (as in NVIDIA SuperPOD scalable units): servers
// of G GPUs, one NIC per GPU; GPU i of every server attaches to rail leaf i (G leaves); every
// leaf joins every spine. Inside a server the GPUs share an NVLink fabric (one NvSwitch vertex
// per server), so a GPU reaches another rail of its own server over NVLink, and another rail of
// another server through a spine.
#pragma once

#include <cstdint>
#include <optional>

#include "topologies/topology.hpp"

namespace moesim::topo {

struct RailParams {
  uint32_t servers = 4;
  uint32_t gpus_per_server = 8;  // = number of rails (leaves)
  uint32_t spines = 4;
  BitsPerSec host_rate = 400_Gbps;
  // Leaf-spine link rate; when absent it is derived from the oversubscription:
  // fabric_rate = servers * host_rate / (spines * oversubscription).
  std::optional<BitsPerSec> fabric_rate;
  double oversubscription = 1.0;  // host capacity / uplink capacity at a rail leaf
  TimePs host_latency = 1_us;
  TimePs fabric_latency = 1_us;
  Bytes buffer = Bytes{1u << 20};
  BitsPerSec nvlink_rate = BitsPerSec{2880'000'000'000ULL};
  TimePs nvlink_latency = TimePs{25'000};
};

// Throws InputError naming the bad parameter and value.
Topology build_rail(const RailParams& p);

// The leaf-spine rate the builder uses (explicit, or derived from the oversubscription).
BitsPerSec effective_fabric_rate(const RailParams& p);

}  // namespace moesim::topo
