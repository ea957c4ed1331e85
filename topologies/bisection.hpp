// A bisection-bandwidth estimate: the smallest total rate of links crossing a partition of the
// vertices into two sides whose host counts differ by at most one (each full-duplex link counts
// once, one direction). Exact minimum bisection is NP-hard; this is a heuristic, so the value is
// an upper bound on the true bisection bandwidth that is tight on symmetric fabrics.
//
// Method: several starting partitions, each refined greedily, keep the best.
//   starts:  hosts split by index (builders number hosts pod/leaf/switch-major, so this is the
//            natural "half the pods" cut), by BFS order from a peripheral vertex, by a spectral
//            (Fiedler vector) order from power iteration on the rate-weighted Laplacian, and
//            `random_starts` random host halves (seeded); switches then join the side most of
//            their link capacity goes to (label propagation);
//   refine:  repeatedly move any switch whose move lowers the cut, and swap the best pair of
//            hosts across the cut while that lowers it, until nothing improves.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "topologies/topology.hpp"

namespace moesim::topo {

struct BisectionEstimate {
  BitsPerSec bandwidth;       // crossing capacity of the best partition found
  std::vector<uint8_t> side;  // per vertex: 0 or 1
  std::string start;          // which start produced it: index, bfs, spectral, random
};

BisectionEstimate estimate_bisection(const Topology& t, uint64_t seed = 1,
                                     uint32_t random_starts = 4);

}  // namespace moesim::topo
