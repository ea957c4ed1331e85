// Tests for trace statistics: load imbalance, CV, Zipf fit, top-10 % share, locality and the
// top-1 gate share on hand-made traces with values derived in comments; and the real Mixtral
// trace reproducing the figures of reference/traces.md §4.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>

#include "tests/trace_fixtures.hpp"
#include "workloads/trace_io.hpp"
#include "workloads/trace_stats.hpp"

namespace {

namespace wl = moesim::workload;

// 4 experts, top-2, one batch of 5 tokens whose top-1 experts run 0, 0, 1, 1, 1.
wl::Trace five_tokens() {
  wl::Trace t;
  t.shape = {4, 2, true, false};
  t.batches = {{0,
                0,
                2,
                {0, 1, 2, 3, 4},
                {0, 1, 0, 2, 1, 0, 1, 3, 1, 2},
                {0.75f, 0.25f, 0.5f, 0.5f, 0.8f, 0.2f, 0.6f, 0.4f, 0.9f, 0.1f},
                {}}};
  return t;
}

}  // namespace

TEST_CASE("workload::Trace: stats of a hand-made trace") {
  const wl::TraceStats st = wl::compute_stats(five_tokens());
  REQUIRE(st.layers.size() == 1);
  const wl::TraceLayerStats& l = st.layers[0];
  REQUIRE(l.tokens == 5);
  REQUIRE(l.selections == 10);
  // Loads: e0 in tokens 0,1,2 = 3; e1 in 0,2,3,4 = 4; e2 in 1,4 = 2; e3 in 3 = 1. Mean 2.5.
  // max/mean = 4 / 2.5 = 1.6. CV: deviations .5 1.5 -.5 -1.5, variance 5/4, sd 1.118, / 2.5
  // = 0.4472. Top-10 %: ceil(0.4) = 1 expert, 4 / 10 = 0.4.
  REQUIRE(l.max_over_mean == Approx(1.6));
  REQUIRE(l.cv == Approx(std::sqrt(1.25) / 2.5));
  REQUIRE(l.top10_share == Approx(0.4));
  REQUIRE(l.idle_experts == 0);
  // Zipf fit on sorted loads 4 3 2 1 at ranks 1..4: x = ln r = 0, .6931, 1.0986, 1.3863 and
  // y = ln c = the same values reversed; mean of x 0.7945, Sxx = 1.0842, Sxy = -1.0020, so
  // s = -Sxy / Sxx = 0.9242.
  REQUIRE(l.zipf_s == Approx(1.0020 / 1.0842).epsilon(1e-3));
  // Top-1 run 0 0 1 1 1: pairs (0,0) (0,1) (1,1) (1,1) -> 3 repeats of 4.
  REQUIRE(l.locality_pairs == 4);
  REQUIRE(*l.locality == Approx(0.75));
  // Top-1 shares .75 .5 .8 .6 .9: mean 0.71. p10 = the ceil(0.5) = 1st smallest = 0.5, p50 =
  // the 3rd = 0.75, p90 = the 5th = 0.9, each reported at the centre of its 1e-4 bin.
  REQUIRE(st.top1_share.has_value());
  REQUIRE(st.top1_share->tokens == 5);
  REQUIRE(st.top1_share->mean == Approx(0.71));
  REQUIRE(st.top1_share->p10 == Approx(0.5).margin(1e-4));
  REQUIRE(st.top1_share->p50 == Approx(0.75).margin(1e-4));
  REQUIRE(st.top1_share->p90 == Approx(0.9).margin(1e-4));
  REQUIRE(st.top1_share->mean_share_by_slot[1] == Approx(0.29));
}

TEST_CASE("workload::Trace: batch imbalance can exceed the imbalance of the sum") {
  // 2 experts, top-1. Iteration 0 sends both tokens to expert 0, iteration 1 both to expert 1:
  // each batch has max/mean 2 / 1 = 2, the summed loads [2, 2] have max/mean 1. Locality does
  // not cross batches: each batch has one pair and it repeats.
  wl::Trace t;
  t.shape = {2, 1, false, false};
  t.batches = {{0, 0, 1, {0, 1}, {0, 0}, {}, {}}, {1, 0, 1, {0, 1}, {1, 1}, {}, {}}};
  const wl::TraceLayerStats l = wl::compute_stats(t).layers.at(0);
  REQUIRE(l.batches == 2);
  REQUIRE(l.max_over_mean == Approx(1.0));
  REQUIRE(l.mean_batch_max_over_mean == Approx(2.0));
  REQUIRE(l.locality_pairs == 2);
  REQUIRE(*l.locality == Approx(1.0));
}

TEST_CASE("workload::Trace: the Zipf fit recovers an exact power law") {
  // 3600 / r for r = 1..6 is exactly Zipf with s = 1 (all integers); order does not matter.
  const std::vector<uint64_t> counts = {900, 3600, 600, 1800, 720, 1200};
  REQUIRE(wl::fit_zipf_exponent(counts) == Approx(1.0));
  // Uniform loads: slope 0. Idle experts are left out of the fit.
  REQUIRE(wl::fit_zipf_exponent(std::vector<uint64_t>{5, 5, 5, 0}) == Approx(0.0).margin(1e-12));
  REQUIRE(wl::fit_zipf_exponent(std::vector<uint64_t>{7, 0, 0}) == 0.0);
}

TEST_CASE("workload::Trace: stats of counts equal stats of the trace they came from") {
  const wl::Trace t = moesim::test::hand_trace();
  const wl::TraceStats from_trace = wl::compute_stats(t);
  const wl::TraceStats from_counts = wl::compute_stats(wl::count_experts(t));
  REQUIRE(from_trace.layers.size() == from_counts.layers.size());
  for (size_t i = 0; i < from_trace.layers.size(); ++i) {
    REQUIRE(from_trace.layers[i].max_over_mean == from_counts.layers[i].max_over_mean);
    REQUIRE(from_trace.layers[i].zipf_s == from_counts.layers[i].zipf_s);
    REQUIRE_FALSE(from_counts.layers[i].locality.has_value());
  }
  const std::string table = wl::format_stats_table(from_trace);
  REQUIRE_THAT(table, Catch::Matchers::Contains("max/mean"));
  REQUIRE_THAT(table, Catch::Matchers::Contains("median"));
  REQUIRE_THAT(table, Catch::Matchers::Contains("top-1 share"));
}

TEST_CASE("workload::Trace: the real Mixtral decode trace reproduces the reference statistics") {
  namespace fs = std::filesystem;
  const std::string dir = moesim::test::mario928_dir();
  // The data and tools the suite needs are installed in CI: missing is a failure.
  REQUIRE(fs::exists(dir));
  // reference/traces.md §4.1 and §4.4 on the Mario928 decode tokens (GSM8K and HumanEval,
  // about 580 tokens x 32 layers), given there to 2-3 digits: per-layer max/mean median 1.34,
  // Zipf s median 0.31, top-10 % share median 16.7 %, top-1 repeat median 0.25 (range
  // 0.117-0.320); top-1 gate share mean 0.707, median 0.698, p10 0.533, p90 0.895.
  wl::StatsAccumulator acc({8, 2, true, false});
  for (const char* name : {"gsm8k_2_routing.jsonl", "humaneval_2_routing.jsonl"}) {
    const auto reader = wl::open_jsonl_trace(dir + "/" + name, {8, 0});
    wl::Batch b;
    while (reader->next(b))
      acc.add(b);
  }
  const wl::TraceStats st = acc.result();
  std::vector<double> mm, zipf, top10, loc;
  for (const wl::TraceLayerStats& l : st.layers) {
    mm.push_back(l.max_over_mean);
    zipf.push_back(l.zipf_s);
    top10.push_back(l.top10_share);
    loc.push_back(*l.locality);
  }
  REQUIRE(st.layers.size() == 32);
  REQUIRE(wl::median_of(mm) == Approx(1.34).margin(0.005));
  REQUIRE(wl::median_of(zipf) == Approx(0.31).margin(0.005));
  REQUIRE(wl::median_of(top10) == Approx(0.167).margin(0.0005));
  REQUIRE(wl::median_of(loc) == Approx(0.25).margin(0.005));
  REQUIRE(*std::min_element(loc.begin(), loc.end()) == Approx(0.117).margin(0.0005));
  REQUIRE(*std::max_element(loc.begin(), loc.end()) == Approx(0.320).margin(0.0005));
  REQUIRE(st.top1_share->mean == Approx(0.707).margin(0.0005));
  REQUIRE(st.top1_share->p50 == Approx(0.698).margin(0.0006));
  REQUIRE(st.top1_share->p10 == Approx(0.533).margin(0.0006));
  REQUIRE(st.top1_share->p90 == Approx(0.895).margin(0.0006));
}
