// Path assignment through the path-policy registry (transport.hpp, path_policies.cpp).
#include "sim/paths.hpp"

namespace moesim::sim {

PathSet assign_paths(const topo::Routing& routing, const Workload& w, const Transport& t,
                     uint64_t seed) {
  return policy_entry(t).assign(routing, w, t, seed);
}

uint32_t num_split_flows(const PathSet& paths) {
  uint32_t n = 0;
  for (size_t i = 0; i + 1 < paths.node_begin.size(); ++i) {
    if (paths.node_begin[i + 1] - paths.node_begin[i] > 1) ++n;
  }
  return n;
}

std::vector<double> link_bytes(const PathSet& paths, size_t num_links) {
  std::vector<double> bytes(num_links, 0.0);
  for (uint32_t s = 0; s < paths.num_subflows(); ++s) {
    auto links = paths.sub_links(s);
    auto coefs = paths.sub_coefs(s);
    for (size_t i = 0; i < links.size(); ++i) {
      bytes[links[i]] += coefs[i] * static_cast<double>(paths.bytes[s]);
    }
  }
  return bytes;
}

}  // namespace moesim::sim
