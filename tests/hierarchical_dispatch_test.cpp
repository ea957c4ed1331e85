// Hierarchical (DeepEP internode) dispatch and node-limited routing: --dispatch hierarchical,
// --max-nodes-per-token (workloads/layer_exchange.hpp, route_ep_groups).
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <utility>

#include "cli_util.hpp"
#include "moe_fixtures.hpp"
#include "sim/core/error.hpp"
#include "sim/core/options.hpp"
#include "workloads/layer_exchange.hpp"
#include "workloads/moe_pipeline.hpp"
#include "workloads/moe_routing.hpp"
#include "workloads/parallel_layout.hpp"
#include "workloads/placement.hpp"

using namespace moesim;
using namespace moesim::workload;

namespace {

// `n` GPUs in servers of `per` consecutive GPUs.
std::vector<int32_t> servers(uint32_t n, uint32_t per) {
  std::vector<int32_t> s(n);
  for (uint32_t g = 0; g < n; ++g)
    s[g] = static_cast<int32_t>(g / per);
  return s;
}

// An empty DAG on `n` hosts with tag 0.
Workload dag(uint32_t n) {
  Workload w(n);
  w.add_tag({.collective = "moe"});
  return w;
}

// Bytes of the flows that leave their source's server (what crosses a NIC).
uint64_t nic_bytes(const Workload& w, const ParallelLayout& l) {
  uint64_t out = 0;
  for (const DagNode& n : w.nodes())
    if (n.kind == NodeKind::Flow && l.server(n.src) != l.server(n.dst)) out += n.size.count;
  return out;
}

// Flow bytes by (src, dst), and the flows' ids.
std::map<std::pair<uint32_t, uint32_t>, uint64_t> pairs(const Workload& w) {
  std::map<std::pair<uint32_t, uint32_t>, uint64_t> out;
  for (const DagNode& n : w.nodes())
    if (n.kind == NodeKind::Flow) out[{n.src, n.dst}] += n.size.count;
  return out;
}

// A batch on 8 GPUs (2 servers of 4, contiguous placement: expert e on GPU e): token t starts
// on GPU t mod 8 and picks experts `pick(t)`.
template <class Pick>
RoutedLayer route(uint32_t tokens, Pick pick, bool by_server) {
  Batch b;
  b.top_k = 2;
  for (uint32_t t = 0; t < tokens; ++t) {
    b.token_ids.push_back(t);
    b.ranks.push_back(t % 8);
    const auto [x, y] = pick(t);
    b.experts.push_back(x);
    b.experts.push_back(y);
  }
  MoeRoutingConfig c;
  c.num_gpus = 8;
  if (by_server) {
    c.server_of_gpu = {0, 0, 0, 0, 1, 1, 1, 1};
    c.num_servers = 2;
  }
  return route_layer(b, place_contiguous(1, 8, 8), 0, c);
}

}  // namespace

TEST_CASE(
    "workload::add_exchange: hierarchical sends a token once per remote server, to the "
    "GPU of its rail there, which relays it over NVLink") {
  // GPUs 0, 1 on server 0 and 2, 3 on server 1. GPU 0 sends 2 tokens to GPU 1, 3 to GPU 2 and
  // 5 to GPU 3, 2 of them to both 2 and 3: 6 distinct tokens to server 1. GPU 1 sends 4 tokens
  // to GPU 3 only. 10 bytes per token.
  const ParallelLayout l({.dp = 4, .ep = 4}, servers(4, 2));
  LayerTraffic lt;
  lt.num_gpus = 4;
  lt.tokens.assign(16, 0);
  lt.tokens[0 * 4 + 1] = 2;
  lt.tokens[0 * 4 + 2] = 3;
  lt.tokens[0 * 4 + 3] = 5;
  lt.tokens[1 * 4 + 3] = 4;
  lt.num_servers = 2;
  lt.server_tokens.assign(8, 0);
  lt.server_tokens[0 * 2 + 0] = 2;  // GPU 0 -> its own server (GPU 1): not relayed
  lt.server_tokens[0 * 2 + 1] = 6;
  lt.server_tokens[1 * 2 + 1] = 4;
  const std::vector<uint32_t> gpus = {0, 1, 2, 3};

  SECTION("dispatch") {
    // GPU 0 is first on its server: its relay is GPU 2, first on server 1; GPU 1's is GPU 3.
    // Flows: 0 -> 1 NVLink 20 B; 0 -> 2 network 6 x 10 = 60 B, then 2 -> 3 NVLink 50 B after
    // it; 1 -> 3 network 40 B, straight to its destination. NIC bytes 100 against direct's
    // (3 + 5 + 4) x 10 = 120.
    Workload w = dag(4);
    const auto flows = add_exchange(w, lt, gpus, 10, false, 0, Dispatch::hierarchical, &l);
    w.finalize();
    CHECK(pairs(w) == std::map<std::pair<uint32_t, uint32_t>, uint64_t>{
                          {{0, 1}, 20}, {{0, 2}, 60}, {{2, 3}, 50}, {{1, 3}, 40}});
    CHECK(nic_bytes(w, l) == 100);
    Workload d = dag(4);
    add_exchange(d, lt, gpus, 10, false, 0);
    d.finalize();
    CHECK(nic_bytes(d, l) == 120);
    for (const ExchangeFlow& f : flows) {
      INFO(f.src << " -> " << f.dst);
      // The relay hop leaves after the network flow, not with GPU 2's own data; GPU 2 holds
      // tokens of GPU 0, so it waits for the network flow too.
      CHECK(f.entry == !(f.src == 2 && f.dst == 3));
      CHECK(f.exit);
      if (f.src == 0 && f.dst == 2) {
        REQUIRE(w.successors(f.id).size() == 1);
        CHECK(w.node(w.successors(f.id)[0]).src == 2);
        CHECK(w.node(w.successors(f.id)[0]).dst == 3);
      }
    }
  }
  SECTION("combine mirrors it") {
    // 3 -> 2 NVLink (GPU 3's outputs of GPU 0's tokens), then 2 -> 0 once, 60 B, after it and
    // after GPU 2's own experts (entry); 3 -> 1 and 1 -> 0 direct.
    Workload w = dag(4);
    const auto flows = add_exchange(w, lt, gpus, 10, true, 0, Dispatch::hierarchical, &l);
    w.finalize();
    CHECK(pairs(w) == std::map<std::pair<uint32_t, uint32_t>, uint64_t>{
                          {{1, 0}, 20}, {{2, 0}, 60}, {{3, 2}, 50}, {{3, 1}, 40}});
    for (const ExchangeFlow& f : flows) {
      INFO(f.src << " -> " << f.dst);
      CHECK(f.entry);
      CHECK(f.exit == !(f.src == 3 && f.dst == 2));
      if (f.src == 3 && f.dst == 2) {
        REQUIRE(w.successors(f.id).size() == 1);
        CHECK(w.node(w.successors(f.id)[0]).dst == 0);
      }
    }
  }
}

TEST_CASE(
    "workload::add_exchange: hierarchical never sends more NIC bytes than direct, and "
    "the same when a token's experts sit on distinct servers") {
  const ParallelLayout l({.dp = 8, .ep = 8}, servers(8, 4));
  const std::vector<uint32_t> gpus = {0, 1, 2, 3, 4, 5, 6, 7};
  const auto both = [&](const LayerTraffic& lt) {
    Workload d = dag(8), h = dag(8);
    add_exchange(d, lt, gpus, 1, false, 0);
    add_exchange(h, lt, gpus, 1, false, 0, Dispatch::hierarchical, &l);
    return std::pair{nic_bytes(d, l), nic_bytes(h, l)};
  };
  SECTION("experts e and e + 4: one per server") {
    // Every remote token reaches one GPU on the other server: the same bytes either way.
    // Direct: a token of GPU g picks (t mod 4, t mod 4 + 4); one of them is on the other
    // server, so 1 token per token crosses: 64 tokens -> 64 B.
    const RoutedLayer r = route(
        64,
        [](uint32_t t) {
          return std::pair{t % 4, t % 4 + 4};
        },
        true);
    const auto [d, h] = both(r.traffic);
    CHECK(d == 64);
    CHECK(h == d);
  }
  SECTION("experts 2j and 2j + 1: both on one server") {
    // Token t picks experts 2j, 2j + 1 with j = (t / 8) mod 4: both on server j / 2. A token
    // of a GPU on the other server crosses twice directly, once hierarchically. Of the 64
    // tokens (8 per j-and-source pattern), half start on the other server: direct 32 x 2 =
    // 64 B, hierarchical 32 B.
    const RoutedLayer r = route(
        64,
        [](uint32_t t) {
          return std::pair{2 * ((t / 8) % 4), 2 * ((t / 8) % 4) + 1};
        },
        true);
    const auto [d, h] = both(r.traffic);
    CHECK(d == 64);
    CHECK(h == 32);
  }
  SECTION("random picks") {
    // Whatever the picks, a relayed token crosses once per server instead of once per GPU.
    for (uint32_t seed = 1; seed <= 20; ++seed) {
      const RoutedLayer r = route(
          256,
          [seed](uint32_t t) {
            const uint32_t x = (t * 7 + seed * 13) % 8, y = (x + 1 + (t * seed) % 7) % 8;
            return std::pair{x, y};
          },
          true);
      const auto [d, h] = both(r.traffic);
      INFO("seed " << seed);
      CHECK(h <= d);
    }
  }
}

TEST_CASE("workload::route_ep_groups: --max-nodes-per-token limits the servers of a token") {
  // DeepSeek-V3's router (256 experts, top-8) on 16 GPUs in 4 servers of 4, one EP group. The
  // sum over servers of server_tokens(a, S) counts each token once per server it reaches:
  // with K = 1 exactly the tokens a routes (32 per layer); with K = 2 at most twice that. The
  // unlimited router spreads 8 experts over ~3.6 of 4 servers on average: above 2x.
  const ParallelLayout l({.dp = 16, .ep = 16}, servers(16, 4));
  MoeSpec s;
  const MoePreset& preset = find_moe_preset("deepseek-v3", "test");
  s.shape = preset.shape;
  s.shape.layers = 2;
  s.generator = preset.generator();
  s.generator.num_layers = 2;
  s.tokens_per_gpu = 32;
  s.placement = "auto";
  s.dispatch = Dispatch::hierarchical;
  const auto per_token_servers = [&](uint32_t k) {
    s.max_nodes_per_token = k;
    const MoeLayers m = route_ep_groups(s, l, std::vector<uint32_t>(16, 0));
    uint64_t reached = 0, tokens = 0;
    for (const LayerTraffic& lt : m.traffic) {
      REQUIRE(lt.num_servers == 4);
      for (uint32_t a = 0; a < 16; ++a)
        for (uint32_t v = 0; v < 4; ++v)
          reached += lt.at_server(a, v);
      tokens += 16 * 32;
    }
    return static_cast<double>(reached) / static_cast<double>(tokens);
  };
  CHECK(per_token_servers(1) == 1.0);
  const double two = per_token_servers(2);
  CHECK(two > 1.0);
  CHECK(two <= 2.0);
  CHECK(per_token_servers(0) > 2.0);
  // An EP group of 6 over servers of 4 has 4 GPUs on one server and 2 on the next: expert
  // groups of equal size cannot be its servers' experts.
  const ParallelLayout uneven({.dp = 12, .ep = 6}, servers(12, 4));
  s.max_nodes_per_token = 1;
  CHECK_THROWS_AS(route_ep_groups(s, uneven, std::vector<uint32_t>(12, 0)), FieldError);
  s.max_nodes_per_token = 5;  // more than the 4 servers
  CHECK_THROWS_AS(route_ep_groups(s, l, std::vector<uint32_t>(16, 0)), FieldError);
}

TEST_CASE("cli::run: --dispatch hierarchical runs and cuts NIC bytes - bad values exit 2") {
  test::TempDir dir;
  // 8 GPUs in 4 servers of 2; DeepSeek-V3's 256 experts, 32 per GPU.
  const std::string net =
      "run --workload moe --moe-layers 2 --tokens-per-gpu 32 --leaves 2 --hosts-per-leaf 4 "
      "--spines 2 --gpus-per-server 2 --model fluid --transport ecmp ";
  const std::string base = net + "--moe-model deepseek-v3 ";
  REQUIRE(test::run_moesim(dir, base + "--out d") == 0);
  REQUIRE(test::run_moesim(dir, base + "--dispatch hierarchical --out h") == 0);
  REQUIRE(test::run_moesim(dir, base + "--dispatch hierarchical --step train --micro-batches 2 "
                                       "--max-nodes-per-token 2 --out t") == 0);
  const auto nic = [&](const char* out) {
    return test::column_sum(test::slurp(dir.path / out / "results.csv"), "nic_bytes");
  };
  // Top-8 over 4 servers: most tokens reach two GPUs of some server, which a relay serves
  // with one crossing.
  CHECK(nic("h") < nic("d"));
  CHECK(nic("t") > 0);
  const std::string trace = std::string(MOESIM_SHARED_DATA) +
                            "/traces/mixtral-8x7b_vllm_Mario928-speculative-moe/"
                            "humaneval_p0_raw_prefill_decode.jsonl";
  for (const auto& [bad, option] : std::vector<std::pair<std::string, std::string>>{
           {base + "--dispatch mesh", "--dispatch"},
           {base + "--max-nodes-per-token 0", "--max-nodes-per-token"},
           {base + "--max-nodes-per-token 5", "--max-nodes-per-token"},
           {net + "--moe-model mixtral-8x7b --max-nodes-per-token 2", "--max-nodes-per-token"},
           {net + "--max-nodes-per-token 2 --trace " + trace, "--max-nodes-per-token"}}) {
    INFO(bad);
    CHECK(test::run_moesim(dir, bad + " --out b") == 2);
    CHECK(!test::fs::exists(dir.path / "b"));
    const std::string err = test::slurp(dir.path / "stderr.txt");
    CHECK(err.find(option) != std::string::npos);
    CHECK(err.find('\n') == err.size() - 1);  // one line
  }
}
