// End-to-end tests of the `moesim` binary: what a user runs, what lands on disk, exit codes.
#include <algorithm>

#include <catch2/catch.hpp>

#include "cli_util.hpp"

using namespace moesim::test;

TEST_CASE("cli: moesim run writes results.csv whose ideal CCT matches the NIC bound") {
  // 2 leaves x 4 hosts, 2 spines, 100 Gb/s hosts (fabric auto: 4 * 100 / 2 = 200 Gb/s),
  // 1 us links, 1 MiB per pair. Under ideal multipath the NICs bind: 7 flows of 1 MiB each way
  // per host drain in 7 * 83.88608 us = 587.20256 us; the last bytes cross 4 links: 591.20256 us.
  TempDir dir;
  REQUIRE(run_moesim(dir,
                     "run --leaves 2 --spines 2 --hosts-per-leaf 4 --host-rate 100Gbps "
                     "--model fluid --transport ecmp,ideal --out res --detail flows,links") == 0);
  const std::string csv = slurp(dir.path / "res" / "results.csv");
  const auto lines = split(csv, '\n');
  REQUIRE(lines.size() == 3);  // header + ecmp + ideal
  const auto header = split(lines[0], ',');
  REQUIRE(header.front() == "topology");
  const auto col = [&](const std::string& name) {
    const auto it = std::find(header.begin(), header.end(), name);
    REQUIRE(it != header.end());
    return static_cast<size_t>(it - header.begin());
  };
  const auto ideal = split(lines[2], ',');
  CHECK(ideal[col("transport")] == "ideal");
  CHECK(ideal[col("model")] == "fluid");
  CHECK(ideal[col("fabric-rate")] == "200Gbps");
  CHECK(std::stod(ideal[col("cct_us")]) == Approx(591.20256).epsilon(1e-9));
  CHECK(std::stoul(ideal[col("flows")]) == 8 * 7);
  CHECK(fs::exists(dir.path / "res" / "run.json"));
  // flows.csv: a header and one row per flow and run (2 runs x 56 flows).
  CHECK(split(slurp(dir.path / "res" / "flows.csv"), '\n').size() == 1 + 2 * 56);
  CHECK(slurp(dir.path / "res" / "links.csv").rfind("run,link,from,to", 0) == 0);
}

TEST_CASE("cli: the packet model runs next to fluid and skips ideal") {
  TempDir dir;
  REQUIRE(run_moesim(dir,
                     "run --leaves 2 --spines 2 --hosts-per-leaf 4 --host-rate 100Gbps "
                     "--size 64KiB --model fluid,packet --transport spray:rr,ideal --out res") ==
          0);
  const auto lines = split(slurp(dir.path / "res" / "results.csv"), '\n');
  REQUIRE(lines.size() == 4);  // header + spray:rr x {fluid, packet} + ideal x fluid
  const auto header = split(lines[0], ',');
  const auto col = [&](const std::string& name) {
    const auto it = std::find(header.begin(), header.end(), name);
    REQUIRE(it != header.end());
    return static_cast<size_t>(it - header.begin());
  };
  const auto fluid = split(lines[1], ',');
  const auto packet = split(lines[2], ',');
  CHECK(packet[col("model")] == "packet");
  CHECK(split(lines[3], ',')[col("transport")] == "ideal");
  // 56 flows of 64 KiB = 17 packets of at most 4032 B each, plus one ACK per 16 KiB of
  // payload (--ack-every): after packets 5, 10 and 15 (20,160 B each) and the last, 4 per flow
  // (no packet overtakes another on this 2-tier fabric at this load, so no hole is ACKed early).
  CHECK(std::stoul(packet[col("packets")]) == 56 * (17 + 4));
  CHECK(std::stoul(fluid[col("packets")]) == 0);
  // Packets carry headers and queue, so the packet model cannot beat the fluid model here.
  CHECK(std::stod(packet[col("cct_us")]) > std::stod(fluid[col("cct_us")]));
}

TEST_CASE("cli: the same inputs and seed give byte-identical CSV") {
  TempDir dir;
  const std::string args =
      "run --leaves 2 --spines 2 --hosts-per-leaf 4 --workload permutation "
      "--seed 5 --detail flows,links,collectives --out ";
  REQUIRE(run_moesim(dir, args + "a") == 0);
  REQUIRE(run_moesim(dir, args + "b") == 0);
  for (const char* f : {"results.csv", "flows.csv", "links.csv", "collectives.csv"}) {
    INFO(f);
    CHECK(slurp(dir.path / "a" / f) == slurp(dir.path / "b" / f));
  }
}

TEST_CASE("cli: bad input exits with code 2 - one line on stderr and no output") {
  const std::vector<std::string> bad = {
      "run --leaves 0",
      "run --leaves x",
      "run --spines -1",
      "run --host-rate 100",
      "run --latency 5parsecs",
      "run --size 1.5B",
      "run --model warp",
      "run --model simgrid:ns-3",
      "run --model packet --transport ideal",
      "run --mtu 100B",
      "run --mtu 4KiB --header 4KiB",
      "run --ecn-threshold lots",
      "run --recovery pray",
      "run --rto 0s",
      "run --buffer 0B",
      "run --transport split:1",
      "run --transport spray:bogus",
      "run --workload broadcast",
      "run --workload all-to-allv",
      "run --workload all-to-allv --matrix missing.csv",
      "run --oversubscription 0",
      "run --gpus-per-server 3",
      "run --detail everything",
      "run --no-such-flag 1",
      "run --leaves",
      "run --config missing.ini",
      "run --config bad.ini",
      "frobnicate",
  };
  for (const std::string& args : bad) {
    TempDir dir;
    std::ofstream(dir.path / "bad.ini") << "# a comment\nleaves = 4\nwarp-factor = 9\n";
    INFO(args);
    CHECK(run_moesim(dir, args + " --out res") == 2);
    const std::string err = slurp(dir.path / "stderr.txt");
    CHECK(err.rfind("moesim: error: ", 0) == 0);
    CHECK(std::count(err.begin(), err.end(), '\n') == 1);
    CHECK(!fs::exists(dir.path / "res"));
    CHECK(!fs::exists(dir.path / "moesim-out"));
    if (args == "run --config bad.ini") CHECK(err.find("bad.ini:3") != std::string::npos);
  }
}

TEST_CASE("cli: existing results are never overwritten") {
  TempDir dir;
  const std::string args =
      "run --leaves 2 --spines 2 --hosts-per-leaf 2 --model analytic --out res";
  REQUIRE(run_moesim(dir, args) == 0);
  const std::string before = slurp(dir.path / "res" / "results.csv");
  CHECK(run_moesim(dir, args + " --transport ideal") == 2);
  CHECK(slurp(dir.path / "res" / "results.csv") == before);
  // Without --out, each run takes the next free moesim-out/run-NNN.
  REQUIRE(run_moesim(dir, "run --leaves 2 --spines 2 --hosts-per-leaf 2") == 0);
  REQUIRE(run_moesim(dir, "run --leaves 2 --spines 2 --hosts-per-leaf 2") == 0);
  CHECK(fs::exists(dir.path / "moesim-out" / "run-001" / "results.csv"));
  CHECK(fs::exists(dir.path / "moesim-out" / "run-002" / "results.csv"));
}

TEST_CASE("cli: config file keys work like flags and flags win") {
  TempDir dir;
  std::ofstream(dir.path / "exp.ini") << "leaves = 2\nspines = 2\nhosts-per-leaf = 2\n"
                                         "model = analytic\ntransport = ideal\nsize = 2MiB\n";
  REQUIRE(run_moesim(dir, "run --config exp.ini --size 4MiB --out res") == 0);
  const auto lines = split(slurp(dir.path / "res" / "results.csv"), '\n');
  REQUIRE(lines.size() == 2);
  const auto header = split(lines[0], ',');
  const auto row = split(lines[1], ',');
  const auto at = [&](const std::string& name) {
    return row[static_cast<size_t>(std::find(header.begin(), header.end(), name) - header.begin())];
  };
  CHECK(at("leaves") == "2");
  CHECK(at("size") == "4MiB");
  CHECK(at("transport") == "ideal");
}

TEST_CASE("cli: moesim topo writes GraphML and DOT") {
  TempDir dir;
  REQUIRE(run_moesim(dir, "topo --leaves 2 --spines 2 --hosts-per-leaf 2 --out t") == 0);
  CHECK(slurp(dir.path / "t" / "topology.graphml").find("<graphml") != std::string::npos);
  CHECK(slurp(dir.path / "t" / "topology.dot").find("graph") != std::string::npos);
}
