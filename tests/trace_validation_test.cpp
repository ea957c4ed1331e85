// Tests for the strict validation of the trace readers: one SECTION per rule, each checking
// that the InputError names file:line, the field and (where there is one) the bad value.
#include <catch2/catch.hpp>

#include <string>

#include "sim/core/error.hpp"
#include "tests/trace_fixtures.hpp"
#include "workloads/trace_io.hpp"

namespace {

namespace wl = moesim::workload;
using Catch::Matchers::Contains;
using moesim::InputError;
using moesim::test::TraceTempDir;

// Reads the whole file with 4 experts (k from the first token) and expects an InputError whose
// message contains every fragment.
void require_error(const std::string& path, std::initializer_list<std::string> fragments,
                   wl::TraceReadOptions opts = {4, 0}) {
  REQUIRE_THROWS_AS(wl::read_trace(path, opts), InputError);
  try {
    wl::read_trace(path, opts);
  } catch (const InputError& e) {
    for (const std::string& f : fragments)
      REQUIRE_THAT(e.what(), Contains(f));
  }
}

void require_counts_error(const std::string& path, std::initializer_list<std::string> fragments) {
  REQUIRE_THROWS_AS(wl::read_counts_csv(path, {4, {}}), InputError);
  try {
    wl::read_counts_csv(path, {4, {}});
  } catch (const InputError& e) {
    for (const std::string& f : fragments)
      REQUIRE_THAT(e.what(), Contains(f));
  }
}

constexpr const char* kHeader = "iteration,layer,token,rank,expert,weight\n";

}  // namespace

TEST_CASE("workload::Trace: the CSV reader rejects bad input naming file:line and field") {
  TraceTempDir dir;
  const auto csv = [&](const std::string& body) { return dir.write("t.csv", kHeader + body); };
  SECTION("expert id out of range") {
    // 4 experts: ids 0..3; line 3 is the second data row.
    require_error(csv("0,0,0,0,1,0.5\n0,0,0,0,4,0.5\n"),
                  {"t.csv:3:", "field 'expert'", "value '4'", "[0, 4)"});
  }
  SECTION("a token with more experts than the first token") {
    // Token 0 sets k = 2; token 1 has a third row at line 6.
    require_error(csv("0,0,0,0,1,0.5\n0,0,0,0,2,0.5\n0,0,1,0,1,0.5\n0,0,1,0,2,0.3\n"
                      "0,0,1,0,3,0.2\n"),
                  {"t.csv:6:", "field 'expert'", "value '3'", "2 rows for token 1"});
  }
  SECTION("a token with fewer experts than the first token") {
    // Token 1 has one row (line 4), then token 2 starts.
    require_error(csv("0,0,0,0,1,0.5\n0,0,0,0,2,0.5\n0,0,1,0,1,1\n0,0,2,0,1,0.5\n"),
                  {"t.csv:4:", "field 'expert'", "value '1 row(s)'", "2 rows for token 1"});
  }
  SECTION("a given top-k the file does not have") {
    require_error(csv("0,0,0,0,1,0.5\n0,0,0,0,2,0.5\n"), {"t.csv:3:", "field 'expert'"}, {4, 1});
  }
  SECTION("malformed number") {
    require_error(csv("0,x1,0,0,1,0.5\n"), {"t.csv:2:", "field 'layer'", "value 'x1'"});
  }
  SECTION("negative token") {
    require_error(csv("0,0,-1,0,1,0.5\n"), {"t.csv:2:", "field 'token'", "value '-1'"});
  }
  SECTION("weight that is not a finite number >= 0") {
    require_error(csv("0,0,0,0,1,nan\n"), {"t.csv:2:", "field 'weight'", "value 'nan'"});
    require_error(csv("0,0,0,0,1,-0.5\n"), {"t.csv:2:", "field 'weight'", "value '-0.5'"});
    require_error(csv("0,0,0,0,1,0.5x\n"), {"t.csv:2:", "field 'weight'", "value '0.5x'"});
  }
  SECTION("missing column in the header") {
    require_error(dir.write("t.csv", "iteration,layer,token,rank,weight\n0,0,0,0,0.5\n"),
                  {"t.csv:1:", "field 'expert'", "missing column"});
  }
  SECTION("unknown column in the header") {
    require_error(dir.write("t.csv", "iteration,layer,token,gpu,expert\n0,0,0,0,1\n"),
                  {"t.csv:1:", "field 'header'", "value 'gpu'"});
  }
  SECTION("a row missing its last field") {
    require_error(csv("0,0,0,0,1,0.5\n0,0,0,0,2\n"),
                  {"t.csv:3:", "field 'weight'", "5 fields, expected 6"});
  }
  SECTION("empty file") {
    require_error(dir.write("t.csv", "# only a comment\n"), {"t.csv", "no header"});
  }
  SECTION("iterations going backwards") {
    require_error(csv("1,0,0,0,1,1\n0,0,0,0,1,1\n"),
                  {"t.csv:3:", "field 'iteration'", "value '0'", "nondecreasing"});
  }
  SECTION("one batch in two runs") {
    require_error(csv("0,0,0,0,1,1\n0,1,0,0,1,1\n0,0,1,0,1,1\n"),
                  {"t.csv:4:", "field 'layer'", "value '0'", "contiguous"});
  }
  SECTION("token ids not increasing within a batch") {
    require_error(csv("0,0,5,0,1,1\n0,0,3,0,1,1\n"),
                  {"t.csv:3:", "field 'token'", "value '3'", "previous token is 5"});
  }
  SECTION("a token whose rows disagree on the rank") {
    require_error(csv("0,0,0,0,1,0.5\n0,0,0,1,2,0.5\n"), {"t.csv:3:", "field 'rank'", "value '1'"});
  }
  SECTION("a missing file") {
    REQUIRE_THROWS_WITH(wl::read_trace(dir.path("none.csv"), {4, 0}),
                        Contains("none.csv: cannot open"));
  }
  SECTION("zero experts") {
    REQUIRE_THROWS_AS(wl::read_trace(csv("0,0,0,0,1,1\n"), {0, 0}), InputError);
  }
}

TEST_CASE("workload::Trace: the JSONL reader rejects bad input naming file:line and field") {
  TraceTempDir dir;
  const std::string good = R"({"layer": 0, "experts": [1, 2], "gating_probs": [0.6, 0.4]})";
  const auto jsonl = [&](const std::string& second) {
    return dir.write("t.jsonl", good + "\n" + second + "\n");
  };
  SECTION("expert id out of range") {
    require_error(jsonl(R"({"layer": 0, "experts": [1, 7], "gating_probs": [0.6, 0.4]})"),
                  {"t.jsonl:2:", "field 'experts'", "value '7'", "[0, 4)"});
  }
  SECTION("a token with another number of experts") {
    require_error(jsonl(R"({"layer": 0, "experts": [1, 2, 3], "gating_probs": [0.6, 0.3, 0.1]})"),
                  {"t.jsonl:2:", "field 'experts'", "value '[1, 2, 3]'", "2 expert ids"});
  }
  SECTION("gate weights that do not match the experts") {
    require_error(jsonl(R"({"layer": 0, "experts": [1, 2], "gating_probs": [0.6]})"),
                  {"t.jsonl:2:", "field 'gating_probs'", "value '[0.6]'"});
  }
  SECTION("gate weights missing after the first record had them") {
    require_error(jsonl(R"({"layer": 1, "experts": [1, 2]})"),
                  {"t.jsonl:2:", "field 'gating_probs'", "missing"});
  }
  SECTION("missing layer") {
    require_error(jsonl(R"({"experts": [1, 2], "gating_probs": [0.6, 0.4]})"),
                  {"t.jsonl:2:", "field 'layer'", "missing"});
  }
  SECTION("a layer that is not a whole number") {
    require_error(jsonl(R"({"layer": 1.5, "experts": [1, 2], "gating_probs": [0.6, 0.4]})"),
                  {"t.jsonl:2:", "field 'layer'", "value '1.5'"});
  }
  SECTION("a layer given as a string") {
    require_error(jsonl(R"({"layer": "1", "experts": [1, 2], "gating_probs": [0.6, 0.4]})"),
                  {"t.jsonl:2:", "malformed JSON", "field 'layer'"});
  }
  SECTION("a key given twice") {
    require_error(jsonl(R"({"layer": 0, "layer": 1, "experts": [1, 2], "gating_probs": [1, 0]})"),
                  {"t.jsonl:2:", "field 'layer'", "twice"});
  }
  SECTION("malformed JSON") {
    require_error(jsonl(R"({"layer": 0, "experts": [1, 2], "gating_probs": [0.6, 0.4])"),
                  {"t.jsonl:2:", "malformed JSON", "to close the record"});
    require_error(jsonl(R"({"layer": 0, "experts": [1, 2] "gating_probs": [0.6, 0.4]})"),
                  {"t.jsonl:2:", "malformed JSON"});
    require_error(jsonl(good + " x"), {"t.jsonl:2:", "malformed JSON", "extra text"});
  }
  SECTION("a negative gate weight") {
    require_error(jsonl(R"({"layer": 0, "experts": [1, 2], "gating_probs": [1.2, -0.2]})"),
                  {"t.jsonl:2:", "field 'gating_probs'", "value '-0.2'"});
  }
}

TEST_CASE("workload::Trace: the counts reader rejects bad input naming file:line and field") {
  TraceTempDir dir;
  const auto counts = [&](const std::string& body) {
    return dir.write("c.csv", "iteration,layer,expert,count\n" + body);
  };
  SECTION("expert id out of range") {
    require_counts_error(counts("0,0,0,5\n0,0,4,1\n"),
                         {"c.csv:3:", "field 'expert'", "value '4'", "[0, 4)"});
  }
  SECTION("an expert twice in one batch") {
    require_counts_error(counts("0,0,1,5\n0,0,1,1\n"),
                         {"c.csv:3:", "field 'expert'", "value '1'", "one row per expert"});
  }
  SECTION("malformed count") {
    require_counts_error(counts("0,0,1,5.5\n"), {"c.csv:2:", "field 'count'", "value '5.5'"});
  }
  SECTION("missing column") {
    require_counts_error(dir.write("c.csv", "iteration,layer,expert\n0,0,1\n"),
                         {"c.csv:1:", "field 'count'", "missing column"});
  }
  SECTION("a row with too few fields") {
    require_counts_error(counts("0,0,1\n"), {"c.csv:2:", "3 fields, expected 4"});
  }
}

TEST_CASE("workload::Trace: the binary reader rejects bad input naming the batch and field") {
  TraceTempDir dir;
  wl::write_trace(dir.path("t.mtrace"), moesim::test::hand_trace());
  std::string bytes = moesim::test::read_text(dir.path("t.mtrace"));
  // Layout (trace_io.hpp): 24 header bytes; batch 0 has a 12-byte key, 3 token ids (12 bytes),
  // then 6 16-bit expert ids starting at byte 48.
  SECTION("expert id out of range") {
    bytes[48] = 9;  // first expert of batch 0 (little-endian low byte): 9 >= 4 experts
    require_error(dir.write("bad.mtrace", bytes),
                  {"bad.mtrace: batch 0", "field 'expert'", "value '9'", "[0, 4)"}, {0, 0});
  }
  SECTION("truncated file") {
    require_error(dir.write("bad.mtrace", bytes.substr(0, bytes.size() - 3)),
                  {"bad.mtrace: batch 3", "truncated"}, {0, 0});
  }
  SECTION("not a binary trace") {
    require_error(dir.write("bad.mtrace", "iteration,layer\n"), {"bad.mtrace", "MOETRACE"}, {0, 0});
  }
  SECTION("another expert count than given") {
    require_error(dir.path("t.mtrace"), {"field 'num_experts'", "value '4'", "expected 8"}, {8, 0});
  }
}
