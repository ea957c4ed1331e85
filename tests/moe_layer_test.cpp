// The MoE layer model: a trace batch through placement and balancing into dispatch traffic and
// expert rows, the DAG built from them, and the GPU compute model.
#include <catch2/catch.hpp>

#include "fixtures.hpp"
#include "sim/gpu_model.hpp"
#include "sim/model.hpp"
#include "topologies/routing.hpp"
#include "workloads/moe_dag.hpp"
#include "workloads/moe_routing.hpp"

using namespace moesim;
using namespace moesim::workload;

namespace {

// 8 tokens, top-2 over 8 experts; no ranks, so token t starts on GPU t / 2 of 4.
Batch hand_batch() {
  Batch b;
  b.top_k = 2;
  b.token_ids = {0, 1, 2, 3, 4, 5, 6, 7};
  b.experts = {0, 1, 2, 4, 3, 2, 6, 0, 5, 7, 1, 6, 7, 6, 4, 2};
  return b;
}

}  // namespace

TEST_CASE("workload::route_layer: the dispatch matrix of a 4-GPU 8-expert top-2 case by hand") {
  // Contiguous placement: experts 2g and 2g+1 on GPU g. Each token goes once to every distinct
  // GPU holding one of its experts:
  //   GPU 0: t0 {0,1} -> G0;      t1 {2,4} -> G1, G2
  //   GPU 1: t2 {3,2} -> G1;      t3 {6,0} -> G3, G0
  //   GPU 2: t4 {5,7} -> G2, G3;  t5 {1,6} -> G0, G3
  //   GPU 3: t6 {7,6} -> G3;      t7 {4,2} -> G2, G1
  const Placement p = place_contiguous(1, 8, 4);
  MoeRoutingConfig c;
  c.num_gpus = 4;
  const RoutedLayer r = route_layer(hand_batch(), p, 0, c);
  const std::vector<uint64_t> expected = {1, 1, 1, 0,   //
                                          1, 1, 0, 1,   //
                                          1, 0, 1, 2,   //
                                          0, 1, 1, 1};  //
  CHECK(r.traffic.tokens == expected);
  // Rows per expert: e0 {t0,t3}, e1 {t0,t5}, e2 {t1,t2,t7}, e3 {t2}, e4 {t1,t7}, e5 {t4},
  // e6 {t3,t5,t6}, e7 {t4,t6}.
  CHECK(r.traffic.expert_rows[0] == std::vector<uint64_t>{2, 2, 0, 0, 0, 0, 0, 0});
  CHECK(r.traffic.expert_rows[1] == std::vector<uint64_t>{0, 0, 3, 1, 0, 0, 0, 0});
  CHECK(r.traffic.expert_rows[2] == std::vector<uint64_t>{0, 0, 0, 0, 2, 1, 0, 0});
  CHECK(r.traffic.expert_rows[3] == std::vector<uint64_t>{0, 0, 0, 0, 0, 0, 3, 2});
  CHECK(r.stats.local_tokens == 4);
  CHECK(r.stats.remote_tokens == 9);
  CHECK(r.stats.max_gpu_rows == 5);  // GPUs 3 and 1: 3 + 2 and 3 + 1 -> 5 on GPU 3
  CHECK(r.stats.mean_gpu_rows == Approx(4.0));
  CHECK(r.stats.max_expert_rows == 3);
}

TEST_CASE("workload::route_layer: tokens are conserved under capacity dropping and LLEP") {
  const Batch b = hand_batch();
  const Placement p = place_contiguous(1, 8, 4);
  MoeRoutingConfig c;
  c.num_gpus = 4;
  c.capacity.mode = CapacityMode::drop;
  c.capacity.drop_policy = DropPolicy::position;
  c.capacity.capacity_factor = 1.0;  // C = ceil(8 * 2 / 8) = 2 rows per expert
  RoutedLayer r = route_layer(b, p, 0, c);
  // e2 (3 slots) and e6 (3 slots) each lose their last slot: 2 dropped of 16.
  CHECK(r.stats.dropped == 2);
  uint64_t rows = 0;
  for (const auto& g : r.traffic.expert_rows)
    for (const uint64_t x : g)
      rows += x;
  CHECK(rows + r.stats.dropped == r.stats.slots);

  c.capacity = CapacityConfig{};
  c.balancer = Balancer::llep;
  c.llep.alpha = 1.0;
  c.llep.min_tokens_per_gemm = 1;
  r = route_layer(b, p, 0, c);
  rows = 0;
  for (const auto& g : r.traffic.expert_rows)
    for (const uint64_t x : g)
      rows += x;
  CHECK(rows == 16);  // dropless: every slot computed somewhere
  // LLEP's cap is 16 / 4 = 4 rows per GPU: GPU 3's 5 native rows spill one.
  CHECK(r.stats.max_gpu_rows <= 4);
  CHECK(r.stats.weight_transfers >= 1);
}

TEST_CASE("workload::build_moe_dag: one layer has attention dispatch expert combine") {
  const Placement p = place_contiguous(1, 8, 4);
  MoeRoutingConfig c;
  c.num_gpus = 4;
  const RoutedLayer r = route_layer(hand_batch(), p, 0, c);
  MoeDagParams mp;
  mp.dispatch_bytes_per_token = 1000;
  mp.combine_bytes_per_token = 2000;
  mp.attention = TimePs{1'000'000};
  const std::vector<LayerTraffic> layers = {r.traffic, r.traffic};
  const Workload w = build_moe_dag(layers, mp, [](uint32_t, uint32_t) { return TimePs{500'000}; });
  // Per layer: 4 attention + 4 expert tasks and 2 flows for each of the 8 remote GPU pairs.
  CHECK(w.size() == 2 * (8 + 16));
  CHECK(w.num_flows() == 2 * 16);
  // GPU 2 sends GPU 3 two tokens in dispatch (2 x 1000 B) and returns the one token GPU 3 sent
  // it in combine (1 x 2000 B): 4000 B from 2 to 3 per layer.
  uint64_t bytes_23 = 0;
  for (const DagNode& n : w.nodes()) {
    if (n.kind == NodeKind::Flow && n.src == 2 && n.dst == 3) bytes_23 += n.size.count;
  }
  CHECK(bytes_23 == 2 * 4000);

  // On an ideal network (fluid, 1 us links, 100 Gb/s) each layer takes at least attention +
  // the slowest flow + expert + the slowest combine flow, and two layers run one after another.
  const topo::Topology t = topo::build_leaf_spine(test::tiny_leaf_spine());
  const topo::Routing routing(t);
  const sim::PathSet paths = sim::assign_paths(routing, w, sim::parse_transport("ideal"), 1);
  const sim::RunResult res = sim::make_model("fluid")->run(routing, w, paths);
  CHECK(res.makespan.us() > 2 * (1.0 + 0.5));
}

TEST_CASE("sim::gpu_model: expert time follows FLOPs over the efficiency curve") {
  sim::GpuModel g;
  // eta(160) = 0.68 * 160 / 320 = 0.34.
  CHECK(sim::gemm_efficiency(g, 160) == Approx(0.34));
  // One expert of 160 tokens at 88.1 MFLOP each (DeepSeek-V3 expert):
  // 160 * 88.1e6 / (989.4e12 * 0.34) = 41.9 us; an idle expert costs nothing.
  const std::vector<uint64_t> rows = {160, 0};
  CHECK(sim::expert_compute_time(g, rows, 88.1e6).us() == Approx(41.904).epsilon(1e-3));
  // More tokens per expert run more efficiently: 4 x 40 tokens take longer than 1 x 160.
  const std::vector<uint64_t> spread = {40, 40, 40, 40};
  CHECK(sim::expert_compute_time(g, spread, 88.1e6) > sim::expert_compute_time(g, rows, 88.1e6));
}
