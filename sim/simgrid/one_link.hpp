// SimGrid backend, smallest piece: one transfer over one link between two hosts, in THIS
// process. It pins down how a SimGrid 3.32 platform is built in C++ (no XML) with the
// configuration the `simgrid` model uses (CM02, no cross-traffic, Full LMM updates; see
// reference/toolchain.md §3 P1, P2, P11), checked against the analytic formula by a test. The
// network model itself (simgrid_model.hpp) runs every simulation in a forked child instead.
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
