// End-to-end tests of the topology kinds on the command line: moesim topo metrics, moesim run
// on every kind, and the rsn experiment.
#include <algorithm>

#include <catch2/catch.hpp>

#include "cli_util.hpp"

using namespace moesim::test;

namespace {

// The value of `metric` in a `metric,value` CSV.
std::string metric(const std::string& csv, const std::string& name) {
  for (const auto& line : split(csv, '\n')) {
    const auto cells = split(line, ',');
    if (cells.size() == 2 && cells[0] == name) return cells[1];
  }
  return "";
}

}  // namespace

TEST_CASE("cli::topo: a k=4 fat-tree has 16 hosts and 20 switches and full bisection") {
  TempDir dir;
  REQUIRE(run_moesim(dir, "topo --topology fat-tree --k 4 --host-rate 100Gbps --out t") == 0);
  const std::string csv = slurp(dir.path / "t" / "topology.csv");
  // k^3/4 = 16 hosts; k^2/2 = 8 edge + 8 aggregation and (k/2)^2 = 4 core switches.
  CHECK(metric(csv, "hosts") == "16");
  CHECK(metric(csv, "switches") == "20");
  // Full bisection: half the hosts at line rate, 8 x 100 Gb/s = 800 Gb/s.
  CHECK(metric(csv, "bisection_bps") == "800000000000");
  CHECK(fs::exists(dir.path / "t" / "topology.graphml"));
}

TEST_CASE("cli::topo: an rsn reports its draw") {
  TempDir dir;
  REQUIRE(run_moesim(dir,
                     "topo --topology rsn --switches 64 --mean-degree 6 --keep-giant yes "
                     "--out t") == 0);
  const std::string csv = slurp(dir.path / "t" / "topology.csv");
  CHECK(metric(csv, "rsn_pairs") == "2016");  // 64 * 63 / 2
  CHECK(!metric(csv, "rsn_clipped_pairs").empty());
  CHECK(std::stod(metric(csv, "aspl_hops")) > 1.0);
  CHECK(std::stod(metric(csv, "mean_edge_length")) > 0.0);
}

TEST_CASE("cli::run: every topology kind runs on the fluid and packet models") {
  const std::vector<std::string> kinds = {
      "--topology fat-tree --k 4",
      "--topology rail --servers 2 --gpus-per-server 4 --spines 2",
      "--topology jellyfish --switches 8 --degree 3 --hosts-per-switch 1",
      "--topology rsn --switches 16 --hosts-per-switch 1 --keep-giant yes --route-cost hops",
  };
  for (const std::string& kind : kinds) {
    INFO(kind);
    TempDir dir;
    REQUIRE(run_moesim(dir, "run " + kind +
                                " --size 64KiB --model fluid,packet "
                                "--transport ecmp,spray:rr,ideal --out r") == 0);
    const auto lines = split(slurp(dir.path / "r" / "results.csv"), '\n');
    // ecmp and spray:rr on both models, ideal on fluid only.
    CHECK(lines.size() == 1 + 5);
  }
}

TEST_CASE("cli::run: a bad topology option exits with code 2") {
  for (const std::string args :
       {"run --topology torus", "run --topology fat-tree --k 5", "run --topology rail",
        "run --topology rsn --long-range 2", "run --topology rsn --torus maybe",
        "run --topology file", "run --topology-file x.csv", "run --route-cost miles",
        "topo --topology jellyfish --switches 4 --degree 9"}) {
    INFO(args);
    TempDir dir;
    CHECK(run_moesim(dir, args + " --out o") == 2);
    CHECK(!fs::exists(dir.path / "o"));
  }
}

TEST_CASE("cli::rsn: one row per kernel and long-range share and transport") {
  TempDir dir;
  REQUIRE(run_moesim(dir,
                     "rsn --switches 64 --kernel-scale 0.15 --kernels gaussian,exponential "
                     "--long-range-values 0,0.1 --out x") == 0);
  const auto lines = split(slurp(dir.path / "x" / "rsn.csv"), '\n');
  // 2 kernels x 2 shares x 3 transports (ecmp, spray:random, ideal) on fluid.
  REQUIRE(lines.size() == 1 + 12);
  const size_t aspl = column(lines[0], "aspl_hops");
  const size_t m = column(lines[0], "long_range");
  // More long-range mass never lengthens the gaussian network's paths on the same points.
  double at0 = 0, at01 = 0;
  for (size_t i = 1; i < lines.size(); ++i) {
    const auto cells = split(lines[i], ',');
    if (cells[0] != "gaussian") continue;
    (cells[m] == "0" ? at0 : at01) = std::stod(cells[aspl]);
  }
  CHECK(at01 < at0);
}
