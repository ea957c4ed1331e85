// --chakra-hosts: a rank-to-host map places Chakra ranks on chosen hosts. Checked on the real
// ASTRA-sim microbenchmarks through flows.csv, whose src,dst columns are hosts, and on bad maps.
#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <utility>

#include "tests/chakra_util.hpp"

namespace {

using moesim::test::column;
using moesim::test::microbenchmark;
using moesim::test::run_moesim;
using moesim::test::slurp;
using moesim::test::split;
using moesim::test::TempDir;
namespace fs = std::filesystem;

// Rank r -> host kHost[r] on an 8-host fabric: neither sorted nor the identity, and across both
// leaves, so a map applied in the wrong order or ignored shows in the flows.
constexpr uint32_t kHost[] = {6, 2, 5, 0};
const char* kFabric = "--leaves 2 --hosts-per-leaf 4 --spines 2";
const char* kMap = "rank,host\n2,5\n0,6\n# comment\n3,0\n1,2\n";

using Pairs = std::set<std::pair<uint32_t, uint32_t>>;

Pairs flow_pairs(const fs::path& flows_csv) {
  const std::vector<std::string> lines = split(slurp(flows_csv), '\n');
  const size_t src = column(lines.at(0), "src");
  const size_t dst = column(lines.at(0), "dst");
  Pairs p;
  for (size_t i = 1; i < lines.size(); ++i) {
    const std::vector<std::string> cells = split(lines[i], ',');
    p.emplace(std::stoul(cells.at(src)), std::stoul(cells.at(dst)));
  }
  return p;
}

Pairs run_pairs(const TempDir& d, const std::string& name, const std::string& map_option) {
  REQUIRE(run_moesim(d, fmt::format("run --workload chakra --chakra '{}' {} {} --model analytic "
                                    "--transport ecmp --detail flows --out {}",
                                    microbenchmark(name, 4), map_option, kFabric, name)) == 0);
  return flow_pairs(d.path / name / "flows.csv");
}

}  // namespace

TEST_CASE("chakra: --chakra-hosts puts rank r on host[r], in rank order") {
  TempDir d;
  {
    std::ofstream os(d.path / "map.csv");
    os << kMap;
  }
  SECTION("all-to-all: every ordered pair of the mapped hosts, 4 x 3 = 12 pairs") {
    Pairs want;
    for (uint32_t i = 0; i < 4; ++i)
      for (uint32_t j = 0; j < 4; ++j)
        if (i != j) want.emplace(kHost[i], kHost[j]);
    CHECK(run_pairs(d, "all_to_all", "--chakra-hosts map.csv") == want);
  }
  SECTION("ring all-reduce: the ring follows the ranks, host[r] -> host[r + 1 mod 4]") {
    // 6 -> 2 -> 5 -> 0 -> 6; a ring over the sorted hosts (0 -> 2 -> 5 -> 6) would differ.
    const Pairs want = {{6, 2}, {2, 5}, {5, 0}, {0, 6}};
    CHECK(run_pairs(d, "all_reduce", "--chakra-hosts map.csv") == want);
  }
  SECTION("without a map rank r runs on host r") {
    const Pairs want = {{0, 1}, {1, 2}, {2, 3}, {3, 0}};
    CHECK(run_pairs(d, "all_reduce", "") == want);
  }
}

TEST_CASE("chakra: a bad --chakra-hosts map is a one-line error naming file, line and field") {
  const auto [map, message] = GENERATE(table<std::string, std::string>({
      {"rank,gpu\n0,0\n", "map.csv:1: header 'rank,gpu': expected 'rank,host'"},
      {"rank,host\n0,0\n1,1\n2,2\n3,9\n",
       "map.csv:5: field host: value '9': expected a host of "
       "the topology's 8"},
      {"rank,host\n0,0\n1,1\n2,1\n3,3\n",
       "map.csv:4: field host: host 1 repeated (first at "
       "line 3)"},
      {"rank,host\n0,0\n1,1\n1,2\n3,3\n",
       "map.csv:4: field rank: rank 1 repeated (first at "
       "line 3)"},
      {"rank,host\n0,0\n1,1\n2,2\n4,3\n",
       "map.csv:5: field rank: value '4': expected a rank "
       "below the 4 rows"},
      {"rank,host\n0,0\n1,1\n", "map.csv: 2 ranks: expected one row per rank file"},
      {"rank,host\n0,0\n1,-1\n2,2\n3,3\n", "map.csv:3: field host: value '-1'"},
  }));
  INFO(map);
  TempDir d;
  {
    std::ofstream os(d.path / "map.csv");
    os << map;
  }
  const int rc = run_moesim(d, fmt::format("run --workload chakra --chakra '{}' --chakra-hosts "
                                           "map.csv {} --model analytic --out out",
                                           microbenchmark("all_to_all", 4), kFabric));
  const std::string err = slurp(d.path / "stderr.txt");
  INFO(err);
  CHECK(rc == 2);
  CHECK(std::count(err.begin(), err.end(), '\n') == 1);
  CHECK_THAT(err, Catch::Contains(message));
  CHECK(!fs::exists(d.path / "out"));
}

TEST_CASE("chakra: --chakra-hosts without --workload chakra is refused") {
  TempDir d;
  CHECK(run_moesim(d,
                   "run --workload all-to-all --chakra-hosts map.csv --model analytic "
                   "--out out") == 2);
  CHECK_THAT(slurp(d.path / "stderr.txt"), Catch::Contains("--chakra-hosts") &&
                                               Catch::Contains("only used by --workload chakra"));
}
