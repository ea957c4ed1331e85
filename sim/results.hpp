// Result records shared by every network model, so any metric, CSV writer or plot works with
// any model: one record per DAG node (flow or compute task), per directed link, and per tag
// (collective / layer / phase), plus run-level counters.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/core/units.hpp"

namespace moesim::sim {

// One DAG node. For a flow, start is when it became ready (all predecessors done) and
// finish is when its last byte arrived (drain + propagation latency of its slowest subflow).
struct NodeRecord {
  TimePs start;
  TimePs finish;
  uint32_t subflows = 0;     // 0 for compute tasks
  uint32_t retransmits = 0;  // packet model: data packets sent again
  uint32_t trims = 0;        // packet model: data packets trimmed to headers on the way
};

struct LinkRecord {
  double bytes = 0;  // payload bytes carried (fractional under ideal multipath splitting)
  // Packet model only (0 elsewhere): every byte on the wire (headers, ACKs, retransmissions)
  // and the largest data queue seen at this link's output port.
  uint64_t wire_bytes = 0;
  uint64_t max_queue = 0;
};

// Packet model, --detail timeseries: one port over one sampling interval (only ports that sent,
// held a queue or were paused in it).
struct LinkSample {
  uint32_t link = 0;
  TimePs t;             // the interval's end
  uint64_t bytes = 0;   // wire bytes the port put on its link during the interval
  uint64_t queue = 0;   // bytes queued at the port (data and control) at t
  bool paused = false;  // PFC-paused at t
};

struct TagRecord {
  TimePs start;
  TimePs finish;
  uint64_t bytes = 0;  // flow bytes of this tag
  uint32_t flows = 0;
};

struct RunResult {
  std::vector<NodeRecord> nodes;  // indexed by DAG node id
  std::vector<LinkRecord> links;  // indexed by directed link id
  std::vector<TagRecord> tags;    // indexed by tag id
  TimePs makespan;                // completion time of the whole DAG
  double link_bound_s = 0;        // max over links of bytes*8/rate: a lower bound on makespan
  uint64_t events = 0;            // discrete events processed (flow/task starts and ends)
  uint64_t solves = 0;            // rate recomputations (fluid model)
  uint64_t subflows = 0;
  uint32_t split_flows = 0;  // flows laid out as more than one subflow
  // Packet model counters (0 elsewhere).
  uint64_t packets = 0;  // packets put on a first link (data, headers, ACKs, NACKs)
  uint64_t trims = 0;
  uint64_t drops = 0;
  uint64_t retransmits = 0;
  uint64_t timeouts = 0;
  uint64_t pfc_frames = 0;          // lossless fabric: PFC pause and resume frames sent
  double pause_s = 0;               // lossless fabric: total time links spent paused
  std::vector<LinkSample> samples;  // packet model with PacketConfig::sample_every
};

}  // namespace moesim::sim
