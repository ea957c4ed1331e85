#include "topologies/link_faults.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "sim/core/error.hpp"
#include "sim/core/rng.hpp"

namespace moesim::topo {
namespace {

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    const size_t comma = std::min(s.find(',', start), s.size());
    std::string item = s.substr(start, comma - start);
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    if (!item.empty()) out.push_back(item);
    start = comma + 1;
  }
  return out;
}

bool is_switch(const Topology& t, uint32_t v) {
  return t.graph()[v].kind != VertexKind::Host;
}

class Faults {
 public:
  explicit Faults(const Topology& t) : t_(t) {
    for (uint32_t v = 0; v < t.num_vertices(); ++v)
      by_name_[t.graph()[v].name] = v;
  }

  // The undirected link (edge id) a "a-b" names, trying every '-' as the separator.
  uint32_t edge_named(const std::string& text, const std::string& where) const {
    for (size_t dash = text.find('-'); dash != std::string::npos; dash = text.find('-', dash + 1)) {
      const auto a = by_name_.find(text.substr(0, dash));
      const auto b = by_name_.find(text.substr(dash + 1));
      if (a == by_name_.end() || b == by_name_.end()) continue;
      for (const uint32_t l : t_.out_links(a->second))
        if (t_.link(l).to == b->second) return l / 2;
      throw InputError(
          fmt::format("{}: '{}': {} and {} share no link: expected a link of the "
                      "topology",
                      where, text, a->first, b->first));
    }
    throw InputError(fmt::format(
        "{}: '{}': expected two vertex names joined by '-' (e.g. leaf0-spine1)", where, text));
  }

  std::vector<uint32_t> random_fabric_edges(uint64_t n, uint64_t seed,
                                            const std::string& where) const {
    std::vector<uint32_t> fabric;
    for (uint32_t e = 0; 2 * e < t_.num_links(); ++e) {
      const DirLink& l = t_.link(2 * e);
      if (l.kind == LinkKind::Fabric && is_switch(t_, l.from) && is_switch(t_, l.to)) {
        fabric.push_back(e);
      }
    }
    if (n > fabric.size()) {
      throw InputError(
          fmt::format("{}: {}: the topology has {} switch-to-switch links: expected "
                      "at most that many",
                      where, n, fabric.size()));
    }
    Rng rng = make_stream(seed, "failures");
    for (uint64_t i = 0; i < n; ++i)  // a partial Fisher-Yates shuffle
      std::swap(fabric[i], fabric[i + rng.below(fabric.size() - i)]);
    fabric.resize(n);
    std::sort(fabric.begin(), fabric.end());
    return fabric;
  }

  std::string edge_name(uint32_t e) const {
    const DirLink& l = t_.link(2 * e);
    return t_.graph()[l.from].name + "-" + t_.graph()[l.to].name;
  }

 private:
  const Topology& t_;
  std::map<std::string, uint32_t> by_name_;
};

// The first host that host 0 cannot reach through switches, if any.
std::optional<uint32_t> cut_off_host(const Topology& t) {
  if (t.num_hosts() == 0) return std::nullopt;
  std::vector<uint8_t> seen(t.num_vertices(), 0);
  std::vector<uint32_t> stack = {static_cast<uint32_t>(t.host_vertex(0))};
  seen[stack[0]] = 1;
  while (!stack.empty()) {
    const uint32_t v = stack.back();
    stack.pop_back();
    if (v != t.host_vertex(0) && !is_switch(t, v)) continue;  // hosts do not forward
    for (const uint32_t l : t.out_links(v)) {
      const uint32_t w = t.link(l).to;
      if (!seen[w]) {
        seen[w] = 1;
        stack.push_back(w);
      }
    }
  }
  for (uint32_t h = 0; h < t.num_hosts(); ++h)
    if (!seen[t.host_vertex(h)]) return h;
  return std::nullopt;
}

}  // namespace

Topology apply_link_faults(Topology t, const OptionValues& o) {
  const std::string fail = o.text("fail-links"), degrade = o.text("degrade-links");
  if (fail.empty() && degrade.empty()) return t;
  const Faults faults(t);
  std::set<uint32_t> failed;
  if (!fail.empty() && fail.find_first_not_of("0123456789") == std::string::npos) {
    uint64_t n = 0;
    const auto [end, ec] = std::from_chars(fail.data(), fail.data() + fail.size(), n);
    if (ec != std::errc{}) {
      throw InputError(
          fmt::format("{}: '{}': expected a count of links below 2^64 or a list of "
                      "names",
                      o.where("fail-links"), fail));
    }
    for (const uint32_t e : faults.random_fabric_edges(n, o.count("seed"), o.where("fail-links")))
      failed.insert(e);
  } else {
    for (const std::string& name : split_list(fail))
      failed.insert(faults.edge_named(name, o.where("fail-links")));
  }
  std::map<uint32_t, BitsPerSec> degraded;
  for (const std::string& item : split_list(degrade)) {
    const size_t eq = item.rfind('=');
    if (eq == std::string::npos) {
      throw InputError(fmt::format("{}: '{}': expected LINK=RATE (e.g. leaf0-spine1=100Gbps)",
                                   o.where("degrade-links"), item));
    }
    const uint32_t e = faults.edge_named(item.substr(0, eq), o.where("degrade-links"));
    const BitsPerSec rate = parse_rate(item.substr(eq + 1), o.where("degrade-links"));
    const BitsPerSec own = t.link(2 * e).rate;
    if (rate.bps == 0 || rate.bps >= own.bps) {
      throw InputError(
          fmt::format("{}: '{}': {} runs at {}: expected a rate above 0 and below "
                      "it",
                      o.where("degrade-links"), item, faults.edge_name(e), to_string(own)));
    }
    if (failed.count(e)) {
      throw InputError(
          fmt::format("{}: '{}': {} is failed (--fail-links): expected a link "
                      "that carries traffic",
                      o.where("degrade-links"), item, faults.edge_name(e)));
    }
    degraded[e] = rate;
  }
  std::vector<std::string> names;
  for (const uint32_t e : failed)
    names.push_back(faults.edge_name(e));
  std::string description = t.description();
  if (!failed.empty()) description += fmt::format("; failed: {}", fmt::join(names, ", "));
  for (const auto& [e, rate] : degraded)
    description += fmt::format("; {} at {}", faults.edge_name(e), to_string(rate));
  Topology out(description);
  for (uint32_t v = 0; v < t.num_vertices(); ++v) {
    const VertexProps& p = t.graph()[v];
    out.add_vertex(p.kind, p.name, p.server);
  }
  for (uint32_t e = 0; 2 * e < t.num_links(); ++e) {
    if (failed.count(e)) continue;
    const DirLink& l = t.link(2 * e);
    const auto d = degraded.find(e);
    out.add_link(l.from, l.to, l.kind, d == degraded.end() ? l.rate : d->second, l.latency,
                 l.buffer);
  }
  if (const auto h = cut_off_host(out)) {
    throw InputError(
        fmt::format("{}: failing {} cuts host {} off from host 0: expected links "
                    "whose loss leaves every host reachable",
                    o.where("fail-links"), fmt::join(names, ", "), *h));
  }
  return out;
}

}  // namespace moesim::topo
