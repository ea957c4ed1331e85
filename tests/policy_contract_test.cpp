// Contract tests over every registered placement policy x every registered balancing policy
// (workloads/placement_registry.hpp, workloads/balance_registry.hpp), through the MoE pipeline
// on a tiny synthetic trace: every expert keeps a slot, every GPU holds its slots, every routed
// (token, expert) pair lands where that expert's weights are, tokens are conserved (only a
// capacity policy drops), and the same seed routes the same traffic. A new policy joins these
// tests by registering, with no test to write.
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "tests/moe_fixtures.hpp"

#include "workloads/balance_registry.hpp"
#include "workloads/moe_pipeline.hpp"
#include "workloads/placement_registry.hpp"

using namespace moesim;
using namespace moesim::workload;

namespace {

// 4 GPUs under 2 leaves (GPUs 0-1 under switch 10, 2-3 under switch 11).
constexpr uint32_t kGpus = 4;
const std::vector<uint32_t> kLeaves = {10, 10, 11, 11};

// Mixtral's shape cut down: 8 experts, top-2, 2 MoE layers, 2 iterations (so alf's bias moves
// once); 64 tokens per GPU = 256 tokens per layer, 512 (token, expert) slots.
MoeSpec tiny_spec(const PlacementEntry& p, const BalanceEntry& b, uint32_t slots_per_gpu,
                  CapacityMode capacity) {
  MoeSpec s = test::tiny_mixtral(2, 2, 7, 64);
  s.placement = p.name;
  s.slots_per_gpu = slots_per_gpu;
  // The sampling router gives no gate weights, so a full expert drops by position.
  s.routing.capacity = {capacity, 1.0, DropPolicy::position, 0};
  apply_balance(s, b.name, {.alf_rate = 0.01}, "--balance");
  return s;
}

MoeLayers route(const MoeSpec& s) {
  return route_trace(s, kGpus, kLeaves, trace_source(s, kGpus));
}

// Whether GPU g hosts a slot of expert e in `layer`.
bool hosts(const Placement& p, uint32_t layer, uint32_t g, uint32_t e) {
  for (uint32_t s = 0; s < p.num_slots(); ++s) {
    if (p.gpu_of_slot(s) == g && p.phy2log[layer][s] == static_cast<int32_t>(e)) return true;
  }
  return false;
}

void check_contract(const MoeSpec& s, const MoeLayers& out, bool llep) {
  const uint32_t experts = s.shape.experts, k = s.shape.top_k;
  const Placement& p = out.placement;
  // Placement: one row per layer, every GPU with the configured slots, every expert a replica.
  REQUIRE_NOTHROW(validate_placement(p));
  CHECK(p.num_gpus == kGpus);
  CHECK(p.num_layers() == s.shape.layers);
  CHECK(p.slots_per_gpu() == s.slots_per_gpu);
  CHECK(p.num_slots() == s.slots_per_gpu * kGpus);
  for (uint32_t l = 0; l < p.num_layers(); ++l) {
    for (uint32_t e = 0; e < experts; ++e)
      CHECK(p.logcnt[l][e] >= 1);
  }
  // 2 iterations x 2 layers, each 4 GPUs x 64 = 256 tokens.
  REQUIRE(out.traffic.size() == 4);
  for (size_t i = 0; i < out.traffic.size(); ++i) {
    const LayerTraffic& t = out.traffic[i];
    const LayerStats& st = out.stats[i];
    const uint32_t layer = out.layer[i];
    CHECK(st.tokens == 256);
    CHECK(st.slots == 256 * k);  // 512
    uint64_t rows = 0, foreign_pairs = 0;
    for (uint32_t g = 0; g < kGpus; ++g) {
      for (uint32_t e = 0; e < experts; ++e) {
        const uint64_t r = t.expert_rows[g][e];
        rows += r;
        if (r == 0) continue;
        if (llep) {
          // LLEP computes expert e on its native GPU e / (E/P) = e / 2, or on a GPU its
          // weights were copied to: one weight transfer per spilled chunk.
          if (g != e / (experts / kGpus)) ++foreign_pairs;
        } else {
          INFO("layer " << layer << " gpu " << g << " expert " << e);
          CHECK(hosts(p, layer, g, e));
        }
      }
    }
    CHECK(foreign_pairs <= st.weight_transfers);
    // Every kept (token, expert) slot is one row; padding only in pad mode (not used here).
    CHECK(st.padding == 0);
    CHECK(rows == st.slots - st.dropped);
    if (s.routing.capacity.mode == CapacityMode::dropless) CHECK(st.dropped == 0);
    // Dispatch copies: a token once per distinct destination GPU, so between one per token
    // (dropless: each token keeps >= 1 slot) and one per kept slot.
    uint64_t copies = 0;
    for (const uint64_t c : t.tokens)
      copies += c;
    CHECK(copies <= rows);
    if (st.dropped == 0) CHECK(copies >= st.tokens);
    CHECK(copies == st.local_tokens + st.remote_tokens);
  }
}

}  // namespace

TEST_CASE("workload::policy registries: every placement x balancing keeps slots and tokens") {
  for (const PlacementEntry* p : placement_entries()) {
    for (const BalanceEntry* b : balance_entries()) {
      // 8 experts on 4 GPUs: 2 slots per GPU fit them exactly; 3 leave spare slots (replicas).
      for (const uint32_t per_gpu : {2u, 3u}) {
        if (per_gpu == 3 && !p->allows_spare_slots) continue;
        for (const CapacityMode cap : {CapacityMode::dropless, CapacityMode::drop}) {
          INFO(p->name << " x " << b->name << ", " << per_gpu << " slots per GPU, capacity "
                       << (cap == CapacityMode::drop ? "drop" : "dropless"));
          const MoeSpec s = tiny_spec(*p, *b, per_gpu, cap);
          check_contract(s, route(s), s.routing.balancer == Balancer::llep);
        }
      }
    }
  }
}

TEST_CASE("workload::policy registries: the same seed routes the same layer traffic") {
  for (const PlacementEntry* p : placement_entries()) {
    for (const BalanceEntry* b : balance_entries()) {
      INFO(p->name << " x " << b->name);
      const MoeSpec s = tiny_spec(*p, *b, 2, CapacityMode::drop);
      const MoeLayers a = route(s), c = route(s);
      CHECK(a.placement.phy2log == c.placement.phy2log);
      REQUIRE(a.traffic.size() == c.traffic.size());
      for (size_t i = 0; i < a.traffic.size(); ++i) {
        CHECK(a.traffic[i].tokens == c.traffic[i].tokens);
        CHECK(a.traffic[i].expert_rows == c.traffic[i].expert_rows);
      }
    }
  }
}

TEST_CASE("workload::policy registries: names are unique and properties are consistent") {
  std::set<std::string> names;
  for (const PlacementEntry* p : placement_entries()) {
    CHECK(names.insert(p->name).second);
    CHECK(find_placement(p->name) == p);
    // Co-activation is counted in the same pass over the trace as the loads.
    if (p->needs_coactivation) CHECK(p->reads_loads);
  }
  names.clear();
  for (const BalanceEntry* b : balance_entries()) {
    CHECK(names.insert(b->name).second);
    CHECK(find_balance(b->name) == b);
  }
  // `moesim place` has no topology: its names are those that need no leaves.
  for (const std::string& n : placement_names(false))
    CHECK_FALSE(find_placement(n)->needs_leaves);
}
