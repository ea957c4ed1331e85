#include "sim/transport.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "sim/core/error.hpp"
#include "sim/core/options.hpp"

namespace moesim::sim {

std::vector<std::string> transport_names() {
  std::vector<std::string> names;
  for (const PathPolicyEntry* e : path_policy_registry()) {
    names.push_back(e->k_max > 0 ? fmt::format("{}:K", e->name) : e->name);
  }
  return names;
}

const PathPolicyEntry& policy_entry(const Transport& t) {
  if (t.entry) return *t.entry;
  for (const PathPolicyEntry* e : path_policy_registry()) {
    if (e->kind == t.policy && (e->kind != PathPolicy::Spray || e->spray == t.spray)) return *e;
  }
  throw InternalError("transport of no registered kind");
}

Transport parse_transport(std::string_view text, std::string_view what) {
  for (const PathPolicyEntry* e : path_policy_registry()) {
    const std::string_view name = e->name;
    if (e->k_max == 0) {
      if (text == name) return {e->kind, 1, e->spray, e};
      continue;
    }
    if (!text.starts_with(name) || text.size() <= name.size() || text[name.size()] != ':') {
      continue;
    }
    const auto k = parse_whole(text.substr(name.size() + 1));
    if (!k || *k < e->k_min || *k > e->k_max) {
      throw InputError(fmt::format("{}: '{}': expected {}:K with K a whole number from {} to {}",
                                   what, text, name, e->k_min, e->k_max));
    }
    return {e->kind, static_cast<uint32_t>(*k), e->spray, e};
  }
  throw InputError(fmt::format("{}: unknown transport '{}': expected {}", what, text,
                               fmt::join(transport_names(), ", ")));
}

std::string to_string(const Transport& t) {
  const PathPolicyEntry& e = policy_entry(t);
  return e.k_max > 0 ? fmt::format("{}:{}", e.name, t.k) : std::string(e.name);
}

}  // namespace moesim::sim
