// Tests for the EPLB port: the upstream test vectors (reference/policies.md §7 comparison
// rules), hand-derived runs of the two sub-routines, the README example's intermediate
// per-GPU loads, policy choice, invariants of the result and every input error.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "sim/core/error.hpp"
#include "tests/policy_vectors.hpp"
#include "workloads/eplb.hpp"

namespace {

using moesim::InputError;
namespace wl = moesim::workload;

// Per-GPU load of one layer (load of a slot = expert load / replicas), sorted ascending.
std::vector<double> sorted_gpu_loads(const std::vector<double>& w, const std::vector<int32_t>& p2l,
                                     const std::vector<int32_t>& cnt, uint32_t gpus) {
  const size_t per_gpu = p2l.size() / gpus;
  std::vector<double> load(gpus, 0.0);
  for (size_t s = 0; s < p2l.size(); ++s)
    load[s / per_gpu] += w[p2l[s]] / cnt[p2l[s]];
  std::sort(load.begin(), load.end());
  return load;
}

std::set<int32_t> slot_set(const std::vector<int32_t>& row) {
  std::set<int32_t> out;
  for (const int32_t s : row) {
    if (s >= 0) out.insert(s);
  }
  return out;
}

wl::ExpertLoads readme_loads() {
  return {{90, 132, 40, 61, 104, 165, 39, 4, 73, 56, 183, 86},
          {20, 107, 104, 64, 19, 197, 187, 157, 172, 86, 16, 27}};
}

}  // namespace

TEST_CASE("workload::EPLB: reproduces the upstream test vectors") {
  const auto root = moesim::test::read_policy_vectors("eplb_test_vectors.json");
  int cases = 0;
  int exact = 0;
  for (const auto& [key, c] : root.get_child("cases")) {
    const std::string name = c.get<std::string>("name");
    INFO("case " << name);
    const auto weight = moesim::test::matrix_of<double>(c.get_child("weight"));
    const wl::EplbConfig config{c.get<uint32_t>("num_replicas"), c.get<uint32_t>("num_groups"),
                                c.get<uint32_t>("num_nodes"), c.get<uint32_t>("num_gpus")};
    const auto want_p2l = moesim::test::matrix_of<int32_t>(c.get_child("phy2log"));
    const auto want_cnt = moesim::test::matrix_of<int32_t>(c.get_child("logcnt"));
    std::vector<std::vector<std::vector<int32_t>>> want_l2p;
    for (const auto& [k2, layer] : c.get_child("log2phy"))
      want_l2p.push_back(moesim::test::matrix_of<int32_t>(layer));

    const wl::Placement got = wl::eplb(weight, config);
    REQUIRE_NOTHROW(wl::validate_placement(got));
    ++cases;
    if (!c.get<bool>("ties")) {
      // Tie-free: phy2log and logcnt exactly, log2phy per expert as a set of slots.
      CHECK(got.phy2log == want_p2l);
      CHECK(got.logcnt == want_cnt);
      CHECK(got.max_replicas() == want_l2p.front().front().size());
      bool sets_equal = true;
      for (size_t l = 0; l < weight.size(); ++l) {
        for (size_t e = 0; e < weight[l].size(); ++e)
          sets_equal = sets_equal && slot_set(got.log2phy[l][e]) == slot_set(want_l2p[l][e]);
      }
      CHECK(sets_equal);
      if (got.phy2log == want_p2l && got.logcnt == want_cnt && sets_equal) ++exact;
    } else {
      // Ties: upstream's unstable sort makes slot order implementation-defined; compare the
      // multiset of per-GPU loads.
      bool loads_equal = true;
      for (size_t l = 0; l < weight.size(); ++l) {
        const auto mine =
            sorted_gpu_loads(weight[l], got.phy2log[l], got.logcnt[l], config.num_gpus);
        const auto theirs = sorted_gpu_loads(weight[l], want_p2l[l], want_cnt[l], config.num_gpus);
        for (size_t g = 0; g < mine.size(); ++g)
          loads_equal = loads_equal && mine[g] == Approx(theirs[g]);
      }
      CHECK(loads_equal);
      if (loads_equal) ++exact;
    }
    // Every case also records upstream's per-GPU max/mean load.
    const auto max_over_mean = moesim::test::array_of<double>(c.get_child("gpu_max_over_mean"));
    for (size_t l = 0; l < weight.size(); ++l) {
      const auto loads =
          sorted_gpu_loads(weight[l], got.phy2log[l], got.logcnt[l], config.num_gpus);
      double sum = 0;
      for (const double x : loads)
        sum += x;
      CHECK(loads.back() / (sum / loads.size()) == Approx(max_over_mean[l]));
    }
  }
  // 9 cases: README example, case1..case6 tie-free, case7 and case8 with ties.
  CHECK(cases == 9);
  CHECK(exact == 9);
}

TEST_CASE("workload::EPLB: balanced packing on a hand-derived case") {
  // Weights 4 9 1 7 3 6 into 2 packs of 3, heaviest first into the lighter pack:
  // 9 -> p0 (0 vs 0, lower index) | 7 -> p1 | 6 -> p1 (7 < 9) | 4 -> p0 (9 < 13) |
  // 3 -> p0 (13 vs 13, lower index; p0 now full) | 1 -> p1. Loads 16 and 14.
  const std::vector<double> w{4, 9, 1, 7, 3, 6};
  const wl::Packing p = wl::balanced_packing(w, 2);
  CHECK(p.pack == std::vector<uint32_t>{0, 0, 1, 1, 0, 1});
  CHECK(p.rank == std::vector<uint32_t>{1, 0, 2, 0, 2, 1});
  // One item per pack: identity, whatever the weights.
  const wl::Packing id = wl::balanced_packing(w, 6);
  CHECK(id.pack == std::vector<uint32_t>{0, 1, 2, 3, 4, 5});
  CHECK(id.rank == std::vector<uint32_t>(6, 0));
  CHECK_THROWS_AS(wl::balanced_packing(w, 4), InputError);
}

TEST_CASE("workload::EPLB: replicate experts on a hand-derived case") {
  // w = 10 4 6, 5 slots. Slot 3: w/cnt = 10 4 6 -> expert 0 (rank 1). Slot 4: 5 4 6 -> expert 2.
  const wl::Replication r = wl::replicate_experts(std::vector<double>{10, 4, 6}, 5);
  CHECK(r.phy2log == std::vector<uint32_t>{0, 1, 2, 0, 2});
  CHECK(r.rank == std::vector<uint32_t>{0, 0, 0, 1, 1});
  CHECK(r.logcnt == std::vector<uint32_t>{2, 1, 2});
  // A tie (6 vs 6) goes to the first index.
  CHECK(wl::replicate_experts(std::vector<double>{6, 6}, 3).phy2log ==
        std::vector<uint32_t>{0, 1, 0});
}

TEST_CASE("workload::EPLB: README example per-GPU loads") {
  // reference/policies.md §2.2, layer 0: GPU0 (5,6) 165/2 + 39 = 121.5, GPU1 (5,7) 82.5 + 4,
  // GPU2 (8,4) 73 + 104/2, GPU3 (3,4) 61 + 52, GPU4 (10,9) 183/2 + 56, GPU5 (10,2) 91.5 + 40,
  // GPU6 (0,1) 90 + 132/2, GPU7 (11,1) 86 + 66; max/mean = 156 / 129.125 = 1.208.
  const wl::Placement p = wl::eplb(readme_loads(), {16, 4, 2, 8});
  const std::vector<double> want{121.5, 86.5, 125.0, 113.0, 147.5, 131.5, 156.0, 152.0};
  const std::vector<double> w = readme_loads()[0];
  for (uint32_t g = 0; g < 8; ++g) {
    const double load = w[p.phy2log[0][2 * g]] / p.logcnt[0][p.phy2log[0][2 * g]] +
                        w[p.phy2log[0][2 * g + 1]] / p.logcnt[0][p.phy2log[0][2 * g + 1]];
    CHECK(load == want[g]);
  }
}

TEST_CASE("workload::EPLB: hierarchical keeps groups and their replicas on one node") {
  // case2-like shape: 64 experts in 8 groups, 2 nodes, 16 GPUs, 80 slots; skewed loads.
  wl::ExpertLoads loads(1, std::vector<double>(64));
  for (size_t e = 0; e < 64; ++e)
    loads[0][e] = static_cast<double>((e * 37) % 64 + 1) * ((e % 5 == 0) ? 10 : 1);
  const wl::Placement p = wl::eplb(loads, {80, 8, 2, 16});
  REQUIRE_NOTHROW(wl::validate_placement(p));
  // Slot s is on node s / (80 / 2); every slot of group g (experts 8g..8g+7) on one node.
  std::vector<std::set<uint32_t>> nodes_of_group(8);
  for (uint32_t s = 0; s < 80; ++s)
    nodes_of_group[p.phy2log[0][s] / 8].insert(s / 40);
  for (const auto& nodes : nodes_of_group)
    CHECK(nodes.size() == 1);
  // 80 slots = 64 experts + 16 replicas.
  int replicas = 0;
  for (const int32_t c : p.logcnt[0])
    replicas += c;
  CHECK(replicas == 80);
}

TEST_CASE("workload::EPLB: policy choice") {
  const wl::ExpertLoads loads = readme_loads();
  // 12 experts in 4 groups on 3 nodes of 2 GPUs, 18 slots: 4 % 3 != 0, so not hierarchical.
  SECTION("automatic falls back to global when groups % nodes != 0") {
    const wl::Placement a = wl::eplb(loads, {18, 4, 3, 6});
    const wl::Placement g = wl::eplb(loads, {18, 4, 3, 6, wl::EplbPolicy::global});
    CHECK(a.phy2log == g.phy2log);
  }
  SECTION("forcing hierarchical with groups % nodes != 0 is an error") {
    CHECK_THROWS_AS(wl::eplb(loads, {18, 4, 3, 6, wl::EplbPolicy::hierarchical}), InputError);
  }
  SECTION("global on one node equals hierarchical with one group and one node") {
    CHECK(wl::eplb(loads, {16, 1, 1, 8}).phy2log ==
          wl::eplb(loads, {16, 4, 2, 8, wl::EplbPolicy::global}).phy2log);
  }
}

TEST_CASE("workload::EPLB: rejects bad parameters") {
  const wl::ExpertLoads loads = readme_loads();
  SECTION("experts not divisible by groups") {
    REQUIRE_THROWS_AS(wl::eplb(loads, {16, 5, 1, 8}), InputError);
  }
  SECTION("hierarchical with gpus not divisible by nodes") {
    // 4 groups on 4 nodes is hierarchical, but 6 GPUs do not split over 4 nodes.
    REQUIRE_THROWS_AS(wl::eplb(loads, {18, 4, 4, 6}), InputError);
  }
  SECTION("slots not divisible by gpus") {
    REQUIRE_THROWS_AS(wl::eplb(loads, {18, 4, 2, 8}), InputError);
  }
  SECTION("fewer slots than experts") {
    REQUIRE_THROWS_AS(wl::eplb(loads, {8, 4, 2, 8}), InputError);
  }
  SECTION("negative load") {
    wl::ExpertLoads bad = loads;
    bad[1][3] = -1;
    REQUIRE_THROWS_AS(wl::eplb(bad, {16, 4, 2, 8}), InputError);
  }
  SECTION("ragged layers") {
    wl::ExpertLoads bad = loads;
    bad[1].pop_back();
    REQUIRE_THROWS_AS(wl::eplb(bad, {16, 4, 2, 8}), InputError);
  }
}
