// `moesim place` and `moesim balance`: the placement and LLEP stages on their own, from CSV to
// CSV. place: `layer,expert,load` -> `layer,slot,gpu,expert` (slot order as EPLB's phy2log,
// gpu = slot / (R / P)); balance: `expert,count` -> `expert,gpu,token_start,token_end` in
// LLEP's assignment order.
#include <sstream>

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <fmt/ranges.h>

#include "experiments/commands.hpp"
#include "experiments/options.hpp"
#include "experiments/output_dir.hpp"
#include "sim/core/error.hpp"
#include "workloads/balance_registry.hpp"
#include "workloads/placement_registry.hpp"
#include "workloads/policy_csv.hpp"

namespace moesim::cli {
namespace {

uint32_t count32(const Settings& s, const std::string& name) {
  return static_cast<uint32_t>(s.count(name));
}

const std::string& required(const Settings& s, const std::string& name, const char* what) {
  if (s.get(name).empty()) {
    throw InputError(fmt::format("{}: missing: expected {}", s.where(name), what));
  }
  return s.get(name);
}

// The placement entry of --policy: one that needs no topology (this command has none).
const workload::PlacementEntry& placement_of(const Settings& s) {
  const workload::PlacementEntry* e = workload::find_placement(s.text("policy"));
  if (e == nullptr || e->needs_leaves) {
    s.reject("policy", fmt::format("one of {}", fmt::join(workload::placement_names(false), ", ")));
  }
  return *e;
}

workload::Placement place(const Settings& s, const workload::ExpertLoads& loads) {
  const workload::PlacementEntry& entry = placement_of(s);
  const uint32_t experts = workload::check_loads(loads);
  const uint32_t slots = count32(s, "slots");
  // Per layer and slot: its expert, GPU and load in the placement, and a CSV line (~24 B).
  const double layer_slots = static_cast<double>(loads.size()) * (slots == 0 ? experts : slots);
  memory_budget(s).require(
      48 * layer_slots,
      fmt::format("place: {} layers x {} slots", loads.size(), slots == 0 ? experts : slots),
      "about 48 B per layer and slot, with its line of the CSV", "fewer --slots");
  const std::vector<Eigen::MatrixXd> no_coactivation;
  const workload::PlacementInput in{.num_layers = static_cast<uint32_t>(loads.size()),
                                    .num_experts = experts,
                                    .num_gpus = count32(s, "gpus"),
                                    .num_slots = slots == 0 ? experts : slots,
                                    .num_groups = count32(s, "groups"),
                                    .num_nodes = count32(s, "nodes"),
                                    .seed = s.count("seed"),
                                    .loads = loads,
                                    .coactivation = no_coactivation,
                                    .leaf_of_gpu = {}};
  return entry.place(in);
}

// The balancing entry of --policy: one that plans from per-expert counts.
const workload::BalanceEntry& planner_of(const Settings& s) {
  const workload::BalanceEntry* e = workload::find_balance(s.text("policy"));
  if (e == nullptr || e->plan_counts == nullptr) {
    s.reject("policy", fmt::format("{}", fmt::join(workload::balance_names(true), " or ")));
  }
  return *e;
}

}  // namespace

int place_command(const Context&, const Args& args) {
  const Settings s = parse_settings(args, {"policy", "topology", "output"});
  if (s.help) {
    fmt::print(
        "Usage: moesim place --policy P --loads L.csv [--slots R --groups G --nodes N --gpus P] "
        "--out placement.csv\nPlaces experts into slots and GPUs per layer from their loads "
        "(columns layer,expert,load); writes layer,slot,gpu,expert.\nPolicies: {}.\n\n{}",
        workload::placement_help(false), fmt::streamed(describe({"policy", "output"})));
    return 0;
  }
  const std::string& out = required(s, "out", "the placement CSV to write");
  required(s, "policy", "a placement policy");
  const workload::ExpertLoads loads =
      workload::read_expert_loads_csv(required(s, "loads", "a layer,expert,load CSV"));
  const workload::Placement p = place(s, loads);
  std::ostringstream csv;
  workload::write_placement_csv(csv, p);
  write_new_file(out, csv.str(), s.where("out"));
  fmt::print("placed {} experts of {} layers into {} slots on {} GPUs; wrote {}\n", p.num_experts(),
             p.num_layers(), p.num_slots(), p.num_gpus, out);
  return 0;
}

int balance_command(const Context&, const Args& args) {
  const Settings s = parse_settings(args, {"policy", "output"});
  if (s.help) {
    fmt::print(
        "Usage: moesim balance --policy llep --counts C.csv --gpus P --local-experts M --alpha A "
        "--min-tokens m --out plan.csv\nLLEP's least-loaded assignment of one layer's tokens "
        "(columns expert,count); writes expert,gpu,token_start,token_end.\nPolicies: {}.\n\n{}",
        fmt::join(workload::balance_names(true), ", "),
        fmt::streamed(describe({"policy", "output"})));
    return 0;
  }
  const std::string& out = required(s, "out", "the plan CSV to write");
  const workload::BalanceEntry& entry = planner_of(s);
  workload::LlepConfig c;
  c.num_gpus = count32(s, "gpus");
  c.local_experts = count32(s, "local-experts");
  c.min_tokens_per_gemm = s.count("min-tokens");
  c.alpha = s.real("alpha");
  const std::vector<uint64_t> counts =
      workload::read_expert_counts_csv(required(s, "counts", "an expert,count CSV"));
  const workload::LlepPlan plan = entry.plan_counts(counts, c);
  std::ostringstream csv;
  workload::write_llep_plan_csv(csv, plan);
  write_new_file(out, csv.str(), s.where("out"));
  fmt::print(
      "LLEP plan: {} assignments, {} weight transfers, capacity {} tokens per GPU; wrote {}\n",
      plan.assignments.size(), plan.transfers.size(), plan.capacity, out);
  return 0;
}

}  // namespace moesim::cli
