// The fixed cross-validation suite behind `moesim validate`: small scenarios that run on the
// fluid model and on the simgrid model (SimGrid 3.32, CM02) with identical paths, compared
// per run (completion time) and per flow (finish time). Scenarios: all-to-all, permutation,
// ring all-reduce and one MoE layer from a skewed synthetic trace, under ecmp and ideal, on a
// 16-host leaf-spine and a 16-host random spatial network routed by hop count (so equal-cost
// paths tie and ideal has several). Sizes keep the whole suite to a few seconds.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace moesim::cli {

struct ValidateRow {
  std::string scenario;   // "<topology>/<workload>", e.g. "leaf-spine/all-to-all"
  std::string transport;  // ecmp | ideal
  uint64_t flows = 0;
  double fluid_cct_us = 0;
  double simgrid_cct_us = 0;
  double ratio = 0;  // simgrid CCT / fluid CCT
  // Over flows, |finish simgrid - finish fluid| / finish fluid: the largest and the median.
  double max_flow_diff = 0;
  double median_flow_diff = 0;
  // simgrid:latency-first CCT / fluid CCT: the same rates with SimGrid's own placement of
  // latency (before the bytes rather than after), for scale.
  double latency_first_ratio = 0;
  // The two models differ by design here: ideal on a graph whose equal-cost paths do not all
  // share one bottleneck. SimGrid runs each path of a flow as its own transfer with its own
  // max-min rate and path latency; fluid gives the flow one rate over all its paths and charges
  // the slowest path's latency. Single-path runs on the same graph agree exactly.
  bool differs_by_design = false;
};

// Runs every (scenario, transport) and hands each row to `sink` as soon as it is done.
// The simgrid model must be registered (sim::simgrid::register_simgrid_model) or is made here.
void run_validate_suite(const std::function<void(ValidateRow&&)>& sink);

}  // namespace moesim::cli
