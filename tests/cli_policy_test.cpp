// `moesim place` and `moesim balance` reproduce the EPLB and LLEP reference vectors
// (../shared/data/policies) end to end: CSV in, the command, CSV out.
#include <fstream>

#include <catch2/catch.hpp>

#include "cli_util.hpp"
#include "policy_vectors.hpp"

using namespace moesim::test;

TEST_CASE("cli::place: eplb reproduces every reference phy2log") {
  const ptree root = read_policy_vectors("eplb_test_vectors.json");
  int cases = 0;
  for (const auto& [key, c] : root.get_child("cases")) {
    if (c.get<bool>("ties", false)) continue;  // ties: only the loads are pinned down
    INFO(c.get<std::string>("name"));
    TempDir dir;
    const auto weight = matrix_of<double>(c.get_child("weight"));
    {
      std::ofstream loads(dir.path / "loads.csv");
      loads << "layer,expert,load\n";
      for (size_t l = 0; l < weight.size(); ++l)
        for (size_t e = 0; e < weight[l].size(); ++e)
          loads << l << "," << e << "," << weight[l][e] << "\n";
    }
    const std::string args = fmt::format(
        "place --policy eplb --loads loads.csv --slots {} --groups {} --nodes {} --gpus {} "
        "--out p.csv",
        c.get<int>("num_replicas"), c.get<int>("num_groups"), c.get<int>("num_nodes"),
        c.get<int>("num_gpus"));
    REQUIRE(run_moesim(dir, args) == 0);
    const auto phy2log = matrix_of<int>(c.get_child("phy2log"));
    const auto lines = split(slurp(dir.path / "p.csv"), '\n');
    REQUIRE(lines[0] == "layer,slot,gpu,expert");
    size_t row = 1;
    const int per_gpu = c.get<int>("num_replicas") / c.get<int>("num_gpus");
    for (size_t l = 0; l < phy2log.size(); ++l) {
      for (size_t s = 0; s < phy2log[l].size(); ++s, ++row) {
        REQUIRE(row < lines.size());
        CHECK(lines[row] ==
              fmt::format("{},{},{},{}", l, s, static_cast<int>(s) / per_gpu, phy2log[l][s]));
      }
    }
    ++cases;
  }
  CHECK(cases >= 5);
}

TEST_CASE("cli::balance: llep reproduces every reference plan in order") {
  const ptree root = read_policy_vectors("llep_lla_test_vectors.json");
  int cases = 0;
  for (const auto& [key, c] : root.get_child("cases")) {
    TempDir dir;
    const auto counts = array_of<uint64_t>(c.get_child("counts"));
    {
      std::ofstream csv(dir.path / "counts.csv");
      csv << "expert,count\n";
      for (size_t e = 0; e < counts.size(); ++e)
        csv << e << "," << counts[e] << "\n";
    }
    const std::string args = fmt::format(
        "balance --policy llep --counts counts.csv --gpus {} --local-experts {} --alpha {} "
        "--min-tokens {} --out plan.csv",
        c.get<int>("ep_size"), c.get<int>("num_local_experts"), c.get<std::string>("alpha"),
        c.get<int>("min_tokens_per_gemm"));
    INFO(args);
    REQUIRE(run_moesim(dir, args) == 0);
    std::vector<std::string> expected = {"expert,gpu,token_start,token_end"};
    for (const auto& [expert, chunks] : c.get_child("plan")) {
      for (const auto& [i, chunk] : chunks) {
        const auto v = array_of<uint64_t>(chunk);
        expected.push_back(fmt::format("{},{},{},{}", expert, v[0], v[1], v[2]));
      }
    }
    CHECK(split(slurp(dir.path / "plan.csv"), '\n') == expected);
    ++cases;
  }
  CHECK(cases >= 10);
}

TEST_CASE("cli::place: bad input exits 2 and writes nothing") {
  TempDir dir;
  std::ofstream(dir.path / "bad.csv") << "layer,expert,load\n0,0,1\n0,1,x\n";
  for (const std::string args :
       {"place --policy eplb --loads bad.csv --out p.csv", "place --policy magic --out p.csv",
        "place --policy eplb --out p.csv", "balance --policy llep --out p.csv",
        "balance --policy greedy --counts c.csv --out p.csv"}) {
    INFO(args);
    CHECK(run_moesim(dir, args) == 2);
    CHECK(!fs::exists(dir.path / "p.csv"));
  }
}
