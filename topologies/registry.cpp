#include "topologies/registry.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "sim/core/error.hpp"
#include "topologies/link_faults.hpp"

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

double topology_bytes(const TopologySize& z) {
  // Topology: a vertex record and adjacency (~100 B), a link in both directions (~200 B).
  // Routing, per destination host: offsets (4 B) and costs (8 B) per vertex, at most every
  // directed link as a next hop (4 B each).
  return z.vertices * 100 + z.links * 200 + z.hosts * (z.vertices * 12 + z.links * 2 * 4);
}

void require_fits(const TopologySize& z, const char* kind, const MemoryBudget& budget) {
  budget.require(topology_bytes(z),
                 fmt::format("{} ({}): {:.0f} hosts, {:.0f} vertices and {:.0f} links", kind,
                             z.drivers, z.hosts, z.vertices, z.links),
                 "the graph and its routing tables, 12 B per vertex and 8 B per link for each host",
                 "a smaller topology");
}

BuiltTopology build_topology(const OptionValues& o, const MemoryBudget* budget) {
  const TopologyEntry* e = find_topology(o.text("topology"));
  if (!e) {
    o.reject("topology", fmt::format("one of {}", fmt::join(topology_names(), ", ")));
  }
  if (o.text("topology") != "file" && !o.text("topology-file").empty()) {
    throw InputError(fmt::format("{}: '{}' is only used by --topology file",
                                 o.where("topology-file"), o.text("topology-file")));
  }
  if (budget && e->size) require_fits(e->size(o), e->name, *budget);
  BuiltTopology built = e->build(o);
  built.topology = apply_link_faults(std::move(built.topology), o);
  if (budget) {
    const Topology& t = built.topology;
    require_fits({static_cast<double>(t.num_hosts()), static_cast<double>(t.num_vertices()),
                  static_cast<double>(t.num_links()) / 2, "as built"},
                 e->name, *budget);
  }
  return built;
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
