// Counts-level MoE layers (--loads, workloads/moe_slots.hpp): slot counts per expert, without
// token identity, into dispatch traffic and expert rows, by hand; and the CLI's strict reading
// of the loads CSV (exit 2, one line naming file, line, field and value, nothing written).
#include <algorithm>
#include <fstream>
#include <vector>

#include <catch2/catch.hpp>

#include "tests/cli_util.hpp"
#include "workloads/moe_slots.hpp"

namespace wl = moesim::workload;
using namespace moesim::test;

namespace {

// 2 GPUs, experts 0, 1 native to GPU 0 and 2, 3 to GPU 1; slots {6, 2, 0, 4}, equal tokens:
// every expert's slots come half from each GPU (e0: 3 + 3, e1: 1 + 1, e3: 2 + 2).
const std::vector<uint64_t> kSlots = {6, 2, 0, 4};
const std::vector<uint64_t> kTokens = {3, 3};

wl::MoeRoutingConfig two_gpus(wl::Balancer b) {
  wl::MoeRoutingConfig c;
  c.num_gpus = 2;
  c.balancer = b;
  c.llep.alpha = 1.0;
  c.llep.min_tokens_per_gemm = 1;
  return c;
}

}  // namespace

TEST_CASE("workload::apportion: parts in proportion, summing to the total") {
  // Cumulative rounding: floor(7 x 1/3) = 2, floor(7 x 2/3) = 4, 7 -> parts 2, 2, 3.
  CHECK(wl::apportion(7, std::vector<uint64_t>{1, 1, 1}) == std::vector<uint64_t>{2, 2, 3});
  // Weights 1 and 3 of 8: floor(8 / 4) = 2, then 6.
  CHECK(wl::apportion(8, std::vector<uint64_t>{1, 3}) == std::vector<uint64_t>{2, 6});
  // All-zero weights are equal weights; a zero weight gets nothing.
  CHECK(wl::apportion(5, std::vector<uint64_t>{0, 0}) == std::vector<uint64_t>{2, 3});
  CHECK(wl::apportion(5, std::vector<uint64_t>{0, 2}) == std::vector<uint64_t>{0, 5});
  // No overflow at 2^63 - 1 slots over 2^32 - 1 tokens (128-bit products).
  const uint64_t big = INT64_MAX;
  const auto p = wl::apportion(big, std::vector<uint64_t>{UINT32_MAX, UINT32_MAX});
  CHECK(p[0] + p[1] == big);
  CHECK(p[0] == big / 2);
}

TEST_CASE("workload::route_layer_slots: plain EP sends every slot to the native GPU, by hand") {
  const wl::Placement p = wl::place_contiguous(1, 4, 2);
  const wl::RoutedLayer r =
      wl::route_layer_slots(kSlots, kTokens, p, 0, two_gpus(wl::Balancer::none));
  // GPU 0 keeps its halves of e0 and e1 (3 + 1) and sends its half of e3 (2) to GPU 1; GPU 1
  // sends 3 + 1 to GPU 0 and keeps 2. Every slot is a transfer (no deduplication by token).
  CHECK(r.traffic.tokens == std::vector<uint64_t>{4, 2, 4, 2});
  CHECK(r.traffic.expert_rows[0] == std::vector<uint64_t>{6, 2, 0, 0});
  CHECK(r.traffic.expert_rows[1] == std::vector<uint64_t>{0, 0, 0, 4});
  CHECK(r.stats.slots == 12);
  CHECK(r.stats.tokens == 6);
  CHECK(r.stats.local_tokens == 6);
  CHECK(r.stats.remote_tokens == 6);
  CHECK(r.stats.max_gpu_rows == 8);  // GPU 0: 6 + 2
  CHECK(r.stats.mean_gpu_rows == Approx(6.0));
  CHECK(r.stats.max_expert_rows == 6);
  // Hierarchical dispatch with each GPU its own server: without token identity nothing merges
  // per server either, so the server counts are the GPU counts.
  wl::MoeRoutingConfig c = two_gpus(wl::Balancer::none);
  c.server_of_gpu = {0, 1};
  c.num_servers = 2;
  CHECK(wl::route_layer_slots(kSlots, kTokens, p, 0, c).traffic.server_tokens ==
        std::vector<uint64_t>{4, 2, 4, 2});
}

TEST_CASE("workload::route_layer_slots: LLEP spills the excess of the hot expert, by hand") {
  const wl::Placement p = wl::place_contiguous(1, 4, 2);
  const wl::RoutedLayer r =
      wl::route_layer_slots(kSlots, kTokens, p, 0, two_gpus(wl::Balancer::llep));
  // cap = 12 / 2 = 6. e0 (6) first: GPU 0 still has e1's 2 pending, so it keeps e0's [0, 4)
  // and spills [4, 6) to GPU 1 (one weight transfer); e3 (4) and e1 (2) stay native. e0's
  // slots in rank order: GPU 0's 3 then GPU 1's 3, so [0, 4) is 3 from GPU 0 and 1 from GPU 1,
  // [4, 6) is GPU 1's last 2 (kept local). Traffic: 0->0 3 + 1 (e1), 0->1 2 (e3); 1->0 1 + 1
  // (e1), 1->1 2 (e0) + 2 (e3).
  CHECK(r.traffic.tokens == std::vector<uint64_t>{4, 2, 2, 4});
  CHECK(r.traffic.expert_rows[0] == std::vector<uint64_t>{4, 2, 0, 0});
  CHECK(r.traffic.expert_rows[1] == std::vector<uint64_t>{2, 0, 0, 4});
  CHECK(r.stats.weight_transfers == 1);
  CHECK(r.stats.max_gpu_rows == 6);
}

TEST_CASE("workload::route_layer_slots: replicas share a source's slots evenly") {
  // 2 GPUs x 2 slots for 3 experts: expert 0 in slots 0 and 2 (one on each GPU).
  const wl::Placement p = wl::make_placement({{0, 1, 0, 2}}, 3, 2);
  wl::MoeRoutingConfig c = two_gpus(wl::Balancer::none);
  const std::vector<uint64_t> slots = {8, 2, 2};
  const wl::RoutedLayer r = wl::route_layer_slots(slots, kTokens, p, 0, c);
  // Expert 0: 4 slots from each GPU, split 2 + 2 over its replicas, so each GPU computes 4 of
  // e0; e1 (1 + 1 slots) goes to GPU 0, e2 (1 + 1) to GPU 1.
  CHECK(r.traffic.expert_rows[0] == std::vector<uint64_t>{4, 2, 0});
  CHECK(r.traffic.expert_rows[1] == std::vector<uint64_t>{4, 0, 2});
  // GPU 0 -> GPU 1: 2 of e0 and 1 of e2; GPU 1 -> GPU 0: 2 of e0 and 1 of e1.
  CHECK(r.traffic.tokens == std::vector<uint64_t>{3, 3, 3, 3});
}

namespace {

// A 2-GPU server (one NVLink domain) with a 4-expert top-2 model of one layer.
const std::string kBase =
    "run --workload moe --leaves 1 --spines 1 --hosts-per-leaf 2 --gpus-per-server 2 "
    "--moe-model mixtral-8x7b --experts 4 --top-k 2 --moe-layers 1 --tokens-per-gpu 3 "
    "--model analytic --transport ecmp ";

void write(const TempDir& dir, const std::string& name, const std::string& text) {
  std::ofstream(dir.path / name) << text;
}

}  // namespace

TEST_CASE("cli::run --loads: the hand case end to end") {
  TempDir dir;
  write(dir, "l.csv", "layer,expert,slots\n0,0,6\n0,1,2\n0,2,0\n0,3,4\n");
  REQUIRE(run_moesim(dir, kBase + "--loads l.csv --detail layers --out o") == 0);
  const std::string csv = slurp(dir.path / "o" / "layers.csv");
  const auto lines = split(csv, '\n');
  REQUIRE(lines.size() == 2);
  const auto row = split(lines[1], ',');
  CHECK(row.at(column(lines[0], "max_gpu_rows")) == "8");
  CHECK(row.at(column(lines[0], "remote_tokens")) == "6");
  // The 6 remote slots cross NVLink in dispatch and again in combine, hidden 4096 x 2 B each:
  // 2 x 6 x 8192 = 98304 B.
  CHECK(row.at(column(lines[0], "nvlink_bytes")) == "98304");
  CHECK(slurp(dir.path / "stdout.txt").find("slot counts l.csv") != std::string::npos);
}

TEST_CASE("cli::run --loads: bad input exits 2 with one line and writes nothing") {
  const std::string good_rows = "0,0,6\n0,1,2\n0,2,0\n0,3,4\n";
  struct Case {
    std::string file, extra, message;
  };
  for (const Case& c : std::vector<Case>{
           {"layer,expert,count\n" + good_rows, "",
            "l.csv:1: header 'layer,expert,count': expected 'layer,expert,slots'"},
           {"layer,expert,slots\n0,0,6\n0,1,-2\n0,2,0\n0,3,4\n", "",
            "l.csv:3: field slots: value '-2': expected a token count"},
           {"layer,expert,slots\n0,0,6\n0,1,2.5\n0,2,0\n0,3,4\n", "",
            "l.csv:3: field slots: value '2.5'"},
           {"layer,expert,slots\n0,0,6\n0,x,2\n0,2,0\n0,3,4\n", "",
            "l.csv:3: field expert: value 'x': expected an expert index"},
           {"layer,expert,slots\n0,0,6\n0,1,2\n0,3,4\n", "", "l.csv: no row for layer 0 expert 2"},
           {"layer,expert,slots\n0,0,6\n0,1,2\n0,1,2\n0,2,0\n0,3,4\n", "",
            "l.csv:4: layer 0 expert 1 repeated (first at line 3)"},
           {"layer,expert,slots\n0,0,6\n0,1\n", "", "l.csv:3: 2 fields: expected 3"},
           {"layer,expert,slots\n0,0,9223372036854775807\n0,1,1\n0,2,0\n0,3,4\n", "",
            "l.csv:3: field slots: value '1': the counts sum past"},
           {"layer,expert,slots\n9,0,6\n", "", "l.csv:2: field layer: value '9'"},
           {"layer,expert,slots\n" + good_rows + "1,0,6\n1,1,2\n1,2,0\n1,3,4\n", "",
            "l.csv: 2 layers of 4 experts: expected the model's 1 layers (--moe-layers) of 4"},
           {"layer,expert,slots\n" + good_rows, "--balance alf", "--balance: 'alf' with --loads"},
           {"layer,expert,slots\n" + good_rows, "--capacity drop",
            "--capacity: 'drop' with --loads (slot counts, no tokens): expected dropless"},
           {"layer,expert,slots\n" + good_rows, "--replica nearest", "--replica: 'nearest'"},
           {"layer,expert,slots\n" + good_rows, "--trace t.jsonl",
            "expected one of --trace and --loads"},
       }) {
    INFO(c.file << c.extra);
    TempDir dir;
    write(dir, "l.csv", c.file);
    CHECK(run_moesim(dir, kBase + "--loads l.csv --out o " + c.extra) == 2);
    const std::string err = slurp(dir.path / "stderr.txt");
    INFO(err);
    CHECK(err.find(c.message) != std::string::npos);
    CHECK(std::count(err.begin(), err.end(), '\n') == 1);
    CHECK(!fs::exists(dir.path / "o"));
  }
  TempDir dir;
  CHECK(run_moesim(dir, kBase + "--loads missing.csv --out o") == 2);
  CHECK(slurp(dir.path / "stderr.txt").find("missing.csv: cannot open") != std::string::npos);
  CHECK(!fs::exists(dir.path / "o"));
}
