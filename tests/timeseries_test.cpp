// --detail timeseries (packet model): per-port samples that add up to the port's wire bytes,
// show a busy bottleneck at its line rate and the pauses of a lossless incast, and draw as a
// heatmap.
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>

#include "tests/cli_util.hpp"

using namespace moesim::test;

TEST_CASE("cli::run: timeseries samples conserve bytes and show the incast's busy downlink") {
  TempDir dir;
  // The 32-to-1 lossless incast of packet_lossless_test: 684 us, the leaf0->host0 downlink
  // (100 Gb/s) the bottleneck throughout.
  REQUIRE(run_moesim(dir,
                     "run --workload incast --leaves 3 --spines 2 --hosts-per-leaf 11 "
                     "--host-rate 100Gbps --size 256KiB --buffer 256KiB --model packet "
                     "--transport ecmp --fabric lossless --detail timeseries,links "
                     "--sample-every 10us --out r") == 0);
  const auto rows = split(slurp(dir.path / "r" / "timeseries.csv"), '\n');
  REQUIRE(rows.at(0) == "run,link,t_us,bytes,queue_bytes,paused");
  std::map<std::string, double> sent;
  bool paused = false;
  size_t busy = 0;
  for (size_t i = 1; i < rows.size(); ++i) {
    const auto f = split(rows[i], ',');
    sent[f.at(1)] += std::stod(f.at(3));
    paused = paused || f.at(5) == "1";
    const double t = std::stod(f.at(2));
    if (f.at(1) == "leaf0->host0" && t >= 20 && t <= 670) {
      // 100 Gb/s x 10 us = 125,000 B per interval, within one 4 KiB packet either way (a
      // packet straddling an interval's end counts in the interval it started in).
      CHECK(std::stod(f.at(3)) == Approx(125'000).margin(4096));
      ++busy;
    }
  }
  CHECK(busy == 66);  // every interval ending at 20, 30, ..., 670 us
  CHECK(paused);      // PFC paused some port at some sample
  // Conservation: each link's samples add up to its wire bytes in links.csv.
  const auto links = split(slurp(dir.path / "r" / "links.csv"), '\n');
  const size_t from = column(links[0], "from"), to = column(links[0], "to"),
               wire = column(links[0], "wire_bytes");
  size_t checked = 0;
  for (size_t i = 1; i < links.size(); ++i) {
    const auto f = split(links[i], ',');
    const double w = std::stod(f.at(wire));
    const std::string name = f.at(from) + "->" + f.at(to);
    CHECK(sent[name] == w);
    checked += w > 0;
  }
  CHECK(checked > 60);
  // And it draws: links x time, queue bytes.
  REQUIRE(run_moesim(dir,
                     "plot r/timeseries.csv --kind heatmap --x t_us --y link --value "
                     "queue_bytes --out heat") == 0);
  CHECK(std::filesystem::exists(dir.path / "heat.png"));
}

TEST_CASE("cli::run: --detail timeseries needs the packet model") {
  TempDir dir;
  CHECK(run_moesim(dir, "run --model fluid --detail timeseries --out r") == 2);
  CHECK(slurp(dir.path / "stderr.txt").find("timeseries is written by the packet model") !=
        std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.path / "r"));
}
