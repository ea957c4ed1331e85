// The 2-tier leaf-spine (folded Clos) builder: `leaves` leaf switches with `hosts_per_leaf`
// hosts each, every leaf joined to every one of `spines` spine switches. Optionally hosts are
// GPUs grouped into servers of `gpus_per_server` consecutive hosts joined by an NVLink-like
// switch (one NVSwitch vertex per server), each GPU keeping its own NIC to its leaf.
#pragma once

#include <cstdint>
#include <optional>

#include "topologies/topology.hpp"

namespace moesim::topo {

struct LeafSpineParams {
  uint32_t leaves = 8;
  uint32_t spines = 16;
  uint32_t hosts_per_leaf = 16;
  BitsPerSec host_rate = 400_Gbps;
  // Leaf-spine link rate; when absent it is derived from the oversubscription ratio:
  // fabric_rate = hosts_per_leaf * host_rate / (spines * oversubscription).
  std::optional<BitsPerSec> fabric_rate;
  double oversubscription = 1.0;  // host capacity / uplink capacity at a leaf
  TimePs host_latency = 1_us;
  TimePs fabric_latency = 1_us;
  Bytes buffer = Bytes{1u << 20};  // per output port
  uint32_t gpus_per_server = 1;    // 1: plain hosts, no NVLink fabric
  BitsPerSec nvlink_rate = BitsPerSec{2880'000'000'000ULL};
  TimePs nvlink_latency = TimePs{25'000};
};

// Throws InputError naming the bad parameter and value.
Topology build_leaf_spine(const LeafSpineParams& p);

// The fabric rate the builder uses (explicit, or derived from the oversubscription).
BitsPerSec effective_fabric_rate(const LeafSpineParams& p);

}  // namespace moesim::topo
