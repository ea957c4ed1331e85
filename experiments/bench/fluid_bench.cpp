// Speed of the fluid model on uniform all-to-alls (1 MiB per ordered pair) over 1:1
// leaf-spines of 128..1024 GPUs, under ecmp and ideal. Each benchmark builds the topology,
// routing, workload and paths outside the timed region, then times one fluid run. Reported
// counters: flows, simulated CCT, rate solves, and the process's peak RSS so far (run one
// benchmark per process for a per-size peak: experiments/bench/run_fluid_bench.sh).
#include <sys/resource.h>

#include <benchmark/benchmark.h>

#include "sim/model.hpp"
#include "topologies/leaf_spine.hpp"
#include "topologies/routing.hpp"
#include "workloads/collectives.hpp"

namespace {

using namespace moesim;

// GPUs -> leaf-spine shape: 32 hosts per leaf (16 for 128 GPUs), spines = hosts per leaf / 2
// at twice the host rate, so every leaf is 1:1 (non-blocking).
topo::LeafSpineParams shape(uint32_t gpus) {
  topo::LeafSpineParams p;
  p.hosts_per_leaf = gpus >= 256 ? 32 : 16;
  p.leaves = gpus / p.hosts_per_leaf;
  p.spines = p.hosts_per_leaf / 2;
  p.host_rate = 400_Gbps;
  p.fabric_rate = 800_Gbps;
  return p;
}

void BM_FluidAllToAll(benchmark::State& state, sim::PathPolicy policy) {
  const auto gpus = static_cast<uint32_t>(state.range(0));
  const topo::Topology t = topo::build_leaf_spine(shape(gpus));
  const topo::Routing routing(t);
  const Workload w = workload::all_to_all(gpus, 1_MiB);
  const sim::PathSet paths = sim::assign_paths(routing, w, sim::Transport{policy, 1}, 1);
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

BENCHMARK_MAIN();
