// `moesim training`: the training-step experiment's grid, columns and refusals.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "cli_util.hpp"

using namespace moesim;

TEST_CASE("cli::training: one row per placement x overlap x transport, step = compute + exposed") {
  test::TempDir dir;
  // A small cluster: 2 leaves x 8 GPUs in servers of 8, PP 2 x DP 8, EP 4, OLMoE's 64 experts
  // (16 per EP rank; eplb+spare gives 17 slots), 2 layers, 2 micro-batches.
  const std::string small =
      "training --leaves 2 --hosts-per-leaf 8 --spines 2 --moe-model olmoe-1b-7b --moe-layers 2 "
      "--tokens-per-gpu 32 --ep 4 --micro-batches 2 --transport ecmp,plan ";
  REQUIRE(test::run_moesim(dir, small + "--out t") == 0);
  const std::string csv = test::slurp(dir.path / "t" / "training.csv");
  const auto lines = test::split(csv, '\n');
  REQUIRE(lines.at(0) ==
          "placement,overlap,transport,model,step_us,compute_us,exposed_comm_us,nic_bytes,"
          "nvlink_bytes,flows");
  // 2 placements x 2 overlaps x 2 transports x 1 model.
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 1 + 8);
  const size_t step = test::column(lines[0], "step_us"),
               comp = test::column(lines[0], "compute_us");
  const size_t exposed = test::column(lines[0], "exposed_comm_us");
  for (size_t i = 1; i < lines.size(); ++i) {
    const auto c = test::split(lines[i], ',');
    INFO(lines[i]);
    CHECK(std::stod(c.at(step)) >= std::stod(c.at(comp)));
    CHECK(std::stod(c.at(exposed)) ==
          Approx(std::stod(c.at(step)) - std::stod(c.at(comp))).margin(1e-3));
  }
  // The experiment sets placement and overlap itself.
  for (const std::string bad : {"--placement eplb", "--overlap none", "--slots-per-gpu 4"}) {
    INFO(bad);
    CHECK(test::run_moesim(dir, small + bad + " --out b") == 2);
    CHECK(!test::fs::exists(dir.path / "b"));
  }
}
