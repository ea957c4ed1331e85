// Hardening of the trace and counts readers against hostile files: counts in a header that
// would make the reader allocate gigabytes, excerpts of file text that would break the
// one-line error rule, a UTF-8 byte-order mark, and sums of counts that would wrap.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>

#include "sim/core/error.hpp"
#include "tests/input_error.hpp"
#include "tests/trace_fixtures.hpp"
#include "workloads/trace_io.hpp"

namespace {

namespace wl = moesim::workload;
using Catch::Matchers::Contains;
using moesim::InputError;
using moesim::test::input_error;
using moesim::test::TraceTempDir;

// The .mtrace header (trace_io.hpp): "MOETRACE", u32 version, num_experts, top_k, flags.
std::string mtrace_header(uint32_t num_experts, uint32_t top_k, uint32_t flags = 0) {
  std::string s = "MOETRACE";
  for (const uint32_t v : {uint32_t{1}, num_experts, top_k, flags})
    s.append(reinterpret_cast<const char*>(&v), sizeof v);
  return s;
}

std::string u32s(std::initializer_list<uint32_t> values) {
  std::string s;
  for (const uint32_t v : values)
    s.append(reinterpret_cast<const char*>(&v), sizeof v);
  return s;
}

}  // namespace

TEST_CASE("workload::BinaryTrace: a batch claiming more tokens than the file holds is refused") {
  TraceTempDir dir;
  // 24-byte header + a 12-byte batch key claiming 2^30 tokens = the 36-byte file of issue 16.
  // Its tokens alone would need 2^30 * 4 B = 4 GiB; with 8 experts (16-bit ids) and top-2 the
  // batch needs 2^30 * (4 + 2 * 2) = 8589934592 bytes, and 0 bytes are left.
  const std::string path = dir.write("t.mtrace", mtrace_header(8, 2) + u32s({0, 0, 1u << 30}));
  REQUIRE(moesim::test::read_text(path).size() == 36);
  const std::string msg = input_error([&] { wl::read_trace(path, {}); });
  REQUIRE_THAT(msg, Contains("batch 0 (byte 24)"));
  REQUIRE_THAT(msg, Contains("claims 1073741824 tokens, which need 8589934592 bytes"));
  REQUIRE_THAT(msg, Contains("has 0 bytes left"));
}

TEST_CASE("workload::BinaryTrace: a batch that fits its claimed size still reads") {
  TraceTempDir dir;
  // One batch of 2 tokens (ids 3, 5), top-1, experts 1 and 0: 8 + 2 * 2 = 12 bytes of body.
  std::string body = u32s({0, 0, 2}) + u32s({3, 5});
  const uint16_t experts[2] = {1, 0};
  body.append(reinterpret_cast<const char*>(experts), sizeof experts);
  const wl::Trace t = wl::read_trace(dir.write("t.mtrace", mtrace_header(4, 1) + body), {});
  REQUIRE(t.batches.size() == 1);
  REQUIRE(t.batches[0].token_ids == std::vector<uint32_t>{3, 5});
  REQUIRE(t.batches[0].experts == std::vector<uint32_t>{1, 0});
  // One byte short of that: truncated, not a 4-byte over-read.
  const std::string cut = dir.write("cut.mtrace", mtrace_header(4, 1) + body.substr(0, 23));
  REQUIRE_THAT(input_error([&] { wl::read_trace(cut, {}); }), Contains("bytes left"));
}

TEST_CASE("workload::Trace: expert counts that would size huge arrays are refused") {
  TraceTempDir dir;
  SECTION("an .mtrace header with 2^32 - 1 experts") {
    // count_experts would allocate 8 B per expert per batch: 32 GiB for one batch.
    const std::string path = dir.write("t.mtrace", mtrace_header(UINT32_MAX, 1) + u32s({0, 0, 0}));
    REQUIRE_THAT(input_error([&] { wl::open_trace(path, {}); }),
                 Contains("expected at most 1048576 experts"));
  }
  SECTION("an option asking a text reader for more than kMaxExperts") {
    const std::string path = dir.write("t.csv", "iteration,layer,token,expert\n0,0,0,1\n");
    REQUIRE_THAT(input_error([&] {
                   wl::open_trace(path, {wl::kMaxExperts + 1, 0});
                 }),
                 Contains("1048577 experts: expected 1..1048576"));
    REQUIRE_THAT(input_error([&] {
                   wl::open_counts_csv(path, {wl::kMaxExperts + 1, {}});
                 }),
                 Contains("1048577 experts: expected 1..1048576"));
  }
  SECTION("count_experts itself") {
    wl::Batch b;
    REQUIRE_THAT(input_error([&] { wl::count_experts(b, UINT32_MAX); }),
                 Contains("4294967295 experts"));
  }
  SECTION("a layer id that would size layer_loads") {
    // Layer 2^32 - 2 would mean 2^32 - 1 rows of loads.
    wl::ExpertCounts c{2, {{0, UINT32_MAX - 1, {1, 1}}}};
    REQUIRE_THAT(input_error([&] { wl::layer_loads(c); }),
                 Contains("layer 4294967294: expected a layer id below 65536"));
  }
}

TEST_CASE("workload::Trace: counts summed over iterations must not wrap") {
  // Expert 0 of layer 0: 2^64 - 1 in iteration 0, then 1 more in iteration 1 = 2^64.
  wl::ExpertCounts c{1, {{0, 0, {UINT64_MAX}}, {1, 0, {1}}}};
  REQUIRE_THAT(input_error([&] { wl::sum_over_iterations(c); }),
               Contains("expert 0 of layer 0: the counts summed over iterations pass 2^64 - 1"));
}

TEST_CASE("workload::Trace: error messages quote file text on one line") {
  TraceTempDir dir;
  SECTION("a JSONL line with a terminal escape sequence") {
    // ESC [ 2 J (clear screen) where a value should be: the excerpt shows \x1b, not ESC.
    const std::string path = dir.write("t.jsonl", "{\"layer\": \x1b[2J, \"experts\": [1]}\n");
    const std::string msg = input_error([&] { wl::read_trace(path, {4, 0}); });
    REQUIRE_THAT(msg, Contains("t.jsonl:1: malformed JSON"));
    REQUIRE_THAT(msg, Contains("\\x1b[2J"));
    REQUIRE(msg.find('\x1b') == std::string::npos);
  }
  SECTION("a 2 MB CSV header line") {
    // A header missing the expert column, 2 MB long: the message shows 80 bytes of it.
    const std::string header = "iteration,layer,token," + std::string(2 << 20, 'x');
    const std::string path = dir.write("t.csv", header + "\n0,0,0,1\n");
    const std::string msg = input_error([&] { wl::read_trace(path, {4, 0}); });
    REQUIRE(msg.size() < 400);
    REQUIRE_THAT(msg, Contains("x..."));
  }
  SECTION("a counts CSV header with a newline-free control character") {
    const std::string path = dir.write("c.csv", "layer,expert\x07\n0,0\n");
    const std::string msg = input_error([&] { wl::read_counts_csv(path, {4, {}}); });
    REQUIRE(msg.find('\x07') == std::string::npos);
  }
}

TEST_CASE("workload::Trace: a UTF-8 byte-order mark at the start of a file is skipped") {
  TraceTempDir dir;
  const std::string bom = "\xEF\xBB\xBF";
  SECTION("long CSV") {
    const wl::Trace t = wl::read_trace(
        dir.write("t.csv", bom + "iteration,layer,token,expert\n0,0,0,1\n0,0,1,3\n"), {4, 0});
    REQUIRE(t.batches.size() == 1);
    REQUIRE(t.batches[0].experts == std::vector<uint32_t>{1, 3});
  }
  SECTION("JSONL") {
    const wl::Trace t = wl::read_trace(
        dir.write("t.jsonl", bom + "{\"layer\": 0, \"experts\": [2], \"token_idx\": 0}\n"), {4, 0});
    REQUIRE(t.batches.size() == 1);
    REQUIRE(t.batches[0].experts == std::vector<uint32_t>{2});
  }
  SECTION("counts CSV") {
    const wl::ExpertCounts c = wl::read_counts_csv(
        dir.write("c.csv", bom + "iteration,layer,expert,count\n0,0,1,7\n"), {4, {}});
    REQUIRE(c.entries.size() == 1);
    REQUIRE(c.entries[0].counts == std::vector<uint64_t>{0, 7, 0, 0});
  }
  SECTION("only at the start: a mark on a later line is an error") {
    const std::string path =
        dir.write("t.csv", "iteration,layer,token,expert\n" + bom + "0,0,0,1\n");
    REQUIRE_THAT(input_error([&] { wl::read_trace(path, {4, 0}); }), Contains("\\xef\\xbb\\xbf0"));
  }
}

namespace {

// Open file descriptors of this process (Linux: the entries of /proc/self/fd).
size_t open_fds() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd"))
    ++n;
  return n;
}

}  // namespace

// Found by tests/fuzz/fuzz_trace_binary: the reader's constructor opened the file and then threw
// on a bad header before any destructor could close it, so every rejected file leaked a
// descriptor, and a long-lived process (a sweep worker, a fuzzer) eventually could open nothing.
TEST_CASE("workload::open_binary_trace: a rejected header leaves no file open") {
  TraceTempDir dir;
  const std::string bad_magic = dir.write("magic.mtrace", "NOTATRACE...............");
  const std::string bad_version = dir.write("version.mtrace", "MOETRACE\x02\0\0\0");
  const std::string bad_shape = dir.write("shape.mtrace", mtrace_header(4, 5));
  const std::string bad_experts = dir.write("experts.mtrace", mtrace_header(8, 2));
  const size_t before = open_fds();
  for (int i = 0; i < 50; ++i) {
    REQUIRE_THROWS_AS(wl::open_binary_trace(bad_magic, {}), InputError);
    REQUIRE_THROWS_AS(wl::open_binary_trace(bad_version, {}), InputError);
    REQUIRE_THROWS_AS(wl::open_binary_trace(bad_shape, {}), InputError);
    // A header that disagrees with the options is rejected after the file was opened too.
    REQUIRE_THROWS_AS(wl::open_binary_trace(bad_experts, {.num_experts = 4, .top_k = 0}),
                      InputError);
  }
  REQUIRE(open_fds() == before);
}
