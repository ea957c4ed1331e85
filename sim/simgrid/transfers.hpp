// How a PathSet becomes SimGrid transfers (no SimGrid here: plain data the platform and the
// DAG driver are built from). SimGrid gives every transfer one rate over one route, and fixes
// one route per (source host, destination host) pair (reference/toolchain.md §3 P10), so:
//  - a single-path subflow (ecmp, split:K, plan) is one transfer on its path;
//  - a fractional subflow (ideal, and spray:* which flow-level models run as ideal) is
//    decomposed exactly into weighted paths (decompose_paths below), one transfer per path
//    carrying its share of the bytes;
//    Each such transfer's sharing weight is its share, so that the transfers of one flow
//    together claim what one flow would (the fluid model runs ideal as one rate per flow);
//  - every distinct (path, weight) between hosts i and j gets an endpoint index k, and its
//    transfers run between endpoint hosts i#k and j#k whose route is that path
//    (toolchain.md §5.1). All endpoints of a host list the same physical links, so they share
//    the NIC.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "sim/core/units.hpp"
#include "sim/core/workload_dag.hpp"
#include "sim/paths.hpp"
#include "topologies/topology.hpp"

namespace moesim::sim::simgrid {

struct WeightedPath {
  std::vector<uint32_t> links;  // directed link ids, source to destination
  double weight = 0;            // share of the subflow's bytes; a subflow's weights sum to 1
};

// Exact path decomposition of one subflow's link fractions (flow conservation holds at every
// vertex but the ends): repeatedly take the path that follows the largest remaining fraction
// out of each vertex, give it the smallest remaining fraction on it, and subtract. Every round
// empties at least one link, so there are at most links.size() paths, and the per-link sums of
// the weights reproduce `coefs` (to rounding). On a leaf-spine under ideal this yields one path
// per spine with an equal share; where per-hop equal splitting gives paths unequal shares (a
// random spatial network), the paths carry those unequal shares.
std::vector<WeightedPath> decompose_paths(const topo::Topology& topo, uint32_t src_vertex,
                                          uint32_t dst_vertex, std::span<const uint32_t> links,
                                          std::span<const double> coefs);

struct TransferPlan {
  // Distinct paths (= SimGrid routes), each between endpoint hosts src#slot and dst#slot.
  std::vector<uint32_t> path_begin;  // links of path p: path_links[path_begin[p] .. [p+1])
  std::vector<uint32_t> path_links;
  std::vector<uint32_t> path_src;    // host index
  std::vector<uint32_t> path_dst;    // host index
  std::vector<uint32_t> path_slot;   // endpoint index k
  std::vector<TimePs> path_latency;  // sum of the link latencies
  std::vector<double> path_weight;   // sharing weight in (0, 1]: 1 unless a multipath share
  // Transfers: transfer_path[t] carries transfer_bytes[t]; DAG node n owns the transfers
  // [node_begin[n], node_begin[n+1]) (none for compute tasks).
  std::vector<uint32_t> transfer_path;
  std::vector<uint64_t> transfer_bytes;
  std::vector<uint32_t> node_begin;
  std::vector<uint32_t> slots;  // endpoint hosts per host (>= 1; endpoint 0 is the GPU itself)

  size_t num_paths() const { return path_src.size(); }
  size_t num_transfers() const { return transfer_path.size(); }
  std::span<const uint32_t> links(uint32_t p) const {
    return {path_links.data() + path_begin[p], path_links.data() + path_begin[p + 1]};
  }
};

// Every flow of `w` laid out by `paths` as transfers. A flow of 0 bytes keeps one transfer of
// 0 bytes on its first path (it then takes its path latency, as in the fluid model).
TransferPlan plan_transfers(const topo::Topology& topo, const Workload& w, const PathSet& paths);

}  // namespace moesim::sim::simgrid
