// Whether a run's times fit moesim's picosecond clock. TimePs is a signed 64-bit count of
// picoseconds (about 107 days); a run that could pass kMaxRunTime (2^62 ps, units.hpp) is
// refused before it starts, with an InputError that names what is too large, rather than
// overflowing mid-run into a wrong answer or a negative event time.
//
// The check is an upper bound on the makespan of a work-conserving run. Under max-min
// sharing every transmitting subflow has a saturated bottleneck link l on which
// sum_i coef_i rate_i = cap_l, and each subflow i on l alone could go at most cap_l / coef_i,
// so sum_i rate_i / alone_i >= 1: whenever some subflow is draining, the subflows together
// make at least one unit of "alone-time" of progress per second. When none drains, some node
// on the chain that finishes last is computing or waiting out a path latency. Hence
//   makespan <= sum over subflows of bytes / alone-rate
//             + the longest dependency chain of (compute durations, flow path latencies).
// The packet model adds headers, ACKs and timers the bound leaves out; kMaxRunTime is half
// of TimePs's range to leave room for them.
#pragma once

#include "sim/core/workload_dag.hpp"
#include "sim/paths.hpp"
#include "topologies/topology.hpp"

namespace moesim::sim {

// InputError if the run of `w` laid out as `paths` on `topo` could last beyond kMaxRunTime:
// first naming a single flow whose bytes alone take too long at its bottleneck rate, else
// naming the totals. Doubles throughout: the bound itself never overflows.
void check_run_fits_clock(const topo::Topology& topo, const Workload& w, const PathSet& paths);

}  // namespace moesim::sim
