// Tests for the router-trace readers and writers: byte-identical round trips between the long
// CSV, JSONL and counts forms; streaming gives the same counts as a whole read; the real
// Mixtral JSONL reproduces per-layer counts found by an independent pass; the real count files
// load with the totals their README states.
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "tests/trace_fixtures.hpp"
#include "workloads/trace.hpp"
#include "workloads/trace_gen.hpp"
#include "workloads/trace_io.hpp"

namespace {

namespace fs = std::filesystem;
namespace wl = moesim::workload;
using moesim::test::read_text;
using moesim::test::TraceTempDir;

}  // namespace

TEST_CASE("workload::Trace: CSV - JSONL - CSV round trip is byte-identical") {
  TraceTempDir dir;
  const wl::Trace hand = moesim::test::hand_trace();
  const wl::TraceReadOptions opts{4, 0};

  wl::write_trace(dir.path("a.csv"), hand);
  REQUIRE(read_text(dir.path("a.csv")) == moesim::test::hand_trace_csv());
  REQUIRE_FALSE(fs::exists(dir.path("a.csv.tmp")));  // renamed into place

  const wl::Trace from_csv = wl::read_trace(dir.path("a.csv"), opts);
  REQUIRE(from_csv == hand);

  wl::write_trace(dir.path("b.jsonl"), from_csv);
  const std::string jsonl = read_text(dir.path("b.jsonl"));
  // The first token of (iteration 0, layer 0), in the Mario928 key order plus iteration, rank.
  REQUIRE(jsonl.substr(0, jsonl.find('\n')) ==
          R"({"iteration": 0, "layer": 0, "experts": [0, 1], "gating_probs": [0.75, 0.25], )"
          R"("token_idx": 0, "rank": 0})");
  const wl::Trace from_jsonl = wl::read_trace(dir.path("b.jsonl"), opts);
  REQUIRE(from_jsonl == hand);

  wl::write_trace(dir.path("c.csv"), from_jsonl);
  REQUIRE(read_text(dir.path("c.csv")) == moesim::test::hand_trace_csv());
  wl::write_trace(dir.path("d.jsonl"), wl::read_trace(dir.path("c.csv"), opts));
  REQUIRE(read_text(dir.path("d.jsonl")) == jsonl);
}

TEST_CASE("workload::Trace: the binary form round trips and is compact") {
  TraceTempDir dir;
  const wl::Trace hand = moesim::test::hand_trace();
  wl::write_trace(dir.path("a.mtrace"), hand);
  // Header 8 + 4 x 4 bytes; per batch 12 bytes of key plus per token 4 (id) + 4 (rank) and per
  // slot 2 (16-bit expert id) + 4 (weight): 7 tokens and 14 slots over 4 batches.
  REQUIRE(fs::file_size(dir.path("a.mtrace")) == 24 + 4 * 12 + 7 * 8 + 14 * 6);
  const wl::Trace back = wl::read_trace(dir.path("a.mtrace"), {0, 0});  // shape from the header
  REQUIRE(back == hand);
  wl::write_trace(dir.path("b.mtrace"), back);
  REQUIRE(read_text(dir.path("b.mtrace")) == read_text(dir.path("a.mtrace")));
  wl::write_trace(dir.path("c.csv"), back);
  REQUIRE(read_text(dir.path("c.csv")) == moesim::test::hand_trace_csv());
}

TEST_CASE("workload::Trace: a trace without weights or ranks round trips") {
  TraceTempDir dir;
  wl::Trace t = moesim::test::hand_trace();
  t.shape.has_weights = t.shape.has_ranks = false;
  for (wl::Batch& b : t.batches) {
    b.weights.clear();
    b.ranks.clear();
  }
  wl::write_trace(dir.path("a.csv"), t);
  const std::string csv = read_text(dir.path("a.csv"));
  REQUIRE(csv.substr(0, csv.find('\n')) == "iteration,layer,token,expert");
  REQUIRE(wl::read_trace(dir.path("a.csv"), {4, 2}) == t);
  wl::write_trace(dir.path("b.jsonl"), t);
  REQUIRE(wl::read_trace(dir.path("b.jsonl"), {4, 2}) == t);
  wl::write_trace(dir.path("c.mtrace"), t);
  REQUIRE(wl::read_trace(dir.path("c.mtrace"), {4, 2}) == t);
}

TEST_CASE("workload::Trace: counts round trip - counted by hand") {
  TraceTempDir dir;
  const wl::ExpertCounts counts = wl::count_experts(moesim::test::hand_trace());
  // Every top-k slot counts once. (0,0): tokens {0,1} {2,3} {0,2} -> e0 2, e1 1, e2 2, e3 1.
  // (0,1): {3,1} {1,0} -> 1 2 0 1.  (1,0): {1,3} -> 0 1 0 1.  (1,1): {2,0} -> 1 0 1 0.
  const std::vector<wl::LayerCounts> expected = {
      {0, 0, {2, 1, 2, 1}}, {0, 1, {1, 2, 0, 1}}, {1, 0, {0, 1, 0, 1}}, {1, 1, {1, 0, 1, 0}}};
  REQUIRE(counts.num_experts == 4);
  REQUIRE(counts.entries == expected);

  wl::write_counts_csv(dir.path("c.csv"), counts);
  const std::string text = read_text(dir.path("c.csv"));
  REQUIRE(text.substr(0, text.find('\n', 30) + 1) == "iteration,layer,expert,count\n0,0,0,2\n");
  const wl::ExpertCounts back = wl::read_counts_csv(dir.path("c.csv"), {4, {}});
  REQUIRE(back == counts);
  wl::write_counts_csv(dir.path("d.csv"), back);
  REQUIRE(read_text(dir.path("d.csv")) == text);

  // Summed over the two iterations: layer 0 = [2,1,2,1] + [0,1,0,1].
  const wl::ExpertCounts per_layer = wl::sum_over_iterations(counts);
  REQUIRE(per_layer.entries.size() == 2);
  REQUIRE(per_layer.entries[0].counts == std::vector<uint64_t>{2, 2, 2, 2});
  REQUIRE(per_layer.entries[1].counts == std::vector<uint64_t>{2, 2, 1, 1});
}

TEST_CASE("workload::Trace: a counts file may omit zero rows and filter key columns") {
  TraceTempDir dir;
  const std::string path = dir.write("c.csv",
                                     "model,layer,expert,count\n"
                                     "a,0,1,5\n"
                                     "b,0,0,9\n"
                                     "a,0,3,2\n"
                                     "a,2,0,1\n");
  const wl::ExpertCounts c = wl::read_counts_csv(path, {4, {{"model", "a"}}});
  // No iteration column: iteration 0. Rows of model b are skipped; missing experts are 0.
  const std::vector<wl::LayerCounts> expected = {{0, 0, {0, 5, 0, 2}}, {0, 2, {1, 0, 0, 0}}};
  REQUIRE(c.entries == expected);
}

TEST_CASE("workload::Trace: streaming batch by batch gives the counts of a whole read") {
  TraceTempDir dir;
  // 3 iterations x 4 layers x 3000 tokens x top-2 = 72,000 CSV rows, about 1.3 MB: more than
  // the reader's 1 MiB buffer, so lines cross buffer refills.
  wl::TraceGenSpec spec = wl::mixtral_8x7b_spec();
  spec.num_layers = 4;
  spec.num_iterations = 3;
  spec.tokens_per_batch = 3000;
  spec.num_ranks = 8;
  const wl::Trace generated = wl::generate_trace(spec);
  const wl::ExpertCounts expected = wl::count_experts(generated);
  for (const std::string name : {"g.csv", "g.jsonl", "g.mtrace"}) {
    wl::write_trace(dir.path(name), generated);
    const auto reader = wl::open_trace(dir.path(name), {8, 0});
    REQUIRE(reader->shape() == generated.shape);
    wl::Batch b;
    std::vector<wl::LayerCounts> streamed;
    size_t max_tokens = 0;
    while (reader->next(b)) {
      streamed.push_back(wl::count_experts(b, 8));
      max_tokens = std::max(max_tokens, b.num_tokens());
    }
    REQUIRE(max_tokens == spec.tokens_per_batch);  // one batch at a time, never the whole trace
    REQUIRE(streamed == expected.entries);
    REQUIRE(wl::count_experts(wl::read_trace(dir.path(name), {8, 0})) == expected);
  }
}

namespace {

// Per-layer expert counts of a Mario928 routing file by a pass independent of the reader:
// sscanf on the fixed key order {"dataset": .., "problem_id": .., "layer": L, "experts": [a, b].
std::map<uint32_t, std::vector<uint64_t>> count_by_sscanf(const std::string& path, size_t& lines) {
  std::map<uint32_t, std::vector<uint64_t>> counts;
  std::ifstream in(path);
  std::string line;
  lines = 0;
  while (std::getline(in, line)) {
    const size_t at = line.find("\"layer\"");
    unsigned layer = 0, a = 0, b = 0;
    REQUIRE(std::sscanf(line.c_str() + at, "\"layer\": %u, \"experts\": [%u, %u]", &layer, &a,
                        &b) == 3);
    auto& c = counts[layer];
    c.resize(8);
    ++c.at(a);
    ++c.at(b);
    ++lines;
  }
  return counts;
}

}  // namespace

TEST_CASE("workload::Trace: the real Mixtral JSONL reproduces its per-layer expert counts") {
  // The data and tools the suite needs are installed in CI: missing is a failure.
  REQUIRE(fs::exists(moesim::test::mario928_dir()));
  // Record counts from data/traces/README.md: 7,889 and 10,779 (token, layer) records.
  const std::map<std::string, size_t> files = {{"gsm8k_2_routing.jsonl", 7889},
                                               {"humaneval_2_routing.jsonl", 10779}};
  for (const auto& [name, records] : files) {
    const std::string path = moesim::test::mario928_dir() + "/" + name;
    size_t lines = 0;
    const auto expected = count_by_sscanf(path, lines);
    REQUIRE(lines == records);

    const wl::Trace trace = wl::read_trace(path, {8, 0});
    REQUIRE(trace.shape == wl::TraceShape{8, 2, true, false});
    // One iteration per problem (2 problems per file), each with all 32 layers.
    REQUIRE(trace.batches.size() == 2 * 32);
    REQUIRE(trace.batches.back().iteration == 1);
    size_t tokens = 0;
    for (const wl::Batch& b : trace.batches)
      tokens += b.num_tokens();
    REQUIRE(tokens == records);

    const wl::ExpertCounts per_layer = wl::sum_over_iterations(wl::count_experts(trace));
    REQUIRE(per_layer.entries.size() == expected.size());
    for (const wl::LayerCounts& c : per_layer.entries)
      REQUIRE(c.counts == expected.at(c.layer));
  }
}

TEST_CASE("workload::Trace: the raw prefill-decode JSONL splits into passes") {
  // The data and tools the suite needs are installed in CI: missing is a failure.
  REQUIRE(fs::exists(moesim::test::mario928_dir()));
  const wl::Trace t = wl::read_trace(
      moesim::test::mario928_dir() + "/humaneval_p0_raw_prefill_decode.jsonl", {8, 0});
  // README: 135 prefill tokens then 83 decode steps, so 84 iterations; layer 0 of the
  // prefill pass keeps all 135 tokens (token_pos 0..134); a decode step has one token per layer.
  REQUIRE(t.batches.back().iteration == 83);
  REQUIRE(t.batches.front().iteration == 0);
  REQUIRE(t.batches.front().layer == 0);
  REQUIRE(t.batches.front().num_tokens() == 135);
  REQUIRE(t.batches.front().token_ids.back() == 134);
  size_t tokens = 0;
  for (const wl::Batch& b : t.batches) {
    tokens += b.num_tokens();
    if (b.iteration > 0) REQUIRE(b.num_tokens() == 1);
  }
  REQUIRE(tokens == 6777);  // README: 6,777 records
}

TEST_CASE("workload::Trace: the real count files load with their stated totals") {
  const std::string dir = moesim::test::traces_dir();
  // The data and tools the suite needs are installed in CI: missing is a failure.
  REQUIRE(fs::exists(dir));
  const auto layer_sums = [](const wl::ExpertCounts& c) {
    std::vector<uint64_t> sums;
    for (const wl::LayerCounts& e : c.entries) {
      uint64_t s = 0;
      for (const uint64_t x : e.counts)
        s += x;
      sums.push_back(s);
    }
    return sums;
  };
  SECTION("Mixtral 32 x 8 activation counts") {
    const wl::ExpertCounts c =
        wl::read_count_matrix_csv(dir +
                                  "/mixtral-8x7b_expert-activation-counts_abhibambhaniya/"
                                  "expert_activation_counts_32x8.csv");
    REQUIRE(c.num_experts == 8);
    // README: each layer sums to 119,010 = 59,505 tokens x top-2.
    REQUIRE(layer_sums(c) == std::vector<uint64_t>(32, 119010));
  }
  SECTION("Switch-base-128 expert usage") {
    const wl::ExpertCounts c = wl::read_expert_usage_json(
        dir + "/switch-base-128_expert-counts_cyanmishra92-specMoE/expert_statistics_3d.json");
    REQUIRE(c.num_experts == 128);
    // README: encoder MoE layers 1, 3, ..., 11, 206,866 tokens per layer, top-1.
    std::vector<uint32_t> layers;
    for (const wl::LayerCounts& e : c.entries)
      layers.push_back(e.layer);
    REQUIRE(layers == std::vector<uint32_t>{1, 3, 5, 7, 9, 11});
    REQUIRE(layer_sums(c) == std::vector<uint64_t>(6, 206866));
  }
  SECTION("OLMoE and Mixtral counts of the OLMoE repository") {
    const std::string path =
        dir + "/olmoe-1b-7b_and_mixtral-8x7b_expert-counts_allenai-OLMoE/expert_counts.csv";
    const auto load = [&](const char* model, uint32_t experts, const char* domain) {
      return wl::read_counts_csv(
          path, {experts, {{"model", model}, {"domain", domain}, {"selection", "topk"}}});
    };
    // README: 208,896 tokens per domain (tulu 205,243); OLMoE top-8, Mixtral top-2; layers
    // 0, 7, 15.
    const wl::ExpertCounts olmoe = load("olmoe", 64, "arxiv");
    REQUIRE(olmoe.entries.size() == 3);
    REQUIRE(olmoe.entries[1].layer == 7);
    REQUIRE(layer_sums(olmoe) == std::vector<uint64_t>(3, 208896 * 8));
    REQUIRE(layer_sums(load("olmoe", 64, "tulu")) == std::vector<uint64_t>(3, 205243 * 8));
    REQUIRE(layer_sums(load("mistral", 8, "github")) == std::vector<uint64_t>(3, 208896 * 2));
  }
}
