// Path assignment: how a transport lays each flow of a Workload onto the topology's links.
// Every flow becomes one or more subflows; a subflow carries a share of the flow's bytes over
// a set of directed links, each with a coefficient (the fraction of the subflow's rate that
// crosses that link: 1 on a single path, fractional under ideal multipath). All network
// models start from the same PathSet, so they see identical routes.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "sim/core/units.hpp"
#include "sim/core/workload_dag.hpp"
#include "sim/transport.hpp"
#include "topologies/routing.hpp"

namespace moesim::sim {

// split:K on a tiered Clos (topologies/tiers.hpp) caps K at a pair's up-down equal-cost paths:
// `flows` crossing a spine got fewer than K subflows, none more than `max_paths`.
struct SplitCap {
  uint32_t flows = 0;
  uint32_t max_paths = 0;
};

struct PathSet {
  Transport transport;  // the policy that made this assignment
  // Subflows of DAG node n: [node_begin[n], node_begin[n+1]); compute tasks have none.
  std::vector<uint32_t> node_begin;
  // Per subflow: its links [link_begin[s], link_begin[s+1]) in `links` / `coefs`.
  std::vector<uint32_t> link_begin;
  std::vector<uint32_t> links;
  std::vector<double> coefs;
  std::vector<uint64_t> bytes;  // per subflow; a flow's subflows sum to its size
  std::vector<TimePs> latency;  // per subflow: propagation latency of its (slowest) path
  std::vector<uint32_t> owner;  // per subflow: its DAG node
  SplitCap split_cap;           // split:K only

  size_t num_subflows() const { return bytes.size(); }
  std::span<const uint32_t> sub_links(uint32_t s) const {
    return {links.data() + link_begin[s], links.data() + link_begin[s + 1]};
  }
  std::span<const double> sub_coefs(uint32_t s) const {
    return {coefs.data() + link_begin[s], coefs.data() + link_begin[s + 1]};
  }
};

// Flows laid out as more than one subflow (split:K, plan's minimal splits).
uint32_t num_split_flows(const PathSet& paths);

// Lays out every flow of `w` under transport `t`. ECMP salts come from the "ecmp" stream of
// `seed`. Throws InputError if a flow's destination is unreachable.
PathSet assign_paths(const topo::Routing& routing, const Workload& w, const Transport& t,
                     uint64_t seed);

// Bytes carried by each directed link (sum over subflows of bytes * coefficient).
std::vector<double> link_bytes(const PathSet& paths, size_t num_links);

}  // namespace moesim::sim
