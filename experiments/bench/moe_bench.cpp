// Speed of the fluid model on MoE layers: uneven all-to-alls whose flows finish at thousands of
// distinct times, each a rate re-solve — unlike the uniform all-to-all of fluid_bench.cpp,
// whose equal flows finish together. One DeepSeek-V3 layer (256 experts, top-8, sigmoid
// group-limited router, contiguous placement) with 1024 tokens per GPU on the default 128-GPU
// leaf-spine (8 leaves x 16 GPUs, 16 spines, 400 Gb/s), under ecmp, split:4 and ideal. The
// trace, routing and DAG are built outside the timed region. Counters: flows, simulated CCT,
// rate solves, peak RSS so far (run one case per process: experiments/bench/run_bench.sh).
#include <benchmark/benchmark.h>

#include "experiments/bench/fluid_timing.hpp"
#include "experiments/options.hpp"
#include "experiments/scenario.hpp"
#include "experiments/scenario_workload.hpp"
#include "sim/model.hpp"
#include "topologies/routing.hpp"
#include "workloads/trace_gen.hpp"

namespace {

using namespace moesim;

void BM_FluidMoeLayer(benchmark::State& state, const char* transport) {
  const cli::Settings s = cli::parse_settings({"--workload", "moe", "--moe-model", "deepseek-v3",
                                               "--moe-layers", "1", "--tokens-per-gpu", "1024"},
                                              {"topology", "workload", "simulation", "output"});
  const sim::ModelRegistry models = sim::builtin_models();
  const cli::Scenario sc = cli::parse_scenario(s, models);
  const topo::BuiltTopology built = cli::build_topology(s);
  const topo::Topology& t = built.topology;
  const Workload w = cli::build_workload(sc, t).workload;
  const topo::Routing routing(t);
  const sim::PathSet paths = sim::assign_paths(routing, w, sim::parse_transport(transport), 1);
  bench::time_fluid(state, t, w, paths);
}

}  // namespace

BENCHMARK_CAPTURE(BM_FluidMoeLayer, ecmp, "ecmp")->Iterations(1)->Unit(benchmark::kSecond);
BENCHMARK_CAPTURE(BM_FluidMoeLayer, split4, "split:4")->Iterations(1)->Unit(benchmark::kSecond);
BENCHMARK_CAPTURE(BM_FluidMoeLayer, ideal, "ideal")->Iterations(1)->Unit(benchmark::kSecond);
