// SimGrid backend, first piece: one transfer over one link between two hosts.
//
// This is the seed of the `simgrid` network model (DESIGN.md §3): it pins down how moesim builds a
// SimGrid 3.32 platform in C++ (no XML), which configuration it uses (CM02, no cross-traffic,
// Full LMM updates; see reference/toolchain.md §3 P1, P2, P11) and how a transfer is timed. The
// full backend (Topology + Routing + Workload DAG -> result records) will grow from it later;
// until then this function is what tests check against the analytic formula.
#pragma once

#include "sim/core/units.hpp"

namespace moesim::sim::simgrid {

// Simulated completion time, in seconds, of a single `size`-byte transfer between two hosts
// joined by one split-duplex link of `rate` (bytes/s = bps / 8) and one-way `latency`.
// With the model above the result is latency + size / rate (plus SimGrid's 1e-9 s precision).
//
// Creates a SimGrid Engine, so it must be called AT MOST ONCE PER PROCESS: SimGrid 3.32 allows
// one Engine per process, and a second one silently keeps the first one's clock (toolchain.md
// §3 P5). Tests calling it need their own process (one TEST_CASE per process under ctest).
// SimGrid's own logging is silenced (critical only). Throws InputError if `rate` is zero or
// `latency` is negative.
double simgrid_transfer_time(Bytes size, BitsPerSec rate, TimePs latency);

}  // namespace moesim::sim::simgrid
