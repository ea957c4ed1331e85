// Summary metrics as pure functions over result records (no I/O here).
#pragma once

#include <cstdint>
#include <vector>

#include "sim/core/workload_dag.hpp"
#include "sim/results.hpp"
#include "topologies/topology.hpp"

namespace moesim::analysis {

struct Summary {
  double cct_us = 0;          // makespan of the whole DAG
  double link_bound_us = 0;   // max over links of bytes / rate
  double cct_over_bound = 0;  // >= 1 for every model; 1 means the busiest link never idled
  double fct_p50_us = 0;      // flow completion times (finish - start), nearest-rank
  double fct_p99_us = 0;
  double fct_max_us = 0;
  double max_link_util = 0;     // max over links of bytes / (rate * makespan)
  double mean_fabric_util = 0;  // mean over switch-to-switch links
  uint64_t flows = 0;
  uint64_t subflows = 0;
  uint64_t split_flows = 0;  // flows laid out as more than one subflow
  uint64_t bytes = 0;
  uint64_t events = 0;
  uint64_t solves = 0;
  // Packet model (0 for flow-level models).
  uint64_t packets = 0;
  uint64_t trims = 0;
  uint64_t drops = 0;
  uint64_t retransmits = 0;
  uint64_t timeouts = 0;
  uint64_t max_queue_bytes = 0;  // largest data queue at any port
  uint64_t pfc_frames = 0;       // PFC pause and resume frames (--fabric lossless)
  double pause_us = 0;           // total time links spent paused (--fabric lossless)
  // Step view (MoE steps, and any DAG with compute tasks).
  double step_us = 0;          // the whole step: cct_us
  double compute_us = 0;       // the busiest GPU's compute time (sum of its tasks)
  double exposed_comm_us = 0;  // step_us - compute_us: time the busiest GPU is not computing
  uint64_t nic_bytes = 0;      // bytes leaving hosts over their NIC links
  uint64_t nvlink_bytes = 0;   // bytes leaving hosts over NVLink
};

Summary summarize(const topo::Topology& topo, const Workload& w, const sim::RunResult& r);

// Nearest-rank percentile (p in [0, 100]) of unsorted values; 0 for an empty input.
double percentile(std::vector<double> values, double p);

}  // namespace moesim::analysis
