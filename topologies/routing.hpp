// The routing view of a Topology: for every destination host t and vertex v, the directed
// links out of v that lie on a least-cost path to t (equal-cost next hops, ECMP's choice set).
// Cost of a link = its latency in ps + 1, so hop count breaks ties among zero-latency links and
// a short NVLink path beats a detour through the network; or, with RouteCost::Hops, 1 per link
// (shortest-hop routing, as switches running ECMP on hop counts do — on a spatial network with
// unequal link lengths, latency costs leave a single shortest path per pair). Hosts never
// forward: a path enters a host only as its destination.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "topologies/topology.hpp"

namespace moesim::topo {

enum class RouteCost : uint8_t { Latency, Hops };

// The cost of one link under `metric`: latency in ps + 1 (saturating), or 1 per hop.
uint64_t link_cost(const DirLink& l, RouteCost metric);

class Routing {
 public:
  explicit Routing(const Topology& topo, RouteCost metric = RouteCost::Latency);

  // Equal-cost next-hop links from vertex v towards host `dst`, in increasing link id order.
  // Empty at the destination itself and where dst is unreachable.
  std::span<const uint32_t> next_hops(uint32_t v, uint32_t dst) const {
    const uint32_t* base = offsets_.data() + static_cast<size_t>(dst) * (num_vertices_ + 1);
    return {hops_[dst].data() + base[v], hops_[dst].data() + base[v + 1]};
  }
  // Least cost from v to host dst (UINT64_MAX if unreachable).
  uint64_t cost(uint32_t v, uint32_t dst) const {
    return cost_[static_cast<size_t>(dst) * num_vertices_ + v];
  }
  const Topology& topology() const { return *topo_; }
  RouteCost metric() const { return metric_; }

 private:
  const Topology* topo_;
  uint32_t num_vertices_;
  RouteCost metric_;
  std::vector<uint32_t> offsets_;            // per dst: num_vertices+1 offsets into hops_[dst]
  std::vector<std::vector<uint32_t>> hops_;  // per dst: next-hop link ids
  std::vector<uint64_t> cost_;               // per dst, per vertex
};

// Number of distinct least-cost paths from host src to host dst (saturating at UINT64_MAX).
uint64_t count_paths(const Routing& r, uint32_t src, uint32_t dst);

}  // namespace moesim::topo
