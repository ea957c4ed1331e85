// Speed of the simgrid model against the fluid model on uniform all-to-alls (1 MiB per ordered
// pair) over the 1:1 leaf-spines of reference/toolchain.md §5 (8 hosts per leaf, 8 spines,
// 100 Gb/s, 1 us links), 128, 256 and 512 GPUs, under ecmp and ideal. Each case builds the
// topology, routing, workload and paths outside the timed region, then times one model run:
// for simgrid that is the whole forked child (transfer plan, platform, SimGrid run) plus the
// pipe back, so the time is wall-clock (UseRealTime). Counters: flows, SimGrid transfers,
// simulated CCT, the CPU seconds of the child and the peak RSS of this process and of its
// largest child. Run one case per process: experiments/bench/run_bench.sh build BM_SimGrid.
//
// The slowest case, simgrid ecmp at 512 GPUs, takes 8.5 to 9.5 minutes here (508 s and 573 s
// measured; toolchain.md measured 363 s on a quieter machine): each of ECMP's many
// distinct finish times triggers a full max-min re-solve over all 261,632 transfers in SimGrid
// (network/optim:Full). 1024 GPUs would not fit in 10 minutes and is not registered.
#include <sys/resource.h>

#include <chrono>
#include <memory>
#include <string>

#include <benchmark/benchmark.h>

#include "sim/model.hpp"
#include "sim/simgrid/simgrid_model.hpp"
#include "sim/simgrid/transfers.hpp"
#include "topologies/leaf_spine.hpp"
#include "topologies/routing.hpp"
#include "workloads/collectives.hpp"

namespace {

using namespace moesim;

topo::LeafSpineParams shape(uint32_t gpus) {
  topo::LeafSpineParams p;
  p.hosts_per_leaf = 8;
  p.leaves = gpus / p.hosts_per_leaf;
  p.spines = 8;
  p.host_rate = 100_Gbps;
  p.fabric_rate = 100_Gbps;
  return p;
}

rusage children_usage() {
  rusage ru{};
  getrusage(RUSAGE_CHILDREN, &ru);
  return ru;
}

double cpu_seconds(const rusage& ru) {
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

void BM_SimGridAllToAll(benchmark::State& state, const std::string& model, sim::PathPolicy policy) {
  const auto gpus = static_cast<uint32_t>(state.range(0));
  const topo::Topology t = topo::build_leaf_spine(shape(gpus));
  const topo::Routing routing(t);
  const Workload w = workload::all_to_all(gpus, 1_MiB);
  const sim::PathSet paths = sim::assign_paths(routing, w, sim::Transport{policy, 1}, 1);
  const std::unique_ptr<sim::NetworkModel> m =
      model == "fluid" ? sim::make_model("fluid") : sim::simgrid::make_simgrid_model();
  sim::RunResult r;
  const double child_cpu0 = cpu_seconds(children_usage());
  for (auto _ : state) {
    r = m->run(routing, w, paths);
    benchmark::DoNotOptimize(r.makespan);
  }
  const rusage children = children_usage();
  rusage self{};
  getrusage(RUSAGE_SELF, &self);
  state.counters["flows"] = static_cast<double>(w.num_flows());
  if (model != "fluid") {
    state.counters["transfers"] =
        static_cast<double>(sim::simgrid::plan_transfers(t, w, paths).num_transfers());
    state.counters["child_cpu_s"] = cpu_seconds(children) - child_cpu0;
    state.counters["child_peak_rss_MB"] = static_cast<double>(children.ru_maxrss) / 1024.0;
  }
  state.counters["cct_us"] = r.makespan.us();
  state.counters["peak_rss_MB"] = static_cast<double>(self.ru_maxrss) / 1024.0;
}

}  // namespace

BENCHMARK_CAPTURE(BM_SimGridAllToAll, fluid_ecmp, std::string("fluid"),
                  moesim::sim::PathPolicy::Ecmp)
    ->Arg(128)
    ->Arg(256)
    ->Arg(512)
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kSecond);
BENCHMARK_CAPTURE(BM_SimGridAllToAll, simgrid_ecmp, std::string("simgrid"),
                  moesim::sim::PathPolicy::Ecmp)
    ->Arg(128)
    ->Arg(256)
    ->Arg(512)
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kSecond);
BENCHMARK_CAPTURE(BM_SimGridAllToAll, fluid_ideal, std::string("fluid"),
                  moesim::sim::PathPolicy::Ideal)
    ->Arg(128)
    ->Arg(256)
    ->Arg(512)
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kSecond);
BENCHMARK_CAPTURE(BM_SimGridAllToAll, simgrid_ideal, std::string("simgrid"),
                  moesim::sim::PathPolicy::Ideal)
    ->Arg(128)
    ->Arg(256)
    ->Arg(512)
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kSecond);
