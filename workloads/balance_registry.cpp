#include "workloads/balance_registry.hpp"

#include <array>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "sim/core/error.hpp"

namespace moesim::workload {

// The policies, each defined in its own file.
extern const BalanceEntry no_balance;
extern const BalanceEntry llep_balance;
extern const BalanceEntry alf_balance;

namespace {

const std::array<const BalanceEntry*, 3> kEntries = {&no_balance, &llep_balance, &alf_balance};

}  // namespace

std::span<const BalanceEntry* const> balance_entries() {
  return kEntries;
}

const BalanceEntry* find_balance(std::string_view name) {
  for (const BalanceEntry* e : kEntries) {
    if (name == e->name) return e;
  }
  return nullptr;
}

std::vector<std::string> balance_names(bool planners_only) {
  std::vector<std::string> names;
  for (const BalanceEntry* e : kEntries) {
    if (!planners_only || e->plan_counts != nullptr) names.emplace_back(e->name);
  }
  return names;
}

std::string balance_help() {
  std::string out;
  for (const BalanceEntry* e : kEntries)
    out += fmt::format("{}{} ({})", out.empty() ? "" : "; ", e->name, e->help);
  return out;
}

void apply_balance(MoeSpec& spec, std::string_view name, const BalanceOptions& options,
                   std::string_view where) {
  const BalanceEntry* e = find_balance(name);
  if (e == nullptr) {
    throw InputError(
        fmt::format("{}: '{}': expected one of {}", where, name, fmt::join(balance_names(), ", ")));
  }
  if (e->needs_router && (!spec.trace.empty() || !spec.loads.empty())) {
    std::vector<std::string> replayable;
    for (const BalanceEntry* b : kEntries) {
      if (!b->needs_router) replayable.emplace_back(b->name);
    }
    const bool trace = !spec.trace.empty();
    throw InputError(fmt::format(
        "{}: '{}' with --{} '{}': expected {} ({} fixed expert choices; {} needs the synthetic "
        "router)",
        where, name, trace ? "trace" : "loads", trace ? spec.trace : spec.loads,
        fmt::join(replayable, " or "), trace ? "a replayed trace has" : "slot counts are", name));
  }
  e->configure(spec, options);
}

}  // namespace moesim::workload
