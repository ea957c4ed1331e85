// k shortest simple paths between two hosts (Yen's algorithm), for KSP routing on random
// topologies (Jellyfish's 8 shortest paths) and for split:K path choice. Costs are those of the
// routing view (topologies/routing.hpp): by default a link costs its latency in ps + 1, or 1
// with RouteCost::Hops; hosts never forward, so a path enters a host only as its destination.
#pragma once

#include <cstdint>
#include <vector>

#include "topologies/routing.hpp"
#include "topologies/topology.hpp"

namespace moesim::topo {

struct KPath {
  std::vector<uint32_t> links;  // directed link ids, from the source host to the destination
  uint64_t cost = 0;            // sum of link_cost over the links
};

// Up to k loop-free paths from host src to host dst in non-decreasing cost (ties: the
// lexicographically smaller link sequence first, so the result is deterministic). Fewer than
// k when fewer exist; none when dst is unreachable; src == dst gives the single empty path.
// Throws std::out_of_range for a host index not below num_hosts().
std::vector<KPath> k_shortest_paths(const Topology& t, uint32_t src, uint32_t dst, uint32_t k,
                                    RouteCost metric = RouteCost::Latency);

// The cost of a path as k_shortest_paths counts it.
uint64_t path_cost(const Topology& t, const std::vector<uint32_t>& links,
                   RouteCost metric = RouteCost::Latency);

}  // namespace moesim::topo
