// The lossless fabric (PFC) and DCQCN through the CLI: an incast that PFC keeps loss-free at
// line rate, two DCQCN flows that share a bottleneck fairly, and the refusals.
#include <catch2/catch.hpp>

#include <filesystem>

#include <fmt/format.h>

#include "tests/cli_util.hpp"

using namespace moesim;

namespace {

// The first results.csv row of DIR/OUT as column -> value.
double result(const test::TempDir& dir, const std::string& out, const std::string& column) {
  const auto lines = test::split(test::slurp(dir.path / out / "results.csv"), '\n');
  return std::stod(test::split(lines.at(1), ',').at(test::column(lines.at(0), column)));
}

}  // namespace

TEST_CASE("sim::packet: PFC keeps a 32-to-1 incast loss-free and its bottleneck busy", "[packet]") {
  // 3 leaves x 11 hosts at 100 Gb/s: hosts 1..32 send 256 KiB each to host 0 through 256 KiB
  // buffers, which lossy trims (a 32-packet burst per sender and more) — lossless pauses.
  test::TempDir dir;
  for (const char* cc : {"dctcp", "dcqcn"}) {
    INFO(cc);
    REQUIRE(test::run_moesim(dir, fmt::format("run --workload incast --leaves 3 --spines 2 "
                                              "--hosts-per-leaf 11 --host-rate 100Gbps --size "
                                              "256KiB --buffer 256KiB --model packet --transport "
                                              "ecmp --fabric lossless --cc {} --out {}",
                                              cc, cc)) == 0);
    CHECK(result(dir, cc, "trims") == 0);
    CHECK(result(dir, cc, "drops") == 0);
    CHECK(result(dir, cc, "timeouts") == 0);
    CHECK(result(dir, cc, "pfc_frames") > 0);
    CHECK(result(dir, cc, "pause_us") > 0);
    // The receiver's downlink is the bound: 256 KiB is 66 packets (4032 B payload each) and
    // 266,368 wire bytes; 32 of them at 12.5 GB/s take 681.9 us, plus at most 4 us of path
    // latency: 685.9 us. Busy throughout means within 2%.
    CHECK(result(dir, cc, "cct_us") == Approx(685.9).epsilon(0.02));
  }
}

TEST_CASE("sim::packet: two DCQCN flows on one bottleneck each get their fair share", "[packet]") {
  // Hosts 1 and 2 send 32 MiB each to host 0 on one 100 Gb/s leaf. At half the link each,
  // both finish at 2 x 33,554,432 B / 12.5 GB/s = 5368.7 us; a flow held below 90% of its
  // share for its life finishes more than 10% later (or, holding more, the other does).
  test::TempDir dir;
  REQUIRE(test::run_moesim(dir,
                           "run --workload incast --leaves 1 --spines 1 --hosts-per-leaf 3 "
                           "--host-rate 100Gbps --size 32MiB --model packet --transport "
                           "ecmp --fabric lossless --cc dcqcn --detail flows --out r") == 0);
  const auto lines = test::split(test::slurp(dir.path / "r" / "flows.csv"), '\n');
  REQUIRE(lines.size() == 3);
  for (size_t i = 1; i < lines.size(); ++i) {
    const double fct = std::stod(test::split(lines[i], ',').at(test::column(lines[0], "fct_us")));
    CHECK(fct == Approx(5368.7).epsilon(0.10));
  }
}

TEST_CASE("cli: lossless and congestion-control options refuse what cannot work", "[packet]") {
  test::TempDir dir;
  const std::string base = "run --leaves 2 --spines 2 --hosts-per-leaf 2 --model packet ";
  const auto refused = [&](const std::string& args, const std::string& expect) {
    INFO(args);
    CHECK(test::run_moesim(dir, base + args + " --out o") == 2);
    const std::string err = test::slurp(dir.path / "stderr.txt");
    CHECK(err.find(expect) != std::string::npos);
    CHECK(std::count(err.begin(), err.end(), '\n') == 1);
    CHECK_FALSE(std::filesystem::exists(dir.path / "o"));
  };
  refused("--fabric lossless --recovery drop", "--recovery");
  refused("--cc cubic", "expected one of dctcp, nscc, dcqcn");
  // 2 x 1 us x 12.5... at 400 Gb/s: 2 x 1 us x 50 GB/s = 100 KB of headroom alone.
  refused("--fabric lossless --buffer 64KiB", "expected --buffer of at least");
  refused("--marking red --red-min 100KB --red-max 50KB", "--red-max");
}
