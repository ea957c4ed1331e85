// The load-balancing policies of the MoE pipeline (`--balance`), as a table of named entries:
// the option's choices, help and error lists come from it, and the contract test
// (tests/policy_contract_test.cpp) runs every entry. A policy configures the pipeline
// (MoeSpec): the routing stage's balancer, or the synthetic router itself. Capacity with
// dropping or padding (`--capacity`) is applied before any of them. A new policy is its own
// file with an `extern const BalanceEntry` and one row in balance_registry.cpp.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "workloads/llep.hpp"
#include "workloads/moe_pipeline.hpp"

namespace moesim::workload {

// Settings a policy may read.
struct BalanceOptions {
  double alf_rate = 0.001;  // alf: bias step per iteration and layer (gate-score units)
};

struct BalanceEntry {
  const char* name;
  const char* help;
  // Balances inside the synthetic router (it changes which experts tokens choose), so a
  // replayed trace, whose choices are fixed, cannot use it.
  bool needs_router;
  void (*configure)(MoeSpec& spec, const BalanceOptions& options);
  // `moesim balance`: a plan of one layer's per-expert token counts; nullptr when the policy
  // only runs inside the pipeline.
  LlepPlan (*plan_counts)(std::span<const uint64_t> counts, const LlepConfig& config);
};

std::span<const BalanceEntry* const> balance_entries();
const BalanceEntry* find_balance(std::string_view name);
// Names of the entries; only those with a counts planner when `planners_only`.
std::vector<std::string> balance_names(bool planners_only = false);
// "name (help); name (help)" for --help.
std::string balance_help();

// Configures `spec` by the entry called `name`; InputError naming `where` for an unknown name
// or a router-only policy with a replayed trace.
void apply_balance(MoeSpec& spec, std::string_view name, const BalanceOptions& options,
                   std::string_view where);

}  // namespace moesim::workload
