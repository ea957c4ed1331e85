#include "topologies/host_leaves.hpp"

namespace moesim::topo {

std::vector<uint32_t> leaf_of_hosts(const Topology& t) {
  std::vector<uint32_t> leaf(t.num_hosts(), 0);
  for (uint32_t h = 0; h < t.num_hosts(); ++h) {
    for (const uint32_t l : t.out_links(t.host_vertex(h))) {
      if (t.link(l).kind != LinkKind::NvLink) {
        leaf[h] = t.link(l).to;
        break;
      }
    }
  }
  return leaf;
}

std::vector<int32_t> server_of_hosts(const Topology& t) {
  std::vector<int32_t> server(t.num_hosts(), -1);
  for (uint32_t h = 0; h < t.num_hosts(); ++h)
    server[h] = t.graph()[t.host_vertex(h)].server;
  return server;
}

}  // namespace moesim::topo
