// Bad Chakra input: every malformed or unsupported rank file is a one-line error naming the file
// (and the node, where there is one) with exit code 2, and nothing is written. The bad files are
// made in the test from the real ASTRA-sim microbenchmarks or from moesim's own export.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "tests/chakra_util.hpp"

namespace {

using moesim::test::fabric_of;
using moesim::test::microbenchmark;
using moesim::test::read_bytes;
using moesim::test::run_moesim;
using moesim::test::slurp;
using moesim::test::TempDir;
using moesim::test::write_bytes;
using moesim::test::write_trace;
namespace chakra = moesim::workload::chakra;
namespace fs = std::filesystem;

// Runs `moesim run` on the trace PREFIX (in d) over 4 hosts; requires exit 2, one line on
// stderr, no output directory; returns that line.
std::string rejected(const TempDir& d, const std::string& prefix) {
  const int rc = run_moesim(d, fmt::format("run --workload chakra --chakra '{}' {} --model "
                                           "analytic --transport ecmp --out out",
                                           prefix, fabric_of(4)));
  const std::string err = slurp(d.path / "stderr.txt");
  INFO(err);
  CHECK(rc == 2);
  CHECK(std::count(err.begin(), err.end(), '\n') == 1);
  CHECK(!fs::exists(d.path / "out"));
  return err;
}

// The 4-rank all-reduce microbenchmark, parsed (one GlobalMetadata and one node per rank).
std::vector<chakra::RankTrace> all_reduce_4() {
  std::vector<chakra::RankTrace> ranks = chakra::read_ranks(microbenchmark("all_reduce", 4));
  REQUIRE(ranks.size() == 4);
  return ranks;
}

}  // namespace

TEST_CASE("chakra: a truncated rank file is refused naming the file and node") {
  TempDir d;
  SECTION("a real file cut inside its node") {
    std::vector<chakra::RankTrace> ranks = all_reduce_4();
    write_trace((d.path / "t").string(), ranks);
    const std::string bytes = read_bytes(d.path / "t.2.et");
    write_bytes(d.path / "t.2.et", bytes.substr(0, bytes.size() - 5));
    const std::string err = rejected(d, "t");
    CHECK_THAT(err, Catch::Contains("t.2.et: message 1") &&
                        Catch::Contains("after the GlobalMetadata") &&
                        Catch::Contains("runs past the end of the file"));
  }
  SECTION("a size varint with its continuation bit set on the last byte") {
    write_trace((d.path / "t").string(), all_reduce_4());
    write_bytes(d.path / "t.1.et", read_bytes(d.path / "t.1.et") + "\x80");
    const std::string err = rejected(d, "t");
    // Rank 1's only node has id 1 (the microbenchmarks number their node by the rank).
    CHECK_THAT(err, Catch::Contains("t.1.et: message 2") && Catch::Contains("after node 1") &&
                        Catch::Contains("size varint runs past the end"));
  }
  SECTION("an exported ring all-reduce cut inside its last node") {
    // Export of a 4-host ring all-reduce: each rank sends and receives one chunk in each of the
    // 2 (4 - 1) = 6 steps, 12 nodes with ids 0..11; cutting the last leaves node 10 last read.
    REQUIRE(run_moesim(d, fmt::format("chakra export ex/ar --workload ring-allreduce {}",
                                      fabric_of(4))) == 0);
    REQUIRE(chakra::read_ranks((d.path / "ex/ar").string())[3].nodes.size() == 12);
    const std::string bytes = read_bytes(d.path / "ex/ar.3.et");
    write_bytes(d.path / "ex/ar.3.et", bytes.substr(0, bytes.size() - 1));
    CHECK_THAT(rejected(d, "ex/ar"),
               Catch::Contains("ex/ar.3.et: message 12") && Catch::Contains("after node 10"));
  }
}

TEST_CASE("chakra: an unsupported node type or comm_type is refused naming the node") {
  TempDir d;
  std::vector<chakra::RankTrace> ranks = all_reduce_4();
  SECTION("a type the schema does not define") {
    ranks[1].nodes[0].set_type(static_cast<ChakraProtoMsg::NodeType>(42));
    write_trace((d.path / "t").string(), ranks);
    CHECK_THAT(rejected(d, "t"), Catch::Contains("t.1.et: node 1 (type 42): unsupported node "
                                                 "type: expected COMP_NODE"));
  }
  SECTION("a type of the schema that moesim does not run") {
    ranks[3].nodes[0].set_type(ChakraProtoMsg::MEM_LOAD_NODE);
    write_trace((d.path / "t").string(), ranks);
    CHECK_THAT(rejected(d, "t"),
               Catch::Contains("t.3.et: node 3 (MEM_LOAD_NODE): unsupported node type"));
  }
  SECTION("a collective moesim does not simulate") {
    for (chakra::RankTrace& r : ranks)
      r.nodes[0].mutable_attr(1)->set_int64_val(ChakraProtoMsg::BROADCAST);  // attr 1: comm_type
    write_trace((d.path / "t").string(), ranks);
    CHECK_THAT(rejected(d, "t"), Catch::Contains("t.0.et: node 0 (COMM_COLL_NODE): comm_type 5 "
                                                 "(BROADCAST): expected ALL_REDUCE"));
  }
  SECTION("ranks that disagree on the collective") {
    ranks[2].nodes[0].mutable_attr(2)->set_int64_val(4096);  // attr 2: comm_size
    write_trace((d.path / "t").string(), ranks);
    CHECK_THAT(rejected(d, "t"), Catch::Contains("t.2.et: node 2 (COMM_COLL_NODE): comm_type 0 "
                                                 "of comm_size 4096: expected the same"));
  }
}

TEST_CASE("chakra: an unknown schema version or a missing rank file is refused") {
  TempDir d;
  std::vector<chakra::RankTrace> ranks = all_reduce_4();
  SECTION("unknown version") {
    ranks[1].meta.set_version("9.9.9");
    write_trace((d.path / "t").string(), ranks);
    CHECK_THAT(rejected(d, "t"), Catch::Contains("t.1.et: GlobalMetadata version '9.9.9': "
                                                 "expected schema version 0.0.4"));
  }
  SECTION("ranks 0 and 2 without rank 1") {
    write_trace((d.path / "t").string(), ranks);
    fs::remove(d.path / "t.1.et");
    fs::remove(d.path / "t.3.et");
    CHECK_THAT(rejected(d, "t"), Catch::Contains("t.1.et is missing: expected one file per rank "
                                                 "0..2 (2 found)"));
  }
  SECTION("no rank file at all") {
    CHECK_THAT(rejected(d, "nothing"), Catch::Contains("no file nothing.0.et"));
  }
  SECTION("more ranks than hosts") {
    const std::string err = [&] {
      const int rc = run_moesim(d, fmt::format("run --workload chakra --chakra '{}' {} --out out",
                                               microbenchmark("all_reduce", 8), fabric_of(4)));
      CHECK(rc == 2);
      return slurp(d.path / "stderr.txt");
    }();
    CHECK_THAT(err, Catch::Contains("8 rank files but the topology has 4 hosts"));
  }
}

TEST_CASE("chakra: export refuses to overwrite rank files and a missing PREFIX") {
  TempDir d;
  const std::string args = fmt::format("--workload all-to-all {}", fabric_of(4));
  REQUIRE(run_moesim(d, "chakra export a2a/x " + args) == 0);
  const std::string before = read_bytes(d.path / "a2a/x.0.et");
  CHECK(run_moesim(d, "chakra export a2a/x --size 2MiB " + args) == 2);
  CHECK_THAT(slurp(d.path / "stderr.txt"), Catch::Contains("a2a/x.0.et: exists already"));
  CHECK(read_bytes(d.path / "a2a/x.0.et") == before);
  CHECK(run_moesim(d, "chakra export " + args) == 2);
  CHECK_THAT(slurp(d.path / "stderr.txt"), Catch::Contains("missing PREFIX"));
}
