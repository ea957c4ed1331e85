// Small named fixtures shared by the tests.
#pragma once

#include "topologies/leaf_spine.hpp"

namespace moesim::test {

// 2 leaves x 2 spines x 2 hosts, 100 Gb/s everywhere (1:1), 1 us per link.
inline topo::LeafSpineParams tiny_leaf_spine() {
  topo::LeafSpineParams p;
  p.leaves = 2;
  p.spines = 2;
  p.hosts_per_leaf = 2;
  p.host_rate = 100_Gbps;
  p.fabric_rate = 100_Gbps;
  p.host_latency = 1_us;
  p.fabric_latency = 1_us;
  return p;
}

// A leaf-spine of the given shape whose spine links exactly match the hosts (1:1).
inline topo::LeafSpineParams nonblocking(uint32_t leaves, uint32_t spines, uint32_t hosts) {
  topo::LeafSpineParams p;
  p.leaves = leaves;
  p.spines = spines;
  p.hosts_per_leaf = hosts;
  p.host_rate = 100_Gbps;
  p.fabric_rate.reset();  // derived: hosts * 100G / spines
  p.host_latency = 1_us;
  p.fabric_latency = 1_us;
  return p;
}

}  // namespace moesim::test
