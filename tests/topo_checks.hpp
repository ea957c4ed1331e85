// Checks shared by the topology builder tests: every builder's output must be routable.
#pragma once

#include <cstdint>
#include <limits>

#include "topologies/routing.hpp"
#include "topologies/topology.hpp"

namespace moesim::test {

// True when the routing view reaches every host from every other host.
inline bool every_host_pair_reachable(const topo::Topology& t) {
  const topo::Routing r(t);
  for (uint32_t d = 0; d < t.num_hosts(); ++d) {
    for (uint32_t s = 0; s < t.num_hosts(); ++s) {
      if (r.cost(static_cast<uint32_t>(t.host_vertex(s)), d) ==
          std::numeric_limits<uint64_t>::max()) {
        return false;
      }
    }
  }
  return true;
}

// Number of vertices of `kind`.
inline uint32_t count_kind(const topo::Topology& t, topo::VertexKind kind) {
  uint32_t n = 0;
  for (uint32_t v = 0; v < t.num_vertices(); ++v)
    n += t.graph()[v].kind == kind;
  return n;
}

}  // namespace moesim::test
