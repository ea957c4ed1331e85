// End-to-end tests of the MoE commands: run --workload moe, replay of the real Mixtral trace,
// trace gen/convert/stats.
#include <fstream>

#include <catch2/catch.hpp>

#include "cli_util.hpp"

using namespace moesim::test;

namespace {

const std::string kMixtral = std::string(MOESIM_SHARED_DATA) +
                             "/traces/mixtral-8x7b_vllm_Mario928-speculative-moe/"
                             "gsm8k_2_routing.jsonl";

// Sums a numeric column over the data rows of a CSV.
double column_sum(const std::string& csv, const std::string& name) {
  const auto lines = split(csv, '\n');
  const size_t c = column(lines.at(0), name);
  double sum = 0;
  for (size_t i = 1; i < lines.size(); ++i)
    sum += std::stod(split(lines[i], ',').at(c));
  return sum;
}

}  // namespace

TEST_CASE("cli::moe: run --workload moe writes one layers row per layer") {
  TempDir dir;
  // 2 x 2 hosts = 4 GPUs, Mixtral shape with 3 layers, 128 tokens per GPU: 512 tokens and
  // 1024 (token, expert) slots per layer.
  REQUIRE(run_moesim(dir,
                     "run --workload moe --leaves 2 --spines 2 --hosts-per-leaf 2 "
                     "--moe-layers 3 --tokens-per-gpu 128 --model fluid --transport ecmp "
                     "--detail layers --out r") == 0);
  const std::string csv = slurp(dir.path / "r" / "layers.csv");
  CHECK(split(csv, '\n').size() == 1 + 3);
  CHECK(column_sum(csv, "tokens") == 3 * 512);
  CHECK(column_sum(csv, "slots") == 3 * 1024);
  CHECK(column_sum(csv, "dropped_share") == 0);  // dropless by default
  CHECK(column_sum(csv, "layer_us") > 0);
}

TEST_CASE("cli::moe: a capacity factor below the skew drops tokens") {
  TempDir dir;
  REQUIRE(run_moesim(dir,
                     "run --workload moe --leaves 2 --spines 2 --hosts-per-leaf 2 "
                     "--moe-layers 2 --tokens-per-gpu 128 --capacity drop --capacity-factor 1.0 "
                     "--drop-policy position "
                     "--model analytic --transport ecmp --detail layers --out r") == 0);
  // Zipf-skewed experts overflow a capacity of exactly the mean load.
  CHECK(column_sum(slurp(dir.path / "r" / "layers.csv"), "dropped_share") > 0);
}

TEST_CASE("cli::moe: replaying the Mixtral trace routes every token of it") {
  TempDir dir;
  REQUIRE(run_moesim(dir, "replay '" + kMixtral +
                              "' --leaves 1 --spines 1 --hosts-per-leaf 8 --model fluid "
                              "--transport ecmp --out r") == 0);
  // One JSON line per (token, layer): the layers' token counts sum to the file's lines.
  std::ifstream in(kMixtral);
  double lines = 0;
  for (std::string line; std::getline(in, line);)
    lines += line.empty() ? 0 : 1;
  const std::string csv = slurp(dir.path / "r" / "layers.csv");
  CHECK(column_sum(csv, "tokens") == lines);
  CHECK(column_sum(csv, "slots") == 2 * lines);  // top-2
}

TEST_CASE("cli::trace: gen then convert there and back gives the same bytes") {
  TempDir dir;
  REQUIRE(run_moesim(
              dir, "trace gen --moe-model olmoe-1b-7b --tokens-per-gpu 16 --gpus 4 --out a.csv") ==
          0);
  REQUIRE(run_moesim(dir, "trace convert a.csv --moe-model olmoe-1b-7b --out b.jsonl") == 0);
  REQUIRE(run_moesim(dir, "trace convert b.jsonl --moe-model olmoe-1b-7b --out c.csv") == 0);
  CHECK(slurp(dir.path / "a.csv") == slurp(dir.path / "c.csv"));
  REQUIRE(run_moesim(dir, "trace stats c.csv --moe-model olmoe-1b-7b") == 0);
  CHECK(slurp(dir.path / "stdout.txt").find("median") != std::string::npos);
}

TEST_CASE("cli::moe: bad MoE input exits with code 2") {
  for (const std::string& args :
       {"run --workload moe --moe-model gpt5 --out o",
        "run --workload moe --placement magic --out o",
        "run --workload moe --balance magic --out o", "run --workload moe --top-k 99 --out o",
        "run --detail layers --out o", "replay missing.jsonl --out o", "replay --out o",
        "trace gen --moe-model mixtral-8x7b", "trace stats missing.csv", "trace frobnicate",
        "run --workload moe --capacity drop --out o"}) {
    INFO(args);
    TempDir dir;
    CHECK(run_moesim(dir, args) == 2);
    CHECK(!fs::exists(dir.path / "o"));
  }
}

TEST_CASE("cli::placement: every trace x policy x transport gets a row and a figure") {
  TempDir dir;
  REQUIRE(run_moesim(dir, "placement --out p") == 0);
  const std::string csv = slurp(dir.path / "p" / "placement.csv");
  // 2 traces (synthetic, Mixtral) x 7 placement/balancing policies x 2 transports.
  REQUIRE(split(csv, '\n').size() == 1 + 2 * 7 * 2);
  // LLEP evens out the rows per GPU of the skewed synthetic trace: max/mean 1 up to rounding,
  // where the contiguous placement leaves the busiest GPU well above the mean.
  const auto lines = split(csv, '\n');
  const size_t ratio = column(lines[0], "max_over_mean_gpu_rows");
  double llep = 0, contiguous = 0;
  for (size_t i = 1; i < lines.size(); ++i) {
    const auto c = split(lines[i], ',');
    if (c[0] != "synthetic-olmoe") continue;
    if (c[1] == "contiguous+llep") llep = std::stod(c[ratio]);
    if (c[1] == "contiguous") contiguous = std::stod(c[ratio]);
  }
  CHECK(llep < 1.01);
  CHECK(contiguous > 1.2);
  CHECK(fs::file_size(dir.path / "p" / "placement.png") > 0);
}
