// Up-down (valley-free) structure of tiered Clos fabrics. Hosts and NVSwitches sit on tier 0,
// leaves (a fat-tree's edge switches, a rail fabric's rails) on tier 1, spines (aggregation)
// on tier 2, cores on tier 3. Up-down routing takes a path that climbs and then descends; a
// path that goes down and back up (through a third leaf, say) has a valley, which up-down
// routing forbids. Flat fabrics (random spatial networks, Jellyfish, graphs read from file
// without tiers) have no such structure.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "topologies/topology.hpp"

namespace moesim::topo {

// The tier of a vertex kind; nullopt for a switch of a flat fabric (VertexKind::Switch).
std::optional<uint32_t> tier(VertexKind k);

// True when every vertex has a tier and every link other than an NVLink joins two different
// tiers (so each hop goes up or down): the builders' leaf-spine, fat-tree and rail fabrics.
bool has_up_down_tiers(const Topology& t);

// True when the tiers along the directed links never fall and then rise again (no valley).
// On a topology without tiers every path counts as up-down.
bool is_up_down(const Topology& t, std::span<const uint32_t> links);

}  // namespace moesim::topo
