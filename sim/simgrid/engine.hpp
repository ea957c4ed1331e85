// The SimGrid Engine of one run and the three ways moesim drives SimGrid:
//  MaxMin        "simgrid" (= "simgrid:CM02"): CM02 with every transfer given the same sharing
//                weight (or its share of its flow, see platform.hpp), i.e. plain max-min fair
//                rates; a transfer drains at its rate and arrives one path latency later,
//                the fluid model's placement of latency (a SimGrid timer adds it).
//  LatencyFirst  "simgrid:latency-first": the same rates, with SimGrid's own placement of
//                latency: a transfer pays its path latency first and only then takes
//                bandwidth.
//  LV08          "simgrid:LV08": SimGrid's default TCP-like model unchanged (latency x13.01,
//                bandwidth x0.97, sharing weighted by route latency plus 20537 B / bandwidth):
//                not max-min.
// All three: no cross-traffic (P1) and Full LMM updates (Lazy finishes too early in 3.32, P2);
// the CM02 modes also drop the TCP-gamma window cap (P12) (reference/toolchain.md §3).
// SimGrid's logs are silenced below critical.
//
// SimGrid 3.32 allows ONE Engine per process (toolchain.md §3 P5): a second one silently keeps
// the first one's clock. make_engine must therefore run at most once per process; the model
// calls it only in a forked child (child_process.hpp).
#pragma once

#include <memory>
#include <string_view>

#include <simgrid/forward.h>

namespace moesim::sim::simgrid {

enum class SimgridMode : uint8_t { MaxMin, LatencyFirst, LV08 };

// The model name of a mode: "simgrid", "simgrid:latency-first" or "simgrid:LV08".
const char* model_name(SimgridMode mode);

// Creates the process's Engine. InternalError if this process already made one.
std::unique_ptr<::simgrid::s4u::Engine> make_engine(SimgridMode mode);

}  // namespace moesim::sim::simgrid
