// `moesim place` and `moesim balance`: the placement and LLEP stages on their own, from CSV to
// CSV. place: `layer,expert,load` -> `layer,slot,gpu,expert` (slot order as EPLB's phy2log,
// gpu = slot / (R / P)); balance: `expert,count` -> `expert,gpu,token_start,token_end` in
// LLEP's assignment order.
#include <charconv>
#include <cmath>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "experiments/commands.hpp"
#include "experiments/options.hpp"
#include "experiments/output_dir.hpp"
#include "sim/core/error.hpp"
#include "workloads/eplb.hpp"
#include "workloads/llep.hpp"
#include "workloads/policy_csv.hpp"

namespace moesim::cli {
namespace {

uint32_t count_option(const Settings& s, const std::string& name, uint32_t min) {
  const std::string& text = s.get(name);
  uint32_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || v < min) {
    throw InputError(
        fmt::format("{}: '{}': expected a whole number >= {}", s.where(name), text, min));
  }
  return v;
}

const std::string& required(const Settings& s, const std::string& name, const char* what) {
  if (s.get(name).empty()) {
    throw InputError(fmt::format("{}: missing: expected {}", s.where(name), what));
  }
  return s.get(name);
}

workload::Placement place(const Settings& s, const workload::ExpertLoads& loads) {
  const std::string& policy = s.get("policy");
  const uint32_t gpus = count_option(s, "gpus", 1);
  const auto layers = static_cast<uint32_t>(loads.size());
  const uint32_t experts = workload::check_loads(loads);
  if (policy == "contiguous") return workload::place_contiguous(layers, experts, gpus);
  if (policy == "round-robin") return workload::place_round_robin(layers, experts, gpus);
  if (policy == "random") {
    return workload::place_random(layers, experts, gpus, count_option(s, "seed", 0));
  }
  workload::EplbConfig c;
  c.num_slots = count_option(s, "slots", 0);
  if (c.num_slots == 0) c.num_slots = experts;
  c.num_groups = count_option(s, "groups", 1);
  c.num_nodes = count_option(s, "nodes", 1);
  c.num_gpus = gpus;
  if (policy == "eplb") {
    c.policy = workload::EplbPolicy::automatic;
  } else if (policy == "eplb-hierarchical") {
    c.policy = workload::EplbPolicy::hierarchical;
  } else if (policy == "eplb-global") {
    c.policy = workload::EplbPolicy::global;
  } else {
    throw InputError(fmt::format(
        "{}: '{}': expected contiguous, round-robin, random, eplb, eplb-hierarchical or "
        "eplb-global",
        s.where("policy"), policy));
  }
  return workload::eplb(loads, c);
}

}  // namespace

int place_command(const Context&, const Args& args) {
  const Settings s = parse_settings(args, {"policy", "topology", "output"});
  if (s.help) {
    fmt::print(
        "Usage: moesim place --policy P --loads L.csv [--slots R --groups G --nodes N --gpus P] "
        "--out placement.csv\nPlaces experts into slots and GPUs per layer from their loads "
        "(columns layer,expert,load); writes layer,slot,gpu,expert.\n\n{}",
        fmt::streamed(describe({"policy", "output"})));
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
        "(columns expert,count); writes expert,gpu,token_start,token_end.\n\n{}",
        fmt::streamed(describe({"policy", "output"})));
    return 0;
  }
  const std::string& out = required(s, "out", "the plan CSV to write");
  if (s.get("policy") != "llep") {
    throw InputError(fmt::format("{}: '{}': expected llep", s.where("policy"), s.get("policy")));
  }
  workload::LlepConfig c;
  c.num_gpus = count_option(s, "gpus", 1);
  c.local_experts = count_option(s, "local-experts", 1);
  c.min_tokens_per_gemm = count_option(s, "min-tokens", 0);
  const std::string& alpha = s.get("alpha");
  auto [ptr, ec] = std::from_chars(alpha.data(), alpha.data() + alpha.size(), c.alpha);
  if (ec != std::errc() || ptr != alpha.data() + alpha.size() || !std::isfinite(c.alpha) ||
      c.alpha <= 0) {
    throw InputError(fmt::format("{}: '{}': expected a positive number", s.where("alpha"), alpha));
  }
  const std::vector<uint64_t> counts =
      workload::read_expert_counts_csv(required(s, "counts", "an expert,count CSV"));
  const workload::LlepPlan plan = workload::llep_plan(counts, c);
  std::ostringstream csv;
  workload::write_llep_plan_csv(csv, plan);
  write_new_file(out, csv.str(), s.where("out"));
  fmt::print(
      "LLEP plan: {} assignments, {} weight transfers, capacity {} tokens per GPU; wrote {}\n",
      plan.assignments.size(), plan.transfers.size(), plan.capacity, out);
  return 0;
}

}  // namespace moesim::cli
