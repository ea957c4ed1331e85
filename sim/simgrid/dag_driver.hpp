// Runs a Workload DAG on a built SimGrid platform, with the fluid model's semantics: a node
// starts when all its DAG predecessors have finished; a flow's transfers all start then and the
// flow finishes when the last one has arrived; a compute task is a SimGrid execution of exactly
// its duration on its GPU. A transfer arrives when SimGrid has drained it plus one path
// latency (MaxMin, the fluid model's placement: a kernel timer adds the latency), or when
// SimGrid says it is done (LatencyFirst and LV08: SimGrid charges the latency first).
//
// Mechanics (reference/toolchain.md §3 P3, §4.3): host-to-host sendto comms cost O(F^2) in
// 3.32 (maestro's list of detached comms), so transfers are mailbox put/get pairs posted by
// one worker actor per endpoint host. No actor ever waits on a comm, so the fan-out over
// several actors per host that toolchain.md recommends bought nothing here (measured: 256
// GPUs, ecmp, 61 s with one worker per host, 65 s with 16) and would multiply the actors,
// whose stacks SimGrid maps one by one (at most 65536 mappings). A scheduler actor owns the DAG
// frontier: when a node becomes ready it queues the node's transfers with their sender and
// receiver workers and wakes them (semaphores), or starts a task actor that executes the
// compute task. Transfer completions are observed at their completion date by SimGrid's
// link-level communication callback, which hands them to the scheduler; task actors hand in
// their own completions. All of this happens at the completion date, so successors start at
// exactly the time their last predecessor finished.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/core/workload_dag.hpp"
#include "sim/results.hpp"
#include "sim/simgrid/platform.hpp"
#include "sim/simgrid/transfers.hpp"

namespace moesim::sim::simgrid {

struct DagTimes {
  std::vector<NodeRecord> nodes;  // start and finish (subflows left 0: the model fills them)
  uint64_t events = 0;            // node starts and finishes plus transfer completions
};

// Runs the whole DAG in the current process's (only) Engine. InternalError if SimGrid ends
// before every node has finished.
DagTimes run_dag(::simgrid::s4u::Engine& engine, const Workload& w, const TransferPlan& plan,
                 const Platform& platform, SimgridMode mode);

}  // namespace moesim::sim::simgrid
