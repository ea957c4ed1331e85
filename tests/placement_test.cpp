// Tests for expert placement: the static policies' layouts, validity of every policy's output
// (each expert placed, replicas counted, log2phy consistent), seeded randomness, the
// co-activation matrix, topology-aware grouping, and the placement CSV edges.
#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "sim/core/error.hpp"
#include "workloads/eplb.hpp"
#include "workloads/placement.hpp"
#include "workloads/policy_csv.hpp"

namespace {

using Catch::Matchers::Contains;
using moesim::InputError;
namespace wl = moesim::workload;

// Experts e with e % 4 == c form cluster c; every token picks two distinct experts of one
// cluster, cycling through the 6 pairs of each cluster. 16 experts, k = 2, 96 tokens.
std::vector<uint32_t> clustered_tokens() {
  std::vector<uint32_t> experts;
  for (uint32_t round = 0; round < 4; ++round) {
    for (uint32_t c = 0; c < 4; ++c) {
      for (uint32_t i = 0; i < 4; ++i) {
        for (uint32_t j = i + 1; j < 4; ++j) {
          if ((i + j + round) % 4 == 0) continue;  // vary the pair mix a little per round
          experts.push_back(c + 4 * i);
          experts.push_back(c + 4 * j);
        }
      }
    }
  }
  return experts;
}

// Tokens (k = 2) whose two experts sit under different leaves.
size_t tokens_crossing_leaves(const wl::Placement& p, const std::vector<uint32_t>& experts,
                              const std::vector<uint32_t>& leaf_of_gpu) {
  std::vector<uint32_t> leaf_of_expert(p.num_experts());
  for (uint32_t s = 0; s < p.num_slots(); ++s)
    leaf_of_expert[p.phy2log[0][s]] = leaf_of_gpu[p.gpu_of_slot(s)];
  size_t crossing = 0;
  for (size_t t = 0; t < experts.size(); t += 2)
    crossing += leaf_of_expert[experts[t]] != leaf_of_expert[experts[t + 1]];
  return crossing;
}

// Every layer is a permutation of the experts (no redundancy) and passes validation.
void check_permutation(const wl::Placement& p, uint32_t num_experts) {
  REQUIRE_NOTHROW(wl::validate_placement(p));
  for (const auto& row : p.phy2log) {
    std::vector<int32_t> sorted = row;
    std::sort(sorted.begin(), sorted.end());
    std::vector<int32_t> ids(num_experts);
    std::iota(ids.begin(), ids.end(), 0);
    CHECK(sorted == ids);
  }
  for (const auto& cnt : p.logcnt)
    CHECK(cnt == std::vector<int32_t>(num_experts, 1));
}

}  // namespace

TEST_CASE("workload::Placement: contiguous and round-robin layouts") {
  // 8 experts on 4 GPUs, 2 slots each. Contiguous: expert e in slot e on GPU e / 2.
  const wl::Placement c = wl::place_contiguous(2, 8, 4);
  CHECK(c.phy2log[1] == std::vector<int32_t>{0, 1, 2, 3, 4, 5, 6, 7});
  CHECK(c.gpu_of_slot(5) == 2);
  CHECK(c.log2phy[0][5] == std::vector<int32_t>{5});
  check_permutation(c, 8);
  // Round-robin: expert e on GPU e % 4, GPU g's slots hold g and g + 4.
  const wl::Placement r = wl::place_round_robin(1, 8, 4);
  CHECK(r.phy2log[0] == std::vector<int32_t>{0, 4, 1, 5, 2, 6, 3, 7});
  for (uint32_t e = 0; e < 8; ++e)
    CHECK(r.gpu_of_slot(r.log2phy[0][e][0]) == e % 4);
  check_permutation(r, 8);
  REQUIRE_THROWS_AS(wl::place_contiguous(1, 10, 4), InputError);
  REQUIRE_THROWS_AS(wl::place_round_robin(1, 8, 0), InputError);
}

TEST_CASE("workload::Placement: random is a seeded permutation per layer") {
  const wl::Placement a = wl::place_random(3, 64, 8, 42);
  check_permutation(a, 64);
  CHECK(wl::place_random(3, 64, 8, 42).phy2log == a.phy2log);  // same seed, same placement
  CHECK(wl::place_random(3, 64, 8, 43).phy2log != a.phy2log);
  CHECK(a.phy2log[0] != a.phy2log[1]);  // layers draw different permutations
  // A uniform permutation of 64 leaves an expert in its own slot ~1 time on average; a
  // placement equal to the identity would mean no shuffling happened.
  std::vector<int32_t> identity(64);
  std::iota(identity.begin(), identity.end(), 0);
  CHECK(a.phy2log[0] != identity);
}

TEST_CASE("workload::Placement: make_placement builds consistent tables") {
  // 3 experts on 2 GPUs x 2 slots, expert 1 replicated: slots 1 and 3.
  const wl::Placement p = wl::make_placement({{0, 1, 2, 1}}, 3, 2);
  CHECK(p.logcnt[0] == std::vector<int32_t>{1, 2, 1});
  CHECK(p.max_replicas() == 2);
  CHECK(p.log2phy[0] == std::vector<std::vector<int32_t>>{{0, -1}, {1, 3}, {2, -1}});
  CHECK(p.slots_per_gpu() == 2);
  REQUIRE_NOTHROW(wl::validate_placement(p));
  SECTION("expert id out of range") {
    REQUIRE_THROWS_AS(wl::make_placement({{0, 1, 2, 3}}, 3, 2), InputError);
  }
  SECTION("expert without a slot") {
    REQUIRE_THROWS_AS(wl::make_placement({{0, 1, 1, 1}}, 3, 2), InputError);
  }
  SECTION("slots not a multiple of gpus") {
    REQUIRE_THROWS_AS(wl::make_placement({{0, 1, 2}}, 3, 2), InputError);
  }
  SECTION("tampered log2phy is caught") {
    wl::Placement bad = p;
    bad.log2phy[0][1][1] = 2;
    REQUIRE_THROWS_AS(wl::validate_placement(bad), InputError);
  }
}

TEST_CASE("workload::Placement: every policy places every expert") {
  // 32 experts, 8 GPUs, 2 leaves; skewed loads; EPLB with 8 redundant slots.
  wl::ExpertLoads loads(2, std::vector<double>(32));
  for (uint32_t l = 0; l < 2; ++l) {
    for (uint32_t e = 0; e < 32; ++e)
      loads[l][e] = 1000.0 / (1 + (e * 7 + l) % 32);
  }
  const std::vector<uint32_t> leaf_of_gpu{0, 0, 0, 0, 1, 1, 1, 1};
  const std::vector<Eigen::MatrixXd> coact(2, Eigen::MatrixXd::Ones(32, 32));
  check_permutation(wl::place_contiguous(2, 32, 8), 32);
  check_permutation(wl::place_round_robin(2, 32, 8), 32);
  check_permutation(wl::place_random(2, 32, 8, 1), 32);
  check_permutation(wl::place_topology_aware(loads, coact, leaf_of_gpu), 32);
  for (const auto policy : {wl::EplbPolicy::hierarchical, wl::EplbPolicy::global}) {
    const wl::Placement p = wl::eplb(loads, {40, 4, 2, 8, policy});
    REQUIRE_NOTHROW(wl::validate_placement(p));
    for (const auto& cnt : p.logcnt) {
      // 40 slots = 32 experts + 8 replicas; every expert at least once.
      CHECK(std::accumulate(cnt.begin(), cnt.end(), 0) == 40);
      CHECK(*std::min_element(cnt.begin(), cnt.end()) >= 1);
    }
  }
}

TEST_CASE("workload::Placement: co-activation matrix") {
  // Tokens {0,1} {0,1} {1,2} {3,3}: A(0,1) = 2, A(1,2) = 1; the repeated 3 is no pair.
  const std::vector<uint32_t> experts{0, 1, 0, 1, 1, 2, 3, 3};
  const Eigen::MatrixXd a = wl::coactivation_matrix(experts, 2, 4);
  CHECK(a(0, 1) == 2);
  CHECK(a(1, 0) == 2);
  CHECK(a(1, 2) == 1);
  CHECK(a(3, 3) == 0);
  CHECK(a.sum() == 2 * (2 + 1));
  REQUIRE_THROWS_AS(wl::coactivation_matrix(experts, 3, 4), InputError);
  REQUIRE_THROWS_AS(wl::coactivation_matrix(experts, 2, 3), InputError);
}

TEST_CASE("workload::Placement: topology-aware keeps co-activated experts under one leaf") {
  // 16 experts, 4 leaves x 2 GPUs x 2 slots. Clusters {c, c+4, c+8, c+12}: contiguous puts
  // experts 0..3 (one of each cluster) under leaf 0, so every token crosses leaves. With equal
  // loads the seeds are experts 0 1 2 3 (one per leaf) and each leaf then grows by affinity
  // into exactly its seed's cluster (4 experts x load 1/16 fit the 1.1 / 4 budget).
  const std::vector<uint32_t> experts = clustered_tokens();
  const std::vector<uint32_t> leaf_of_gpu{0, 0, 1, 1, 2, 2, 3, 3};
  const std::vector<uint64_t> counts = [&] {
    std::vector<uint64_t> c(16, 0);
    for (const uint32_t e : experts)
      ++c[e];
    return c;
  }();
  const wl::ExpertLoads loads{std::vector<double>(counts.begin(), counts.end())};
  const wl::Placement p =
      wl::place_topology_aware(loads, {wl::coactivation_matrix(experts, 2, 16)}, leaf_of_gpu);
  check_permutation(p, 16);
  CHECK(tokens_crossing_leaves(p, experts, leaf_of_gpu) == 0);
  CHECK(tokens_crossing_leaves(wl::place_contiguous(1, 16, 8), experts, leaf_of_gpu) ==
        experts.size() / 2);
}

TEST_CASE("workload::Placement: topology-aware balances load without co-activation") {
  // Loads 16, 15, ..., 1 (total 136) and no co-activation: contiguous puts 16+15+14+13 = 58
  // under leaf 0 (mean 34, max/mean 1.71). The budget is 1.1 x 34 = 37.4 per leaf.
  wl::ExpertLoads loads{std::vector<double>(16)};
  for (uint32_t e = 0; e < 16; ++e)
    loads[0][e] = 16.0 - e;
  const std::vector<uint32_t> leaf_of_gpu{0, 0, 1, 1, 2, 2, 3, 3};
  const wl::Placement p =
      wl::place_topology_aware(loads, {Eigen::MatrixXd::Zero(16, 16)}, leaf_of_gpu);
  check_permutation(p, 16);
  std::vector<double> leaf_load(4, 0.0);
  for (uint32_t s = 0; s < 16; ++s)
    leaf_load[leaf_of_gpu[p.gpu_of_slot(s)]] += loads[0][p.phy2log[0][s]];
  CHECK(*std::max_element(leaf_load.begin(), leaf_load.end()) <= 37.4);
  SECTION("bad inputs") {
    REQUIRE_THROWS_AS(wl::place_topology_aware(loads, {}, leaf_of_gpu), InputError);
    REQUIRE_THROWS_AS(wl::place_topology_aware(loads, {Eigen::MatrixXd::Zero(8, 8)}, leaf_of_gpu),
                      InputError);
    REQUIRE_THROWS_AS(
        wl::place_topology_aware(loads, {Eigen::MatrixXd::Zero(16, 16)}, leaf_of_gpu, -0.5),
        InputError);
    const std::vector<uint32_t> three_gpus{0, 0, 1};
    REQUIRE_THROWS_AS(wl::place_topology_aware(loads, {Eigen::MatrixXd::Zero(16, 16)}, three_gpus),
                      InputError);
  }
}

TEST_CASE("workload::PlacementCsv: writes layer slot gpu expert rows") {
  // Round-robin, 4 experts on 2 GPUs: slots hold 0 2 | 1 3; gpu = slot / 2.
  std::ostringstream out;
  wl::write_placement_csv(out, wl::place_round_robin(1, 4, 2));
  CHECK(out.str() == "layer,slot,gpu,expert\n0,0,0,0\n0,1,0,2\n0,2,1,1\n0,3,1,3\n");
}

TEST_CASE("workload::PlacementCsv: reads expert loads strictly") {
  const auto read = [](const std::string& text) {
    std::istringstream in(text);
    return wl::read_expert_loads_csv(in, "loads.csv");
  };
  // Any row order, comments and blank lines; decimals allowed.
  CHECK(read("# loads\nlayer,expert,load\n1,0,5\n0,1,2.5\n\n0,0,7\n1,1,0\n") ==
        wl::ExpertLoads{{7, 2.5}, {5, 0}});
  SECTION("missing header") {
    REQUIRE_THROWS_WITH(read("0,0,1\n"), Contains("loads.csv:1") && Contains("header"));
  }
  SECTION("negative load") {
    REQUIRE_THROWS_WITH(read("layer,expert,load\n0,0,-1\n"),
                        Contains("loads.csv:2: field load: value '-1'"));
  }
  SECTION("not a number") {
    REQUIRE_THROWS_WITH(read("layer,expert,load\n0,0,nan\n"), Contains("value 'nan'"));
  }
  SECTION("bad expert index") {
    REQUIRE_THROWS_WITH(read("layer,expert,load\n0,x,1\n"),
                        Contains("loads.csv:2: field expert: value 'x'"));
  }
  SECTION("wrong field count") {
    REQUIRE_THROWS_WITH(read("layer,expert,load\n0,0\n"), Contains("loads.csv:2: 2 fields"));
  }
  SECTION("repeated row") {
    REQUIRE_THROWS_WITH(read("layer,expert,load\n0,0,1\n0,1,1\n0,0,2\n"),
                        Contains("loads.csv:4: layer 0 expert 0 repeated (first at line 2)"));
  }
  SECTION("missing expert in one layer") {
    REQUIRE_THROWS_WITH(read("layer,expert,load\n0,0,1\n0,1,1\n1,1,1\n"),
                        Contains("no row for layer 1 expert 0"));
  }
  SECTION("header only") {
    REQUIRE_THROWS_AS(read("layer,expert,load\n"), InputError);
  }
  SECTION("missing file") {
    REQUIRE_THROWS_WITH(wl::read_expert_loads_csv("/nonexistent/loads.csv"),
                        Contains("/nonexistent/loads.csv: cannot open"));
  }
}
