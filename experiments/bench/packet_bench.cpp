// Speed of the packet model on the fabric of issue 3: 8 leaves x 16 hosts, 16 spines,
// 400 Gb/s everywhere, 1 us per link. (a) a random permutation of 4 MB flows; (b) a uniform
// all-to-all of 1 MB per ordered pair (16,256 flows, ~16 GB). Each under ecmp and
// spray:random, with ACKs coalesced per 16 KiB (the default) and, `_ack0`, one per packet (the
// engine before coalescing). Set-up (topology, routing, workload, paths) is outside the timed
// region.
// Counters: events, events per second, packets, simulated CCT, peak RSS of the process so far
// (run one case per process for a per-case peak: experiments/bench/run_bench.sh).
#include <sys/resource.h>

#include <chrono>

#include <benchmark/benchmark.h>

#include "sim/core/rng.hpp"
#include "sim/model.hpp"
#include "topologies/leaf_spine.hpp"
#include "topologies/routing.hpp"
#include "workloads/collectives.hpp"

namespace {

using namespace moesim;

topo::LeafSpineParams fabric() {
  topo::LeafSpineParams p;
  p.leaves = 8;
  p.hosts_per_leaf = 16;
  p.spines = 16;
  p.host_rate = 400_Gbps;
  p.fabric_rate = 400_Gbps;
  return p;
}

void BM_Packet(benchmark::State& state, const char* workload, const char* transport,
               uint64_t ack_every = sim::PacketConfig{}.ack_every.count) {
  const topo::Topology t = topo::build_leaf_spine(fabric());
  const topo::Routing routing(t);
  Rng rng = make_stream(1, "workload");
  const Workload w = std::string(workload) == "permutation"
                         ? workload::permutation(t.num_hosts(), Bytes{4'000'000}, rng)
                         : workload::all_to_all(t.num_hosts(), Bytes{1'000'000});
  const sim::PathSet paths = sim::assign_paths(routing, w, sim::parse_transport(transport), 1);
  sim::PacketConfig config;
  config.ack_every = Bytes{ack_every};
  sim::RunResult r;
  double seconds = 0;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    r = sim::run_packet(routing, w, paths, config);
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    benchmark::DoNotOptimize(r.makespan);
  }
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  state.counters["flows"] = static_cast<double>(w.num_flows());
  state.counters["events"] = static_cast<double>(r.events);
  state.counters["events_per_s"] = static_cast<double>(r.events) / seconds;
  state.counters["packets"] = static_cast<double>(r.packets);
  state.counters["cct_us"] = r.makespan.us();
  state.counters["peak_rss_MB"] = static_cast<double>(ru.ru_maxrss) / 1024.0;
}

}  // namespace

BENCHMARK_CAPTURE(BM_Packet, permutation_ecmp, "permutation", "ecmp")
    ->Iterations(1)
    ->Unit(benchmark::kSecond);
BENCHMARK_CAPTURE(BM_Packet, permutation_spray, "permutation", "spray:random")
    ->Iterations(1)
    ->Unit(benchmark::kSecond);
BENCHMARK_CAPTURE(BM_Packet, alltoall_ecmp, "all-to-all", "ecmp")
    ->Iterations(1)
    ->Unit(benchmark::kSecond);
BENCHMARK_CAPTURE(BM_Packet, alltoall_spray, "all-to-all", "spray:random")
    ->Iterations(1)
    ->Unit(benchmark::kSecond);
BENCHMARK_CAPTURE(BM_Packet, permutation_ecmp_ack0, "permutation", "ecmp", 0)
    ->Iterations(1)
    ->Unit(benchmark::kSecond);
BENCHMARK_CAPTURE(BM_Packet, permutation_spray_ack0, "permutation", "spray:random", 0)
    ->Iterations(1)
    ->Unit(benchmark::kSecond);
BENCHMARK_CAPTURE(BM_Packet, alltoall_ecmp_ack0, "all-to-all", "ecmp", 0)
    ->Iterations(1)
    ->Unit(benchmark::kSecond);
BENCHMARK_CAPTURE(BM_Packet, alltoall_spray_ack0, "all-to-all", "spray:random", 0)
    ->Iterations(1)
    ->Unit(benchmark::kSecond);
