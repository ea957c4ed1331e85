// End-to-end: `moesim run --model simgrid` and `moesim validate` through the binary.
#include <catch2/catch.hpp>

#include "tests/cli_util.hpp"

using namespace moesim::test;

TEST_CASE("sim::simgrid: moesim run --model simgrid matches fluid in results.csv") {
  // 2 leaves x 4 hosts, 2 spines at 400 Gb/s hosts (1:1): ecmp paths are the same for both
  // models, so the CCTs must be equal to the printed digits.
  TempDir dir;
  REQUIRE(run_moesim(dir,
                     "run --leaves 2 --spines 2 --hosts-per-leaf 4 --model fluid,simgrid "
                     "--transport ecmp,ideal --out res") == 0);
  const auto lines = split(slurp(dir.path / "res" / "results.csv"), '\n');
  REQUIRE(lines.size() == 5);  // header + 2 transports x 2 models
  const size_t model = column(lines[0], "model");
  const size_t cct = column(lines[0], "cct_us");
  for (size_t i = 1; i < lines.size(); i += 2) {
    const auto fluid = split(lines[i], ',');
    const auto simgrid = split(lines[i + 1], ',');
    REQUIRE(cct < fluid.size());
    CHECK(fluid[model] == "fluid");
    CHECK(simgrid[model] == "simgrid");
    CHECK(simgrid[cct] == fluid[cct]);
  }
}

TEST_CASE("sim::simgrid: moesim validate writes validate.csv and never overwrites it") {
  TempDir dir;
  REQUIRE(run_moesim(dir, "validate --out v") == 0);
  const auto lines = split(slurp(dir.path / "v" / "validate.csv"), '\n');
  REQUIRE(lines.size() == 17);  // header + 16 rows
  CHECK(lines[0].rfind("scenario,transport,flows,fluid_cct_us,simgrid_cct_us,ratio,", 0) == 0);
  CHECK(slurp(dir.path / "stdout.txt").find("leaf-spine/moe-layer") != std::string::npos);
  // A second run into the same directory is bad input: one line, exit 2.
  CHECK(run_moesim(dir, "validate --out v") == 2);
  const std::string err = slurp(dir.path / "stderr.txt");
  CHECK(err.rfind("moesim: error: ", 0) == 0);
  CHECK(std::count(err.begin(), err.end(), '\n') == 1);
}
