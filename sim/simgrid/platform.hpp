// The SimGrid platform of one run, built in C++ from our Topology and the transfer plan (no
// XML): one full zone with explicit routes.
//  - hosts: endpoint hosts h{i}#k for every host i and endpoint k < plan.slots[i]; endpoint 0
//    is the GPU itself, where compute tasks run (kFlopsPerSecond, one core per compute task
//    of that GPU so that concurrent tasks never slow each other down);
//  - links: one split-duplex link per topology edge with its rate and latency; directed link
//    2e (source -> target of edge e) is its UP direction, 2e+1 its DOWN direction;
//  - routes: each distinct path of the plan, from src#k to dst#k.
// Sharing weights (CM02 modes). SimGrid divides bandwidth in proportion to 1 / (route
// latency) (toolchain.md §3 P7), so route latency is the lever: a route whose latency is
// short of T / weight (T: the longest path latency) gets a latency-only "pad" link, too fast
// to limit anything, that makes up the difference. All single-path routes then share equally
// (plain max-min), and a multipath share w claims w of what a whole flow would. A
// latency-factor callback then sets the latency each transfer actually pays: its true path
// latency (LatencyFirst), or a negligible 1e-15 s (MaxMin, where the driver adds the path
// latency after the drain; SimGrid needs some latency to apply the weight). Under LV08 routes
// keep their plain latencies.
#pragma once

#include <cstdint>
#include <vector>

#include <simgrid/forward.h>

#include "sim/core/workload_dag.hpp"
#include "sim/simgrid/engine.hpp"
#include "sim/simgrid/transfers.hpp"
#include "topologies/topology.hpp"

namespace moesim::sim::simgrid {

// Host speed: one flop per picosecond, so a task of d ps is d flops and takes exactly d.
inline constexpr double kFlopsPerSecond = 1e12;

struct Platform {
  std::vector<uint32_t> endpoint_begin;  // host i's endpoints: endpoints[endpoint_begin[i] + k]
  std::vector<::simgrid::s4u::Host*> endpoints;
  uint32_t pads = 0;  // distinct pad links created

  uint32_t endpoint_id(uint32_t host, uint32_t slot) const { return endpoint_begin[host] + slot; }
  ::simgrid::s4u::Host* gpu(uint32_t host) const { return endpoints[endpoint_begin[host]]; }
};

// Builds the platform into the running Engine's root zone and seals it.
Platform build_platform(const topo::Topology& topo, const Workload& w, const TransferPlan& plan,
                        SimgridMode mode);

}  // namespace moesim::sim::simgrid
