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
  uint32_t subflows = 0;  // 0 for compute tasks
};

struct LinkRecord {
  double bytes = 0;  // bytes carried (fractional under ideal multipath splitting)
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
};

}  // namespace moesim::sim
