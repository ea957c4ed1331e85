// Which DAG nodes are ready to start: a node starts when all its predecessors have finished.
// Shared by the time-stepping network models (fluid, packet).
#pragma once

#include <cstdint>
#include <vector>

#include "sim/core/workload_dag.hpp"

namespace moesim::sim {

class DagFrontier {
 public:
  explicit DagFrontier(const Workload& w) : w_(w), preds_left_(w.size()) {
    for (uint32_t n = 0; n < w.size(); ++n)
      preds_left_[n] = w.num_predecessors(n);
  }

  // Calls start(n) for every node without predecessors, in id order.
  template <class Start>
  void start_roots(Start&& start) {
    for (uint32_t n = 0; n < w_.size(); ++n) {
      if (preds_left_[n] == 0) start(n);
    }
  }

  // Node n finished: calls start(m) for every successor m that has become ready.
  template <class Start>
  void finish(uint32_t n, Start&& start) {
    for (uint32_t m : w_.successors(n)) {
      if (--preds_left_[m] == 0) start(m);
    }
  }

 private:
  const Workload& w_;
  std::vector<uint32_t> preds_left_;
};

}  // namespace moesim::sim
