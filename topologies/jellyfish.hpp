// Jellyfish (Singla et al., NSDI'12): a random regular graph of `switches` switches, each with
// `degree` switch-to-switch ports, and `hosts_per_switch` hosts on every switch. Built with the
// paper's incremental construction from the seeded stream make_stream(seed, "jellyfish"), so
// the same parameters and seed give the same graph. The result is always connected.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "topologies/topology.hpp"

namespace moesim::topo {

struct JellyfishParams {
  uint32_t switches = 16;
  uint32_t degree = 4;  // switch-to-switch ports per switch
  uint32_t hosts_per_switch = 2;
  BitsPerSec host_rate = 400_Gbps;
  BitsPerSec fabric_rate = 400_Gbps;
  TimePs host_latency = 1_us;
  TimePs fabric_latency = 1_us;
  Bytes buffer = Bytes{1u << 20};
  uint64_t seed = 1;
  uint32_t max_attempts = 100;  // fresh constructions tried before giving up on connectivity
};

// Throws InputError naming the bad parameter and value, or when no connected graph turned up
// in max_attempts constructions.
Topology build_jellyfish(const JellyfishParams& p);

// The switch graph alone: `degree`-regular simple graph on `switches` vertices as sorted (u < v)
// pairs, connected. Exposed for tests and for other random-regular uses.
std::vector<std::pair<uint32_t, uint32_t>> random_regular_graph(const JellyfishParams& p);

}  // namespace moesim::topo
