// The Workload DAG: the contract between workload generators and network models.
// Nodes are flows {src host, dst host, size} and compute tasks {gpu, duration}; an edge
// "a before b" means b starts when all its predecessors have finished. Tags say which
// collective / layer / phase / iteration a node belongs to, so metrics can group by them.
// Host ids are indices 0..num_hosts-1 (the topology maps them to graph vertices).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "sim/core/units.hpp"

namespace moesim {

enum class NodeKind : uint8_t { Flow, Compute };

struct DagNode {
  NodeKind kind = NodeKind::Flow;
  uint32_t src = 0;  // flow: source host; compute: the GPU
  uint32_t dst = 0;  // flow: destination host; compute: equal to src
  Bytes size;        // flow only
  TimePs duration;   // compute only
  uint32_t tag = 0;  // index into Workload::tags()
};

struct Tag {
  std::string collective;  // e.g. "all-to-all", "ring-allreduce"
  std::string phase;       // e.g. "dispatch", "reduce-scatter", or empty
  int32_t layer = -1;      // -1: not applicable
  int32_t iteration = -1;  // -1: not applicable
  // A training or serving step (workloads/step_dag.hpp): its micro-batch, pipeline stage and
  // pass ("fwd" or "bwd"); -1 and empty elsewhere.
  int32_t micro_batch = -1;
  int32_t stage = -1;
  std::string pass;
};

class Workload {
 public:
  explicit Workload(uint32_t num_hosts) : num_hosts_(num_hosts) {}

  uint32_t add_tag(Tag tag);
  // Returns the node id. src != dst and both < num_hosts, else InternalError. InputError if
  // the flows' sizes add up past 2^64 - 1 bytes: every model may total them in a Bytes.
  uint32_t add_flow(uint32_t src, uint32_t dst, Bytes size, uint32_t tag);
  uint32_t add_compute(uint32_t gpu, TimePs duration, uint32_t tag);
  // `after` starts only once `before` has finished. Both ids must exist; before != after.
  void add_dependency(uint32_t before, uint32_t after);
  // Builds the successor lists and checks the graph is acyclic (InternalError if not).
  // InputError if a chain of dependent compute tasks lasts longer than kMaxRunTime (the
  // durations are summed with checked arithmetic). Must be called once, after the last add_*;
  // the accessors below need it.
  void finalize();

  uint32_t num_hosts() const { return num_hosts_; }
  size_t size() const { return nodes_.size(); }
  const DagNode& node(uint32_t id) const { return nodes_[id]; }
  const std::vector<DagNode>& nodes() const { return nodes_; }
  const std::vector<Tag>& tags() const { return tags_; }
  size_t num_flows() const { return num_flows_; }
  Bytes total_bytes() const { return total_bytes_; }  // of all flows; fits by construction
  // The longest chain of compute durations through the dependencies (flows count 0), at
  // most kMaxRunTime; known after finalize().
  TimePs compute_critical_path() const { return compute_critical_path_; }
  std::span<const uint32_t> successors(uint32_t id) const {
    if (!finalized_) throw_not_finalized();
    return {succ_.data() + succ_begin_[id], succ_.data() + succ_begin_[id + 1]};
  }
  uint32_t num_predecessors(uint32_t id) const {
    if (!finalized_) throw_not_finalized();
    return num_pred_[id];
  }
  bool finalized() const { return finalized_; }

 private:
  // The CSR arrays exist only after finalize(); reading them earlier is a bug (InternalError).
  [[noreturn]] static void throw_not_finalized();
  void require_open(const char* what) const;

  uint32_t num_hosts_;
  size_t num_flows_ = 0;
  Bytes total_bytes_;
  TimePs compute_critical_path_;
  bool finalized_ = false;
  std::vector<DagNode> nodes_;
  std::vector<Tag> tags_;
  std::vector<std::pair<uint32_t, uint32_t>> edges_;  // (before, after) until finalize()
  std::vector<uint32_t> succ_begin_;
  std::vector<uint32_t> succ_;
  std::vector<uint32_t> num_pred_;
};

}  // namespace moesim
