// The ASTRA-sim Chakra microbenchmarks (../shared/data/chakra: one 1 MiB collective on 4 or 8
// ranks) against moesim's built-in collective of the same size, on the same fabric.
//
// Why they must match: the importer expands a COMM_COLL_NODE through the same generators as the
// built-in (add_ring with the same number of steps and chunks, add_all_to_all with the same
// source-major, shifted peer order) over ranks 0..N-1 = hosts 0..N-1. It is the trace's only
// operation, so its flows get the same DAG ids, sizes and dependencies as the built-in's, hence
// the same ECMP hashes and path assignments, the same analytic link loads and the same max-min
// rate sequence: every CCT is identical, not just close. What differs is only the size mapping,
// taken from how ASTRA-sim reads comm_size (README of the data):
//   ALL_REDUCE     1 MiB = the whole buffer   -> ring-allreduce --size 1MiB (chunks 1MiB/N)
//   REDUCE_SCATTER 1 MiB = the whole input    -> reduce-scatter --size 1MiB
//   ALL_GATHER     1 MiB = the input per rank -> all-gather --size N MiB (moesim's size is the
//                  gathered output: N - 1 steps, each moving one rank's whole 1 MiB input)
//   ALL_TO_ALL     1 MiB = the buffer per rank -> all-to-all --size 1MiB/N (per pair; the
//                  rank's own slice stays)
// A wrong mapping gives another CCT, which the test checks too for the two that scale.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "tests/chakra_util.hpp"

namespace {

using moesim::test::fabric_of;
using moesim::test::metric_rows;
using moesim::test::microbenchmark;
using moesim::test::run_moesim;
using moesim::test::slurp;
using moesim::test::TempDir;

struct Twin {
  const char* name;      // microbenchmark
  const char* workload;  // built-in collective
  // moesim's --size in bytes for comm_size = 1 MiB on n ranks
  uint64_t (*size)(uint64_t n);
};

constexpr uint64_t kMiB = 1048576;
const Twin kTwins[] = {
    {"all_reduce", "ring-allreduce", [](uint64_t) { return kMiB; }},
    {"reduce_scatter", "reduce-scatter", [](uint64_t) { return kMiB; }},
    {"all_gather", "all-gather", [](uint64_t n) { return kMiB * n; }},
    {"all_to_all", "all-to-all", [](uint64_t n) { return kMiB / n; }},
};

const char* kRun = "--model analytic,fluid --transport ecmp,split:4,plan,ideal";

// The cct_us column of each row of results.csv (one per transport x model).
std::vector<std::string> ccts(const TempDir& d, const std::string& out) {
  const std::vector<std::string> lines =
      moesim::test::split(slurp(d.path / out / "results.csv"), '\n');
  const size_t c = moesim::test::column(lines.at(0), "cct_us");
  std::vector<std::string> v;
  for (size_t i = 1; i < lines.size(); ++i)
    v.push_back(moesim::test::split(lines[i], ',').at(c));
  return v;
}

}  // namespace

TEST_CASE("chakra: every ASTRA-sim microbenchmark has the CCT of its built-in twin") {
  for (const Twin& t : kTwins) {
    for (const int n : {4, 8}) {
      const std::string fabric = fabric_of(n);
      INFO(t.name << " on " << n << " ranks");
      TempDir d;
      REQUIRE(run_moesim(d, fmt::format("run --workload chakra --chakra '{}' {} {} --out chakra",
                                        microbenchmark(t.name, n), fabric, kRun)) == 0);
      REQUIRE(run_moesim(d, fmt::format("run --workload {} --size {}B {} {} --out twin", t.workload,
                                        t.size(n), fabric, kRun)) == 0);
      const std::vector<std::string> got = ccts(d, "chakra");
      REQUIRE(got.size() == 8);  // 4 transports x 2 models
      CHECK(got == ccts(d, "twin"));
      // Not only the CCT: every metric (bound, link utilisation, FCTs, events) agrees.
      CHECK(metric_rows(d.path / "chakra" / "results.csv") ==
            metric_rows(d.path / "twin" / "results.csv"));
      if (t.size(n) != kMiB) {
        // Reading comm_size as moesim's own --size (1 MiB) instead moves N times less
        // (all-gather) or N times more (all-to-all) bytes: another CCT.
        REQUIRE(run_moesim(d, fmt::format("run --workload {} --size 1MiB {} {} --out naive",
                                          t.workload, fabric, kRun)) == 0);
        CHECK(ccts(d, "naive") != got);
      }
    }
  }
}
