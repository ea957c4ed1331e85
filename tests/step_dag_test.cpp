// The MoE training step DAG (--step train, workloads/step_dag.hpp).
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <tuple>

#include "cli_util.hpp"
#include "moe_fixtures.hpp"
#include "sim/core/rng.hpp"
#include "sim/gpu_model.hpp"
#include "sim/model.hpp"
#include "tests/fixtures.hpp"
#include "topologies/leaf_spine.hpp"
#include "topologies/routing.hpp"
#include "workloads/moe_pipeline.hpp"
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

namespace {

// P stages of one GPU each (DP 1): GPU g is stage g under the default rank order.
ParallelLayout pipeline(uint32_t stages) {
  return ParallelLayout({.pp = stages, .dp = 1, .ep = 1}, std::vector<int32_t>(stages, -1));
}

}  // namespace

TEST_CASE("workload::build_step: 1F1B over P stages takes (M + P - 1)(t_f + t_b)") {
  // Compute only (no tokens cross, pp-send carries no bytes), equal stages. A stage's
  // forward of a micro-batch is its L / P layers of attention a + expert e, its backward
  // 2a + 2e per layer. 1F1B: the first micro-batch's forward fills the pipeline in P t_f,
  // the last one's backward drains it in P t_b, and between them every stage is busy:
  // (M + P - 1)(t_f + t_b).
  const auto check = [](uint32_t stages, uint32_t m, uint32_t layers, int64_t a, int64_t e,
                        int64_t expected) {
    StepParams p;
    p.train = true;
    p.micro_batches = m;
    p.layer.layers_per_iteration = layers;
    p.layer.attention = TimePs{a};
    const std::vector<LayerTraffic> l(size_t{m} * layers, traffic(stages, true));
    const Workload w = build_step(
        l, p, [e](uint32_t, uint32_t) { return TimePs{e}; }, pipeline(stages));
    CHECK(w.num_flows() == 0);
    CHECK(w.compute_critical_path() == TimePs{expected});
  };
  // P 4, M 3, L 8 (2 per stage), a 5, e 7: t_f = 2 x 12 = 24, t_b = 48; 6 x 72 = 432.
  check(4, 3, 8, 5, 7, 432);
  // P 3, M 5, L 3, a 1, e 2: t_f 3, t_b 6: 7 x 9 = 63.
  check(3, 5, 3, 1, 2, 63);
  // Fewer micro-batches than stages, P 4, M 2, L 4, a 1, e 1: t_f 2, t_b 4: 5 x 6 = 30.
  check(4, 2, 4, 1, 1, 30);
  // Uneven stages, P 2 over L 3: stage 0 owns layer 0, stage 1 layers 1 and 2; M 1,
  // a 1, e 1: forward 2 + 4, backward 8 + 4 = 18.
  check(2, 1, 3, 1, 1, 18);
}

TEST_CASE("workload::build_step: forward steps run micro-batches one after another") {
  // Forward only over P 4 stages: micro-batch m + 1 enters once m has left the last stage,
  // so M x P x t_f: M 3, L 8, a 5, e 7: 3 x 4 x 24 = 288.
  StepParams p;
  p.micro_batches = 3;
  p.layer.layers_per_iteration = 8;
  p.layer.attention = TimePs{5};
  const std::vector<LayerTraffic> l(24, traffic(4, true));
  const Workload w = build_step(
      l, p, [](uint32_t, uint32_t) { return TimePs{7}; }, pipeline(4));
  CHECK(w.compute_critical_path() == TimePs{288});
}

TEST_CASE("workload::build_step: pipeline sends carry activations forward and gradients back") {
  // P 2 stages of 2 GPUs (DP 2), M 2, one micro-batch's activation 100 B per GPU. Every GPU
  // of stage 0 sends its peer (same DP rank) on stage 1 one activation per micro-batch in
  // forward (2 x 100 B), and receives one gradient per micro-batch back (2 x 100 B).
  StepParams p;
  p.train = true;
  p.micro_batches = 2;
  p.layer.layers_per_iteration = 2;
  p.activation = Bytes{100};
  const ParallelLayout lay({.pp = 2, .dp = 2, .ep = 2}, std::vector<int32_t>(4, -1));
  const std::vector<LayerTraffic> l(4, traffic(4, true));
  const Workload w = build_step(
      l, p, [](uint32_t, uint32_t) { return TimePs{1}; }, lay);
  const auto f = flows(w);
  for (uint32_t g = 0; g < 4; ++g) {
    const uint32_t other = lay.coord(g).pp == 0 ? g + 2 : g - 2;  // rank order tp,ep,dp,pp
    REQUIRE(lay.coord(other).dp == lay.coord(g).dp);
    CHECK(f.at({"pp-send", g, other}) == 200);
  }
  CHECK(f.size() == 4);
}

TEST_CASE("workload::build_step: TP all-reduces stay inside a server, two per layer and pass") {
  // 4 GPUs in 2 servers of 2, TP 2: TP groups {0, 1} and {2, 3}. One layer, one micro-batch,
  // train: 2 all-reduces forward and 2 backward, each a ring over 2 ranks of 2 (2 - 1) = 2
  // steps of chunks 1000 / 2: each rank sends 2 (d - 1) / d x 1000 = 1000 B per all-reduce,
  // 4000 B in all, never to another server.
  StepParams p;
  p.train = true;
  p.tp_allreduce = Bytes{1000};
  const std::vector<int32_t> server = {0, 0, 1, 1};
  const ParallelLayout lay({.tp = 2, .dp = 2, .ep = 2}, server);
  const std::vector<LayerTraffic> l(1, traffic(4, true));
  const Workload w = build_step(
      l, p, [](uint32_t, uint32_t) { return TimePs{1}; }, lay);
  std::vector<uint64_t> sent(4, 0);
  for (uint32_t i = 0; i < w.size(); ++i) {
    const DagNode& d = w.node(i);
    if (d.kind != NodeKind::Flow) continue;
    REQUIRE(w.tags()[d.tag].phase == "tp-allreduce");
    CHECK(server[d.src] == server[d.dst]);
    sent[d.src] += d.size.count;
  }
  CHECK(sent == std::vector<uint64_t>{4000, 4000, 4000, 4000});
}

TEST_CASE("workload::build_step: two-batch overlap hides one half's all-to-all under compute") {
  // Hosts 0 and 1 under one leaf of the tiny leaf-spine (100 Gb/s, 1 us a link): 100,000 B
  // drain in 8 us and arrive 2 us later, c = 10 us. One forward layer; 0 and 1 send each
  // other T tokens of 1000 B per half (the other hosts nothing). Per half, attention and
  // experts take x = c = 10 us.
  //   none (one unit of 2T tokens, 2x compute): 2x + (16 + 2) + 2x + (16 + 2) = 76 us.
  //   two-batch: A.attn [0, x], B.attn [x, 2x], A.dispatch [x, 2x], A.expert [2x, 3x],
  //   B.dispatch [2x, 3x], B.expert [3x, 4x], A.combine [3x, 4x], B.combine [4x, 5x]:
  //   5x = 50 us.
  const topo::Topology t = topo::build_leaf_spine(test::tiny_leaf_spine());
  const uint32_t n = t.num_hosts();
  const auto run = [&](bool two_batch) {
    const uint64_t tokens = two_batch ? 100 : 200;
    LayerTraffic lt = traffic(n, true);
    lt.tokens[1] = lt.tokens[n] = tokens;  // 0 -> 1 and 1 -> 0
    StepParams p;
    p.two_batch = two_batch;
    p.layer.dispatch_bytes_per_token = p.layer.combine_bytes_per_token = 1000;
    const TimePs x{two_batch ? 10'000'000 : 20'000'000};
    p.layer.attention = x;
    const std::vector<LayerTraffic> l(two_batch ? 2 : 1, lt);
    const Workload w = build_step(
        l, p, [x](uint32_t, uint32_t) { return x; },
        ParallelLayout({.dp = n, .ep = n}, std::vector<int32_t>(n, -1)));
    const topo::Routing r(t);
    const sim::PathSet paths = sim::assign_paths(r, w, sim::parse_transport("ecmp"), 1);
    return sim::make_model("fluid")->run(r, w, paths).makespan;
  };
  CHECK(run(false) == TimePs{76'000'000});
  CHECK(run(true) == TimePs{50'000'000});
}

TEST_CASE("sim::decode_attention_time: the roofline's memory side for small batches") {
  // h 4096, 2 B elements, 8 sequences over 1024 cached tokens: weights 4 h^2 = 67,108,864
  // elements plus KV 8 x 1024 x 2h = 67,108,864: 268,435,456 B at 3.35 TB/s = 80.129987 us (ceil to
  // ps). Compute: 8 x (8 h^2 + 4 x 1024 h) = 1,207,959,552 FLOPs at 989.4 TFLOP/s x 0.68 x 8 / 168
  // = 37.7 us: memory wins.
  const sim::GpuModel g;
  CHECK(sim::decode_attention_time(g, 8, 1024, 4096, 2) == TimePs{80'129'987});
  // A longer cache reads more: one more token per sequence adds 8 x 2h x 2 B = 131,072 B.
  CHECK(sim::decode_attention_time(g, 8, 1025, 4096, 2) > TimePs{80'129'987});
}

TEST_CASE("cli::run: serving and parallel steps run - bad layouts and steps exit 2") {
  test::TempDir dir;
  const std::string base =
      "run --workload moe --moe-layers 4 --leaves 2 --hosts-per-leaf 4 --spines 2 "
      "--model fluid --transport ecmp ";
  int i = 0;
  for (const std::string ok :
       {"--step prefill --tokens-per-gpu 16", "--step decode --batch 4 --decode-steps 3",
        "--step train --gpus-per-server 2 --tp 2 --pp 2 --ep 2 --micro-batches 3 "
        "--tokens-per-gpu 16",
        "--step train --pp 4 --micro-batches 2 --overlap two-batch --tokens-per-gpu 16"}) {
    INFO(ok);
    CHECK(test::run_moesim(dir, base + ok + " --out ok" + std::to_string(i++)) == 0);
  }
  for (const std::string bad : {"--step decode", "--step decode --batch 4 --tokens-per-gpu 8",
                                "--batch 4", "--step train --pp 5", "--tp 3", "--step train --dp 3",
                                "--ep 3", "--overlap two-batch --tokens-per-gpu 15",
                                "--step decode --batch 2 --iterations 2", "--context 7"}) {
    INFO(bad);
    CHECK(test::run_moesim(dir, base + bad + " --out b") == 2);
    CHECK(!test::fs::exists(dir.path / "b"));
  }
}

TEST_CASE("cli::run: the raw Mixtral serving trace replays as prefill and decode steps") {
  // HumanEval/0: 135 prefill tokens, then one token per decode step; the profiler dropped
  // some (token, layer) records, and a missing layer routes no tokens. Prefill: 32 layers of
  // at most 135 tokens; decode --decode-steps 5: 5 x 32 layers of at most 1 token.
  test::TempDir dir;
  const std::string trace = std::string(MOESIM_SHARED_DATA) +
                            "/traces/mixtral-8x7b_vllm_Mario928-speculative-moe/"
                            "humaneval_p0_raw_prefill_decode.jsonl";
  const std::string base = "run --workload moe --trace '" + trace +
                           "' --leaves 1 --spines 1 --hosts-per-leaf 8 --model fluid "
                           "--transport ecmp --detail layers ";
  REQUIRE(test::run_moesim(dir, base + "--step prefill --out p") == 0);
  const std::string prefill = test::slurp(dir.path / "p" / "layers.csv");
  CHECK(std::count(prefill.begin(), prefill.end(), '\n') == 1 + 32);
  CHECK(test::column_sum(prefill, "tokens") <= 32 * 135);
  CHECK(test::column_sum(prefill, "tokens") > 32 * 124);  // at most 11 dropped a layer
  REQUIRE(test::run_moesim(dir, base + "--step decode --decode-steps 5 --out d") == 0);
  const std::string decode = test::slurp(dir.path / "d" / "layers.csv");
  CHECK(std::count(decode.begin(), decode.end(), '\n') == 1 + 5 * 32);
  CHECK(test::column_sum(decode, "tokens") <= 5 * 32);
  CHECK(test::column_sum(decode, "tokens") > 0);
}

TEST_CASE("workload::build_step: two-batch is never slower than none on random layers") {
  // Random traffic among the 4 hosts of the tiny leaf-spine (even token counts, so halves
  // carry exactly half), random positive attention and expert times (halves take half), 2
  // layers, train: halves can only start work earlier, so the step never grows.
  const topo::Topology t = topo::build_leaf_spine(test::tiny_leaf_spine());
  const uint32_t n = t.num_hosts();
  const topo::Routing r(t);
  Rng rng = make_stream(7, "two-batch-property");
  for (int trial = 0; trial < 20; ++trial) {
    LayerTraffic full = traffic(n, true);
    for (uint32_t a = 0; a < n; ++a)
      for (uint32_t b = 0; b < n; ++b)
        if (a != b) full.tokens[size_t{a} * n + b] = 2 * rng.below(51);
    LayerTraffic half = full;
    for (uint64_t& v : half.tokens)
      v /= 2;
    const int64_t attn = 2 * static_cast<int64_t>(1 + rng.below(5'000'000));
    const int64_t exp = 2 * static_cast<int64_t>(1 + rng.below(5'000'000));
    const auto run = [&](bool two) {
      StepParams p;
      p.train = true;
      p.two_batch = two;
      p.layer.layers_per_iteration = 2;
      p.layer.dispatch_bytes_per_token = p.layer.combine_bytes_per_token = 1000;
      p.layer.attention = TimePs{two ? attn / 2 : attn};
      const std::vector<LayerTraffic> l(two ? 4 : 2, two ? half : full);
      const TimePs e{two ? exp / 2 : exp};
      const Workload w = build_step(
          l, p, [e](uint32_t, uint32_t) { return e; },
          ParallelLayout({.dp = n, .ep = n}, std::vector<int32_t>(n, -1)));
      const sim::PathSet paths = sim::assign_paths(r, w, sim::parse_transport("ecmp"), 1);
      return sim::make_model("fluid")->run(r, w, paths).makespan;
    };
    INFO("trial " << trial);
    CHECK(run(true) <= run(false));
  }
}

TEST_CASE("workload::route_ep_groups: a layer keeps only the EP groups of its stage") {
  // 8 GPUs, PP 2 x DP 4, EP 2: 2 EP groups per stage; 4 layers, stage 0 owns 0-1 and stage 1
  // owns 2-3. Every layer's tokens are its stage's 4 GPUs x 16, not all 8 GPUs'; no token of
  // layer 0 leaves or enters a stage-1 GPU.
  MoeSpec spec = test::tiny_mixtral(4, 1, 1, 16);
  spec.placement = "contiguous";
  const ParallelLayout lay({.pp = 2, .dp = 4, .ep = 2}, std::vector<int32_t>(8, -1));
  const MoeLayers l = route_ep_groups(spec, lay, std::vector<uint32_t>(8, 0));
  REQUIRE(l.stats.size() == 4);
  for (const LayerStats& s : l.stats)
    CHECK(s.tokens == 4 * 16);
  for (uint32_t a = 0; a < 8; ++a)
    for (uint32_t b = 0; b < 8; ++b)
      if (lay.coord(a).pp == 1 || lay.coord(b).pp == 1) CHECK(l.traffic[0].at(a, b) == 0);
}
