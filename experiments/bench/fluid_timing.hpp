// The timed region and counters shared by the fluid benchmarks: one fluid run per iteration,
// then flows, simulated CCT, rate solves and the process's peak RSS so far.
#pragma once

#include <sys/resource.h>

#include <benchmark/benchmark.h>

#include "sim/model.hpp"

namespace moesim::bench {

inline void time_fluid(benchmark::State& state, const topo::Topology& t, const Workload& w,
                       const sim::PathSet& paths) {
  sim::RunResult r;
  for (auto _ : state) {
    r = sim::run_fluid(t, w, paths);
    benchmark::DoNotOptimize(r.makespan);
  }
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  state.counters["flows"] = static_cast<double>(w.num_flows());
  state.counters["cct_us"] = r.makespan.us();
  state.counters["solves"] = static_cast<double>(r.solves);
  state.counters["peak_rss_MB"] = static_cast<double>(ru.ru_maxrss) / 1024.0;
}

}  // namespace moesim::bench
