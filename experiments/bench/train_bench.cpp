// Speed of a whole MoE training step (issue 13's target): Mixtral-8x7B's shape with TP 1,
// PP 4, DP 32, EP 8, 4 micro-batches of 1024 tokens per GPU on the default 128-GPU leaf-spine,
// fluid model, one case per transport. The timed region is everything `moesim run` does for
// one transport: routing the micro-batches, building the step DAG, laying out paths and the
// fluid run. Counters: flows, simulated step, peak RSS so far (run one case per process:
// experiments/bench/run_bench.sh). Target: under 60 s and 2 GB per transport.
#include <sys/resource.h>

#include <benchmark/benchmark.h>

#include "experiments/options.hpp"
#include "experiments/scenario.hpp"
#include "experiments/scenario_workload.hpp"
#include "sim/model.hpp"
#include "topologies/routing.hpp"

namespace {

using namespace moesim;

void BM_FluidTrainStep(benchmark::State& state, const char* transport) {
  const cli::Settings s = cli::parse_settings(
      {"--workload", "moe", "--moe-model", "mixtral-8x7b", "--step", "train", "--tp", "1", "--pp",
       "4", "--dp", "32", "--ep", "8", "--micro-batches", "4", "--tokens-per-gpu", "1024"},
      {"topology", "workload", "simulation", "output"});
  const sim::ModelRegistry models = sim::builtin_models();
  const cli::Scenario sc = cli::parse_scenario(s, models);
  const topo::BuiltTopology built = cli::build_topology(s);
  const topo::Topology& t = built.topology;
  const topo::Routing routing(t);
  sim::RunResult r;
  size_t flows = 0;
  for (auto _ : state) {
    const Workload w = cli::build_workload(sc, t).workload;
    const sim::PathSet paths = sim::assign_paths(routing, w, sim::parse_transport(transport), 1);
    r = sim::run_fluid(t, w, paths);
    flows = w.num_flows();
    benchmark::DoNotOptimize(r.makespan);
  }
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  state.counters["flows"] = static_cast<double>(flows);
  state.counters["step_us"] = r.makespan.us();
  state.counters["peak_rss_MB"] = static_cast<double>(ru.ru_maxrss) / 1024.0;
}

}  // namespace

BENCHMARK_CAPTURE(BM_FluidTrainStep, ecmp, "ecmp")->Iterations(1)->Unit(benchmark::kSecond);
BENCHMARK_CAPTURE(BM_FluidTrainStep, split4, "split:4")->Iterations(1)->Unit(benchmark::kSecond);
BENCHMARK_CAPTURE(BM_FluidTrainStep, plan, "plan")->Iterations(1)->Unit(benchmark::kSecond);
BENCHMARK_CAPTURE(BM_FluidTrainStep, ideal, "ideal")->Iterations(1)->Unit(benchmark::kSecond);
