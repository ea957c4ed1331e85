#include "topologies/registry.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "sim/core/error.hpp"

namespace moesim::topo {

// Each entry lives with its builder.
extern const TopologyEntry leaf_spine_topology;  // leaf_spine.cpp
extern const TopologyEntry fat_tree_topology;    // fat_tree.cpp
extern const TopologyEntry rail_topology;        // rail.cpp
extern const TopologyEntry rsn_topology;         // rsn.cpp
extern const TopologyEntry jellyfish_topology;   // jellyfish.cpp
extern const TopologyEntry file_topology;        // file_topology.cpp

std::span<const TopologyEntry* const> topology_registry() {
  static const TopologyEntry* const table[] = {
      &leaf_spine_topology, &fat_tree_topology,  &rail_topology,
      &rsn_topology,        &jellyfish_topology, &file_topology,
  };
  return table;
}

const TopologyEntry* find_topology(std::string_view name) {
  for (const TopologyEntry* e : topology_registry()) {
    if (name == e->name) return e;
  }
  return nullptr;
}

std::vector<std::string> topology_names() {
  std::vector<std::string> names;
  for (const TopologyEntry* e : topology_registry())
    names.emplace_back(e->name);
  return names;
}

BuiltTopology build_topology(const OptionValues& o) {
  const TopologyEntry* e = find_topology(o.text("topology"));
  if (!e) {
    o.reject("topology", fmt::format("one of {}", fmt::join(topology_names(), ", ")));
  }
  if (o.text("topology") != "file" && !o.text("topology-file").empty()) {
    throw InputError(fmt::format("{}: '{}' is only used by --topology file",
                                 o.where("topology-file"), o.text("topology-file")));
  }
  return e->build(o);
}

uint32_t option_u32(const OptionValues& o, const std::string& name) {
  const uint64_t v = o.count(name);
  if (v > UINT32_MAX) o.reject(name, "a whole number below 2^32");
  return static_cast<uint32_t>(v);
}

LinkOptions link_options(const OptionValues& o) {
  LinkOptions l;
  l.host_rate = o.rate("host-rate");
  if (!o.is("fabric-rate", "auto")) l.fabric_rate = o.rate("fabric-rate");
  l.oversubscription = o.real("oversubscription");
  l.latency = o.time("latency");
  l.buffer = o.bytes("buffer");
  l.gpus_per_server = option_u32(o, "gpus-per-server");
  l.nvlink_rate = o.rate("nvlink-rate");
  l.nvlink_latency = o.time("nvlink-latency");
  l.seed = o.count("seed");
  return l;
}

}  // namespace moesim::topo
