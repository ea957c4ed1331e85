// Workload DAG construction: add_* validate each node and edge as it arrives (a bad one is a
// bug in a workload generator, hence InternalError); finalize() turns the edge list into CSR
// successor lists and proves the graph acyclic, so network models can trust what they get.
#include "sim/core/workload_dag.hpp"

#include <algorithm>
#include <limits>
#include <optional>

#include <fmt/format.h>

#include "sim/core/error.hpp"

namespace moesim {

void Workload::throw_not_finalized() {
  throw InternalError("Workload: successors/predecessors read before finalize()");
}

void Workload::require_open(const char* what) const {
  if (finalized_) throw InternalError(fmt::format("Workload::{} called after finalize()", what));
}

uint32_t Workload::add_tag(Tag tag) {
  require_open("add_tag");
  if (tags_.size() >= std::numeric_limits<uint32_t>::max()) {
    throw InternalError("Workload::add_tag: too many tags");
  }
  tags_.push_back(std::move(tag));
  return static_cast<uint32_t>(tags_.size() - 1);
}

uint32_t Workload::add_flow(uint32_t src, uint32_t dst, Bytes size, uint32_t tag) {
  require_open("add_flow");
  if (src >= num_hosts_ || dst >= num_hosts_ || src == dst) {
    throw InternalError(fmt::format("Workload::add_flow: bad endpoints {} -> {} with {} hosts", src,
                                    dst, num_hosts_));
  }
  // A zero-byte flow has no completion event in some models; generators must skip it.
  if (size.count == 0) {
    throw InternalError(fmt::format("Workload::add_flow: empty flow {} -> {}", src, dst));
  }
  if (tag >= tags_.size()) {
    throw InternalError(fmt::format("Workload::add_flow: unknown tag {}", tag));
  }
  if (nodes_.size() >= std::numeric_limits<uint32_t>::max()) {
    throw InternalError("Workload::add_flow: too many nodes");
  }
  // Sizes come from the user (--size, a traffic matrix, a trace): their sum is checked, not
  // trusted, since a wrapped total would give wrong answers rather than an error.
  const std::optional<Bytes> total = checked_add(total_bytes_, size);
  if (!total) {
    throw InputError(fmt::format(
        "{}: flow {} (host {} -> host {}, {}B) takes the workload's total past {}B (2^64 - 1): "
        "expected flows whose sizes add up to a 64-bit byte count",
        tags_[tag].collective, num_flows_, src, dst, size.count,
        std::numeric_limits<uint64_t>::max()));
  }
  total_bytes_ = *total;
  nodes_.push_back(DagNode{NodeKind::Flow, src, dst, size, TimePs{}, tag});
  ++num_flows_;
  return static_cast<uint32_t>(nodes_.size() - 1);
}

uint32_t Workload::add_compute(uint32_t gpu, TimePs duration, uint32_t tag) {
  require_open("add_compute");
  if (gpu >= num_hosts_) {
    throw InternalError(
        fmt::format("Workload::add_compute: gpu {} with {} hosts", gpu, num_hosts_));
  }
  if (duration.ps < 0) {
    throw InternalError(fmt::format("Workload::add_compute: negative duration {}ps", duration.ps));
  }
  if (tag >= tags_.size()) {
    throw InternalError(fmt::format("Workload::add_compute: unknown tag {}", tag));
  }
  if (nodes_.size() >= std::numeric_limits<uint32_t>::max()) {
    throw InternalError("Workload::add_compute: too many nodes");
  }
  nodes_.push_back(DagNode{NodeKind::Compute, gpu, gpu, Bytes{}, duration, tag});
  return static_cast<uint32_t>(nodes_.size() - 1);
}

void Workload::add_dependency(uint32_t before, uint32_t after) {
  require_open("add_dependency");
  if (before >= nodes_.size() || after >= nodes_.size() || before == after) {
    throw InternalError(fmt::format("Workload::add_dependency: bad edge {} -> {} with {} nodes",
                                    before, after, nodes_.size()));
  }
  edges_.emplace_back(before, after);
}

void Workload::finalize() {
  require_open("finalize");
  // Sorting (before, after) pairs groups each node's successors and orders them by id, so
  // every model walks them in the same order; duplicates would double-count predecessors.
  std::sort(edges_.begin(), edges_.end());
  edges_.erase(std::unique(edges_.begin(), edges_.end()), edges_.end());
  if (edges_.size() >= std::numeric_limits<uint32_t>::max()) {
    throw InternalError("Workload::finalize: too many dependencies");
  }

  const size_t n = nodes_.size();
  succ_begin_.assign(n + 1, 0);
  num_pred_.assign(n, 0);
  succ_.clear();
  succ_.reserve(edges_.size());
  for (const auto& [before, after] : edges_) {
    ++succ_begin_[before + 1];
    ++num_pred_[after];
    succ_.push_back(after);
  }
  for (size_t i = 0; i < n; ++i)
    succ_begin_[i + 1] += succ_begin_[i];
  edges_.clear();
  edges_.shrink_to_fit();

  // Kahn's algorithm: a node is released once all its predecessors are; nodes never released
  // lie on (or behind) a cycle.
  std::vector<uint32_t> waiting(num_pred_);
  std::vector<uint32_t> ready;
  for (uint32_t i = 0; i < n; ++i) {
    if (waiting[i] == 0) ready.push_back(i);
  }
  // In the same pass, the latest a node can start if only compute takes time (flows count 0):
  // durations along a chain are summed with checked_add and held to kMaxRunTime, so no model
  // that adds them up on its clock can overflow TimePs (units.hpp).
  std::vector<TimePs> ready_at(n);
  size_t released = 0;
  while (!ready.empty()) {
    const uint32_t v = ready.back();
    ready.pop_back();
    ++released;
    const DagNode& node = nodes_[v];
    const std::optional<TimePs> done =
        node.kind == NodeKind::Compute ? checked_add(ready_at[v], node.duration) : ready_at[v];
    if (!done || *done > kMaxRunTime) {
      const Tag& t = tags_[node.tag];
      throw InputError(fmt::format(
          "{}{}{}: compute task {} on GPU {} ({}) ends a chain of dependent compute tasks that "
          "lasts more than {}, the longest run moesim can time: expected shorter compute times",
          t.collective, t.phase.empty() ? "" : " ", t.phase, v, node.src, node.duration,
          kMaxRunTimeText));
    }
    compute_critical_path_ = std::max(compute_critical_path_, *done);
    for (size_t e = succ_begin_[v]; e < succ_begin_[v + 1]; ++e) {
      ready_at[succ_[e]] = std::max(ready_at[succ_[e]], *done);
      if (--waiting[succ_[e]] == 0) ready.push_back(succ_[e]);
    }
  }
  if (released != n) {
    const auto stuck = std::find_if(waiting.begin(), waiting.end(), [](uint32_t w) { return w; });
    throw InternalError(fmt::format("Workload::finalize: dependency cycle: node {} can never start",
                                    stuck - waiting.begin()));
  }
  finalized_ = true;
}

}  // namespace moesim
