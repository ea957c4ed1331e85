// Tests for the local routing consistency metrics SRP and SCH (workloads/trace_segments.hpp):
// a hand-built trace with the answers derived in comments, a brute-force recomputation on the
// real Mixtral trace, and `moesim trace stats` writing them as CSV and refusing bad options.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "tests/cli_util.hpp"
#include "tests/trace_fixtures.hpp"
#include "workloads/trace_io.hpp"
#include "workloads/trace_segments.hpp"
#include "workloads/trace_stats.hpp"

namespace {

namespace wl = moesim::workload;
namespace fs = std::filesystem;

// 4 experts, top-2, layer 0: one batch of 4 tokens choosing {0,1} {0,1} {0,2} {2,3}.
wl::Trace four_tokens() {
  wl::Trace t;
  t.shape = {4, 2, false, false};
  t.batches = {{0, 0, 2, {0, 1, 2, 3}, {0, 1, 0, 1, 0, 2, 2, 3}, {}, {}}};
  return t;
}

wl::SegmentStats layer0(const wl::Trace& t, wl::SegmentOptions o) {
  wl::SegmentAccumulator acc(t.shape, o);
  for (const wl::Batch& b : t.batches)
    acc.add(b);
  return acc.layers().at(0);
}

}  // namespace

TEST_CASE("workload::SegmentAccumulator: SRP and SCH on a hand-built trace with known answers") {
  const wl::Trace t = four_tokens();
  SECTION("m = 2, every window") {
    // Windows (t0,t1) (t1,t2) (t2,t3): counts {e0 2, e1 2}, {e0 2, e1 1, e2 1},
    // {e0 1, e2 2, e3 1}. A = 3 windows x 2 tokens x 2 = 12. Pairs with count 2: 4, with 1:
    // 4, with 0: 3 x 4 - 8 = 4.
    // t = 2: M = 8, P = 2 x 4 = 8, F1 = 16 / 20 = 0.8.
    // t = 1: M = 12, P = 2 x 8 = 16, F1 = 24 / 28 = 6/7 (the best).
    // t = 0: M = 12, P = 2 x 12 = 24, F1 = 24 / 36.
    const wl::SegmentStats s = layer0(t, {2, 1, 1});
    CHECK(s.segments == 3);
    CHECK(s.activations == 12);
    CHECK(s.srp == Approx(6.0 / 7.0));
    CHECK(s.srp_threshold == 1);
    CHECK(s.srp_group == Approx(8.0 / 3.0));
    // C = 1: the top expert of each window holds 2, 2, 2 -> 6 / 12.
    CHECK(s.sch == Approx(0.5));
    // C = 2: 2+2, 2+1, 2+1 -> 10 / 12. C = 3 covers every window's experts -> 1.
    CHECK(layer0(t, {2, 1, 2}).sch == Approx(10.0 / 12.0));
    CHECK(layer0(t, {2, 1, 3}).sch == Approx(1.0));
    CHECK(layer0(t, {2, 1, 4}).sch == Approx(1.0));
  }
  SECTION("m = 2, disjoint segments (stride 2)") {
    // Segments (t0,t1) and (t2,t3): A = 8; count-2 pairs 3, count-1 pairs 2, idle 8 - 5 = 3.
    // t = 2: M = 6, P = 6, F1 = 12 / 14. t = 1: M = 8, P = 10, F1 = 16 / 18 = 8/9 (best).
    const wl::SegmentStats s = layer0(t, {2, 2, 2});
    CHECK(s.segments == 2);
    CHECK(s.srp == Approx(8.0 / 9.0));
    CHECK(s.srp_threshold == 1);
    CHECK(s.srp_group == Approx(2.5));
    // C = 2: 2+2 and 2+1 -> 7 / 8.
    CHECK(s.sch == Approx(7.0 / 8.0));
  }
  SECTION("m = 4: one window") {
    // Counts e0 3, e1 2, e2 2, e3 1; A = 8. t = 3: M = 3, P = 4, F1 = 6/12. t = 2: M = 7,
    // P = 12, F1 = 14 / 20 = 0.7 (best). t = 1 and 0: M = 8, P = 16, F1 = 16 / 24.
    const wl::SegmentStats s = layer0(t, {4, 1, 2});
    CHECK(s.segments == 1);
    CHECK(s.srp == Approx(0.7));
    CHECK(s.srp_threshold == 2);
    CHECK(s.srp_group == Approx(3.0));
    CHECK(s.sch == Approx(5.0 / 8.0));  // 3 + 2
  }
  SECTION("m = 1: each token is its own segment, so its own experts fit it exactly") {
    // t = 1: M = P = A = 8, F1 = 1. C = 2 = k holds a token's experts; C = 1 half of them.
    const wl::SegmentStats s = layer0(t, {1, 1, 2});
    CHECK(s.srp == Approx(1.0));
    CHECK(s.srp_threshold == 1);
    CHECK(s.sch == Approx(1.0));
    CHECK(layer0(t, {1, 1, 1}).sch == Approx(0.5));
  }
  SECTION("segments longer than the batch, or across batches, do not exist") {
    const wl::SegmentStats s = layer0(t, {5, 1, 2});
    CHECK(s.segments == 0);
    CHECK(std::isnan(s.srp));
    CHECK(std::isnan(s.sch));
    // Two batches (iterations) of one token each: no window of 2 spans them.
    wl::Trace two;
    two.shape = {4, 2, false, false};
    two.batches = {{0, 0, 2, {0}, {0, 1}, {}, {}}, {1, 0, 2, {0}, {0, 1}, {}, {}}};
    CHECK(layer0(two, {2, 1, 2}).segments == 0);
  }
  SECTION("pooled over layers: one threshold for all") {
    // Layer 1: 3 tokens all {0,1}: 2 windows of {e0 2, e1 2}; A = 8. No pair has count 1, so
    // t = 2 and t = 1 both give M = P = 8, F1 = 1: the tie goes to the smaller t, 1.
    // Pooled with layer 0 (m = 2): count-2 pairs 8, count-1 4, idle 20 - 12 = 8, A = 20.
    // t = 2: M = 16, P = 16, F1 = 32 / 36. t = 1: M = 20, P = 24, F1 = 40 / 44 = 10/11.
    wl::Trace both = four_tokens();
    both.batches.push_back({0, 1, 2, {0, 1, 2}, {0, 1, 0, 1, 0, 1}, {}, {}});
    wl::SegmentAccumulator acc(both.shape, {2, 1, 2});
    for (const wl::Batch& b : both.batches)
      acc.add(b);
    CHECK(acc.layers().at(1).srp == Approx(1.0));
    CHECK(acc.layers().at(1).srp_threshold == 1);
    const wl::SegmentStats p = acc.pooled();
    CHECK(p.segments == 5);
    CHECK(p.srp == Approx(10.0 / 11.0));
    CHECK(p.srp_threshold == 1);
    CHECK(p.sch == Approx(18.0 / 20.0));  // layer 0: 10, layer 1: 4 + 4
  }
}

TEST_CASE("workload::Trace: stats table and CSV carry SRP and SCH when asked") {
  const wl::Trace t = four_tokens();
  wl::MemoryTraceReader reader(t);
  const wl::TraceStats st = wl::compute_stats(reader, wl::SegmentOptions{2, 1, 2});
  REQUIRE(st.layers.at(0).segments.has_value());
  const std::string table = wl::format_stats_table(st);
  CHECK_THAT(table, Catch::Matchers::Contains("SRP"));
  CHECK_THAT(table, Catch::Matchers::Contains("SRP 0.857 (threshold 1"));
  const std::string csv = wl::format_stats_csv(st);
  const auto lines = moesim::test::split(csv, '\n');
  REQUIRE(lines.size() == 3);  // header, layer 0, all
  const size_t srp = moesim::test::column(lines[0], "srp");
  CHECK(std::stod(moesim::test::split(lines[1], ',').at(srp)) == Approx(6.0 / 7.0));
  CHECK(moesim::test::split(lines[2], ',').at(0) == "all");
  // Without segment options: no SRP column.
  const wl::TraceStats plain = wl::compute_stats(t);
  CHECK(wl::format_stats_csv(plain).find("srp") == std::string::npos);
}

namespace {

// SRP and SCH of one layer's batches by brute force: every window counted afresh.
wl::SegmentStats brute_force(const std::vector<wl::Batch>& batches, uint32_t num_experts,
                             wl::SegmentOptions o) {
  std::vector<std::vector<uint32_t>> windows;  // a(s, e) per segment
  uint64_t activations = 0;
  for (const wl::Batch& b : batches) {
    for (size_t start = 0; start + o.tokens <= b.num_tokens(); start += o.stride) {
      std::vector<uint32_t> a(num_experts, 0);
      for (size_t i = start; i < start + o.tokens; ++i) {
        for (const uint32_t e : b.experts_of(i))
          ++a[e];
      }
      activations += static_cast<uint64_t>(o.tokens) * b.top_k;
      windows.push_back(a);
    }
  }
  wl::SegmentStats s{windows.size(), activations, NAN, 0, NAN, NAN};
  if (windows.empty()) return s;
  double best = -1, hits = 0;
  for (uint32_t t = 0; t <= o.tokens; ++t) {
    double covered = 0, group = 0;
    for (const auto& a : windows) {
      for (const uint32_t c : a) {
        if (c >= t) covered += c, group += 1;
      }
    }
    const double f1 = 2 * covered / (o.tokens * group + static_cast<double>(activations));
    if (f1 > best) best = f1, s.srp_threshold = t;
  }
  for (auto a : windows) {
    std::sort(a.begin(), a.end(), std::greater<>());
    for (uint32_t i = 0; i < o.cache_experts; ++i)
      hits += a[i];
  }
  s.srp = best;
  s.sch = hits / static_cast<double>(activations);
  return s;
}

}  // namespace

TEST_CASE("workload::SegmentAccumulator: the real Mixtral trace agrees with brute force") {
  const std::string path = moesim::test::mario928_dir() + "/humaneval_2_routing.jsonl";
  // The shared data is read from ../shared/data, never copied; a missing file fails the test.
  REQUIRE(fs::exists(path));
  const wl::Trace t = wl::read_trace(path, {8, 0});
  std::map<uint32_t, std::vector<wl::Batch>> by_layer;
  for (const wl::Batch& b : t.batches)
    by_layer[b.layer].push_back(b);
  REQUIRE(by_layer.size() == 32);
  for (const wl::SegmentOptions o :
       {wl::SegmentOptions{16, 1, 4}, wl::SegmentOptions{8, 8, 3}, wl::SegmentOptions{1, 1, 2}}) {
    wl::SegmentAccumulator acc(t.shape, o);
    for (const wl::Batch& b : t.batches)
      acc.add(b);
    const auto layers = acc.layers();
    for (const auto& [layer, batches] : by_layer) {
      const wl::SegmentStats want = brute_force(batches, 8, o);
      const wl::SegmentStats got = layers.at(layer);
      INFO("layer " << layer << ", m " << o.tokens << ", stride " << o.stride);
      REQUIRE(want.segments > 0);
      CHECK(got.segments == want.segments);
      CHECK(got.srp == Approx(want.srp));
      CHECK(got.srp_threshold == want.srp_threshold);
      CHECK(got.sch == Approx(want.sch));
      // A one-token segment is its token's own 2 experts: SRP = 1, and SCH = 1 with C = 2.
      if (o.tokens == 1) CHECK(got.srp == Approx(1.0));
      if (o.tokens == 1) CHECK(got.sch == Approx(1.0));
      // SRP is at least F1 at t = 0 (all 8 experts): 2k / (E + k) = 4 / 10.
      CHECK(got.srp >= 0.4);
      CHECK(got.srp <= 1.0);
      CHECK(got.sch <= 1.0);
    }
  }
}

TEST_CASE("cli::trace: stats writes SRP and SCH per layer and pooled, and a full cache hits") {
  const std::string path = moesim::test::mario928_dir() + "/gsm8k_2_routing.jsonl";
  // The shared data is read from ../shared/data, never copied; a missing file fails the test.
  REQUIRE(fs::exists(path));
  moesim::test::TempDir dir;
  using moesim::test::column;
  using moesim::test::split;
  const auto sch_of = [&](const std::string& args) {
    REQUIRE(moesim::test::run_moesim(
                dir, "trace stats '" + path + "' --moe-model mixtral-8x7b " + args) == 0);
    const auto lines = split(moesim::test::slurp(dir.path / "s.csv"), '\n');
    fs::remove(dir.path / "s.csv");
    REQUIRE(lines.size() == 34);  // header, 32 layers, all
    std::vector<double> sch;
    for (size_t i = 1; i < lines.size(); ++i)
      sch.push_back(std::stod(split(lines[i], ',').at(column(lines[0], "sch"))));
    return sch;
  };
  // A cache of all 8 experts holds every segment's experts.
  for (const double v : sch_of("--cache-experts 8 --out s.csv"))
    CHECK(v == 1.0);
  // A bigger cache never hits less (the C most-used experts include the C - 1 most-used).
  const std::vector<double> c2 = sch_of("--cache-experts 2 --out s.csv");
  const std::vector<double> c4 = sch_of("--out s.csv");  // auto: 2 x top-2 = 4
  for (size_t i = 0; i < c2.size(); ++i) {
    CHECK(c2[i] <= c4[i]);
    CHECK(c4[i] < 1.0);  // Mixtral's decode tokens spread over more than 4 experts per 16
  }
  CHECK_THAT(moesim::test::slurp(dir.path / "stdout.txt"),
             Catch::Matchers::Contains("segments of m = 16 tokens (stride 1)"));
}

TEST_CASE("cli::trace: stats refuses a bad segment length or cache size") {
  using moesim::test::split;
  moesim::test::TempDir dir;
  std::ofstream(dir.path / "t.csv") << moesim::test::hand_trace_csv();
  for (const std::string& bad :
       std::vector<std::string>{"--cache-experts 0", "--cache-experts 5", "--segment-tokens 0",
                                "--segment-stride 0", "--cache-experts many"}) {
    INFO(bad);
    CHECK(moesim::test::run_moesim(dir, "trace stats t.csv --experts 4 --out s.csv " + bad) == 2);
    const std::string err = moesim::test::slurp(dir.path / "stderr.txt");
    CHECK(std::count(err.begin(), err.end(), '\n') == 1);
    const std::string option = split(bad, ' ').at(0);
    CHECK_THAT(err, Catch::Matchers::Contains(option));
    CHECK(!fs::exists(dir.path / "s.csv"));
  }
  CHECK_THAT(moesim::test::slurp(dir.path / "stderr.txt"), Catch::Matchers::Contains("many"));
  CHECK(moesim::test::run_moesim(dir, "trace stats t.csv --experts 4 --cache-experts 5") == 2);
  CHECK_THAT(moesim::test::slurp(dir.path / "stderr.txt"),
             Catch::Matchers::Contains("'5': expected 1..4"));
  // Good options write the CSV; a second run refuses to overwrite it.
  CHECK(moesim::test::run_moesim(dir,
                                 "trace stats t.csv --experts 4 --segment-tokens 1 --out "
                                 "s.csv") == 0);
  CHECK(moesim::test::run_moesim(dir, "trace stats t.csv --experts 4 --out s.csv") == 2);
}
