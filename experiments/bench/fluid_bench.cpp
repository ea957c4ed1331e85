// Speed of the fluid model on uniform all-to-alls (1 MiB per ordered pair) over 1:1
// leaf-spines of 128..1024 GPUs, under ecmp and ideal. Each benchmark builds the topology,
// routing, workload and paths outside the timed region, then times one fluid run. Reported
// counters: flows, simulated CCT, rate solves, and the process's peak RSS so far (run one
// benchmark per process for a per-size peak: experiments/bench/run_bench.sh), and the
// untimed set-up (topology, routing, workload, paths) in setup_s.
#include <chrono>

#include <benchmark/benchmark.h>

#include "experiments/bench/fluid_timing.hpp"
#include "sim/model.hpp"
#include "topologies/leaf_spine.hpp"
#include "topologies/routing.hpp"
#include "workloads/collectives.hpp"

namespace {

using namespace moesim;

// The shape of the SimGrid measurements in reference/toolchain.md §5, so the two engines can
// be compared case by case: 8 hosts per leaf, 8 spines, 100 Gb/s everywhere (1:1), 1 us links.
topo::LeafSpineParams shape(uint32_t gpus) {
  topo::LeafSpineParams p;
  p.hosts_per_leaf = 8;
  p.leaves = gpus / p.hosts_per_leaf;
  p.spines = 8;
  p.host_rate = 100_Gbps;
  p.fabric_rate = 100_Gbps;
  return p;
}

void BM_FluidAllToAll(benchmark::State& state, sim::PathPolicy policy) {
  const auto gpus = static_cast<uint32_t>(state.range(0));
  const auto t0 = std::chrono::steady_clock::now();
  const topo::Topology t = topo::build_leaf_spine(shape(gpus));
  const topo::Routing routing(t);
  const Workload w = workload::all_to_all(gpus, 1_MiB);
  const sim::PathSet paths = sim::assign_paths(routing, w, sim::Transport{policy, 1}, 1);
  const double setup_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  bench::time_fluid(state, t, w, paths);
  state.counters["setup_s"] = setup_s;
}

}  // namespace

BENCHMARK_CAPTURE(BM_FluidAllToAll, ecmp, moesim::sim::PathPolicy::Ecmp)
    ->Arg(128)
    ->Arg(256)
    ->Arg(512)
    ->Arg(1024)
    ->Iterations(1)
    ->Unit(benchmark::kSecond);
BENCHMARK_CAPTURE(BM_FluidAllToAll, ideal, moesim::sim::PathPolicy::Ideal)
    ->Arg(128)
    ->Arg(256)
    ->Arg(512)
    ->Arg(1024)
    ->Iterations(1)
    ->Unit(benchmark::kSecond);
