// Failed and degraded links (topologies/link_faults.hpp) through the CLI: the bound they raise
// in the flow-level models, the links they remove, the seeded draw, and the refusals.
#include <catch2/catch.hpp>

#include <filesystem>

#include <fmt/format.h>

#include "tests/cli_util.hpp"

using namespace moesim;

namespace {

const std::string kFabric =
    "run --leaves 4 --spines 4 --hosts-per-leaf 4 --host-rate 100Gbps --workload all-to-all "
    "--size 256KiB ";

double result(const test::TempDir& dir, const std::string& out, size_t row,
              const std::string& column) {
  const auto lines = test::split(test::slurp(dir.path / out / "results.csv"), '\n');
  return std::stod(test::split(lines.at(row), ',').at(test::column(lines.at(0), column)));
}

}  // namespace

TEST_CASE("topo::link_faults: one failed uplink raises the ideal all-to-all bound by 16/15") {
  // 16 hosts at 12.5 GB/s, 1:1 (4 uplinks of 100 Gb/s per leaf), B = 256 KiB per pair. Intact,
  // the NIC is the bound: 15 B / r = 314.57 us (a leaf's 4 uplinks carry 4 x 12 B, 12 B / r
  // each). With leaf0-spine0 failed, leaf 0's traffic out (and in) splits over 3 uplinks:
  // 16 B / r each, above the NIC's 15 B / r, so the bound grows by exactly 16/15.
  test::TempDir dir;
  REQUIRE(test::run_moesim(dir, kFabric + "--model analytic,fluid --transport ideal --out a") == 0);
  REQUIRE(test::run_moesim(dir, kFabric + "--model analytic,fluid --transport ideal "
                                          "--fail-links leaf0-spine0 --out b") == 0);
  CHECK(result(dir, "a", 1, "link_bound_us") == Approx(314.5728));
  CHECK(result(dir, "b", 1, "link_bound_us") == Approx(314.5728 * 16 / 15));
  // Fluid drains at exactly the bound's rate, plus the 4 us path latency, in both.
  CHECK(result(dir, "b", 2, "cct_us") == Approx(314.5728 * 16 / 15 + 4));
}

TEST_CASE("topo::link_faults: a failed link is gone for every model, a degraded one is slower") {
  test::TempDir dir;
  REQUIRE(test::run_moesim(dir, kFabric + "--model analytic,packet --transport ecmp,spray:random "
                                          "--fail-links leaf0-spine0 --degrade-links "
                                          "leaf1-spine1=25Gbps --detail links --out r") == 0);
  const std::string links = test::slurp(dir.path / "r" / "links.csv");
  // links.csv: run,link,from,to,... — the failed link has no row in either direction.
  CHECK(links.find(",leaf0,spine0,") == std::string::npos);
  CHECK(links.find(",spine0,leaf0,") == std::string::npos);
  CHECK(links.find(",leaf0,spine1,") != std::string::npos);
  CHECK(test::slurp(dir.path / "stdout.txt").find("failed: leaf0-spine0; leaf1-spine1 at 25Gbps") !=
        std::string::npos);
  for (size_t row = 1; row <= 4; ++row)
    CHECK(result(dir, "r", row, "cct_us") > 0);  // every model ran every transport to the end
}

TEST_CASE("topo::link_faults: --fail-links N draws switch links from the seed") {
  test::TempDir dir;
  int runs = 0;
  const auto failed = [&](int seed) {
    REQUIRE(test::run_moesim(dir, fmt::format("{} --model analytic --transport ecmp --fail-links 2 "
                                              "--seed {} --out s{}",
                                              kFabric, seed, ++runs)) == 0);
    const std::string out = test::slurp(dir.path / "stdout.txt");
    const size_t at = out.find("failed: ");
    REQUIRE(at != std::string::npos);
    return out.substr(at, out.find(';', at) - at);
  };
  const std::string one = failed(1);
  CHECK(std::count(one.begin(), one.end(), ',') == 1);  // two links
  CHECK(one.find("host") == std::string::npos);         // switch-to-switch only
  CHECK(failed(1) == one);
}

TEST_CASE("topo::link_faults: bad specs are one-line errors and write nothing") {
  test::TempDir dir;
  const auto refused = [&](const std::string& args, const std::string& expect) {
    INFO(args);
    CHECK(test::run_moesim(dir, kFabric + "--model analytic " + args + " --out o") == 2);
    const std::string err = test::slurp(dir.path / "stderr.txt");
    CHECK(err.find(expect) != std::string::npos);
    CHECK(std::count(err.begin(), err.end(), '\n') == 1);
    CHECK_FALSE(std::filesystem::exists(dir.path / "o"));
  };
  refused("--fail-links leaf0-spine0,leaf0-spine1,leaf0-spine2,leaf0-spine3",
          "cuts host 4 off from host 0");
  refused("--fail-links leaf0-leaf1", "leaf0 and leaf1 share no link");
  refused("--fail-links leaf9-spine0", "expected two vertex names");
  refused("--fail-links 17", "the topology has 16 switch-to-switch links");
  refused("--degrade-links leaf0-spine0=200Gbps", "runs at 100Gbps: expected a rate above 0");
  refused("--degrade-links leaf0-spine0", "expected LINK=RATE");
}
