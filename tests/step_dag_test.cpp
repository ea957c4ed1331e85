// The MoE training step DAG (--step train, workloads/step_dag.hpp).
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <tuple>

#include "cli_util.hpp"
#include "workloads/parallel_layout.hpp"
#include "workloads/step_dag.hpp"

using namespace moesim;
using namespace moesim::workload;

namespace {

// `n` GPUs, one per server.
ParallelLayout layout(uint32_t n, uint32_t ep) {
  return ParallelLayout({.dp = n, .ep = ep}, std::vector<int32_t>(n, -1));
}

// A layer on `n` GPUs where GPU a sends (a + 1) x 10 + b tokens to every other GPU b.
LayerTraffic traffic(uint32_t n, bool empty) {
  LayerTraffic t;
  t.num_gpus = n;
  t.tokens.assign(size_t{n} * n, 0);
  t.expert_rows.assign(n, {1});
  for (uint32_t a = 0; a < n; ++a)
    for (uint32_t b = 0; b < n; ++b)
      if (a != b && !empty) t.tokens[size_t{a} * n + b] = (a + 1) * 10 + b;
  return t;
}

// Flow bytes per (phase, src, dst).
std::map<std::tuple<std::string, uint32_t, uint32_t>, uint64_t> flows(const Workload& w) {
  std::map<std::tuple<std::string, uint32_t, uint32_t>, uint64_t> out;
  for (uint32_t i = 0; i < w.size(); ++i) {
    const DagNode& d = w.node(i);
    if (d.kind == NodeKind::Flow) out[{w.tags()[d.tag].phase, d.src, d.dst}] += d.size.count;
  }
  return out;
}

}  // namespace

TEST_CASE("workload::build_step: backward all-to-alls carry the forward bytes transposed") {
  // One layer, one micro-batch, 4 GPUs; no gradients to sync. combine-grad is the dispatch
  // pattern (g -> h, the same bytes) and dispatch-grad the combine pattern (h -> g).
  StepParams p;
  p.train = true;
  p.layer.dispatch_bytes_per_token = 7;
  p.layer.combine_bytes_per_token = 7;
  const std::vector<LayerTraffic> layers = {traffic(4, false)};
  const Workload w = build_step(
      layers, p, [](uint32_t, uint32_t) { return TimePs{1}; }, layout(4, 4));
  const auto f = flows(w);
  uint64_t forward = 0;
  for (uint32_t a = 0; a < 4; ++a) {
    for (uint32_t b = 0; b < 4; ++b) {
      if (a == b) continue;
      const uint64_t bytes = ((a + 1) * 10 + b) * 7;
      CHECK(f.at({"dispatch", a, b}) == bytes);
      CHECK(f.at({"combine-grad", a, b}) == bytes);
      CHECK(f.at({"combine", b, a}) == bytes);
      CHECK(f.at({"dispatch-grad", b, a}) == bytes);
      forward += bytes;
    }
  }
  CHECK(forward > 0);
}

TEST_CASE("workload::build_step: compute runs one task at a time per GPU") {
  // No traffic: each GPU is one chain of M x L x (attention a, expert e, expert-bwd 2e,
  // attention-bwd 2a) and the optimizer o. M 2, L 3, a 5, e 7, o 11:
  // 2 x 3 x 3 x (5 + 7) + 11 = 227 ps.
  StepParams p;
  p.train = true;
  p.layer.attention = TimePs{5};
  p.layer.layers_per_iteration = 3;
  p.micro_batches = 2;
  p.optimizer = TimePs{11};
  const std::vector<LayerTraffic> layers(6, traffic(2, true));
  const Workload w = build_step(
      layers, p, [](uint32_t, uint32_t) { return TimePs{7}; }, layout(2, 2));
  CHECK(w.num_flows() == 0);
  CHECK(w.compute_critical_path() == TimePs{227});
  // And no two compute tasks of a GPU are independent: each GPU's tasks form one chain, so
  // the per-GPU count of tasks without a compute predecessor on the same GPU is 1.
  std::vector<int> roots(2, 0);
  for (uint32_t i = 0; i < w.size(); ++i) {
    if (w.node(i).kind != NodeKind::Compute) continue;
    bool has_pred = false;
    for (uint32_t j = 0; j < w.size(); ++j) {
      if (w.node(j).kind != NodeKind::Compute || w.node(j).src != w.node(i).src) continue;
      for (const uint32_t s : w.successors(j))
        has_pred = has_pred || s == i;
    }
    roots[w.node(i).src] += !has_pred;
  }
  CHECK(roots == std::vector<int>{1, 1});
}

TEST_CASE("workload::build_step: gradients are ring-reduced in buckets over their groups") {
  // 4 GPUs, EP 2: the DP group is all 4, the expert-DP groups {0, 2} and {1, 3} (same EP
  // rank). L = 3 layers of 12 dense and 6 expert gradient bytes; bucket 24 B. Dense buckets
  // in backward order: layers 2 and 1 fill one (24 B), layer 0 a second (12 B). A ring
  // all-reduce over d ranks sends 2 (d - 1) / d of a bucket per rank (chunks of size / d, here
  // whole): d = 4, 36 B in all -> 2 x 3 / 4 x 36 = 54 B per rank, 216 B over the group.
  // Experts: 18 B in one bucket, d = 2: 2 x 1 / 2 x 18 = 18 B per rank, 72 B over 4 GPUs.
  StepParams p;
  p.train = true;
  p.layer.layers_per_iteration = 3;
  p.dense_grad_per_layer = Bytes{12};
  p.expert_grad_per_layer = Bytes{6};
  p.bucket = Bytes{24};
  const std::vector<LayerTraffic> layers(3, traffic(4, true));
  const auto ps = [](uint32_t, uint32_t) { return TimePs{1}; };
  const auto sent = [](const Workload& w, const std::string& phase) {
    std::vector<uint64_t> per_src(4, 0);
    for (uint32_t i = 0; i < w.size(); ++i) {
      const DagNode& d = w.node(i);
      if (d.kind == NodeKind::Flow && w.tags()[d.tag].phase == phase)
        per_src[d.src] += d.size.count;
    }
    return per_src;
  };
  const Workload w = build_step(layers, p, ps, layout(4, 2));
  CHECK(sent(w, "dp-grad") == std::vector<uint64_t>{54, 54, 54, 54});
  CHECK(sent(w, "expert-grad") == std::vector<uint64_t>{18, 18, 18, 18});
  // Flows: dense 2 rings x 2 (4 - 1) steps x 4 ranks = 48; experts 2 groups x 2 steps x 2 = 8.
  size_t dense = 0;
  for (uint32_t i = 0; i < w.size(); ++i)
    dense += w.node(i).kind == NodeKind::Flow && w.tags()[w.node(i).tag].phase == "dp-grad";
  CHECK(dense == 48);
  // Expert-DP groups pair the GPUs of equal EP rank: 0 <-> 2 and 1 <-> 3 only.
  for (const auto& [key, bytes] : flows(w)) {
    if (std::get<0>(key) != "expert-grad") continue;
    CHECK((std::get<1>(key) + std::get<2>(key)) % 2 == 0);
  }
  // ZeRO-style reduce-scatter: half the ring, (d - 1) / d of each bucket: 27 B per rank.
  p.reduce_scatter = true;
  CHECK(sent(build_step(layers, p, ps, layout(4, 2)), "dp-grad") ==
        std::vector<uint64_t>{27, 27, 27, 27});
}

TEST_CASE("workload::build_step: traffic and gradient rings leave the compute chain as is") {
  // Flows add no compute: the longest compute chain stays M 1 x L 2 x 3 x (a 1000 + e 2000)
  // = 18000 ps (finalize also proves the DAG acyclic).
  StepParams p;
  p.train = true;
  p.layer.dispatch_bytes_per_token = 64;
  p.layer.combine_bytes_per_token = 64;
  p.layer.attention = TimePs{1000};
  p.layer.layers_per_iteration = 2;
  p.dense_grad_per_layer = Bytes{4096};
  p.expert_grad_per_layer = Bytes{2048};
  const std::vector<LayerTraffic> layers(2, traffic(4, false));
  const Workload w = build_step(
      layers, p, [](uint32_t, uint32_t) { return TimePs{2000}; }, layout(4, 2));
  CHECK(w.compute_critical_path() == TimePs{18000});
  CHECK(w.num_flows() > 0);
}

TEST_CASE("cli::run: --step train runs, and its options are refused where they do not apply") {
  test::TempDir dir;
  const std::string base =
      "run --workload moe --moe-layers 2 --tokens-per-gpu 16 --leaves 2 --hosts-per-leaf 4 "
      "--spines 2 --model fluid --transport ecmp ";
  REQUIRE(test::run_moesim(dir, base + "--step train --micro-batches 2 --ep 4 --out ok") == 0);
  for (const std::string bad :
       {"--micro-batches 2", "--grad-sync reduce-scatter", "--step train --iterations 2",
        "--step train --detail layers", "--step train --grad-bucket 0B"}) {
    INFO(bad);
    CHECK(test::run_moesim(dir, base + bad + " --out b") == 2);
    CHECK(!test::fs::exists(dir.path / "b"));
  }
}
