// One entry point for every topology builder: a TopologySpec names the kind and carries each
// builder's parameters; build_topology runs the chosen builder. Used by the command line, so
// every command works with every topology.
#pragma once

#include <optional>
#include <string>

#include "topologies/fat_tree.hpp"
#include "topologies/file_import.hpp"
#include "topologies/jellyfish.hpp"
#include "topologies/leaf_spine.hpp"
#include "topologies/rail.hpp"
#include "topologies/rsn.hpp"

namespace moesim::topo {

enum class TopologyKind : uint8_t { LeafSpine, FatTree, Rail, Rsn, Jellyfish, File };

// "leaf-spine", "fat-tree", "rail", "rsn", "jellyfish", "file"; InputError naming `option`.
TopologyKind parse_topology_kind(std::string_view text, std::string_view option = "--topology");

struct TopologySpec {
  TopologyKind kind = TopologyKind::LeafSpine;
  LeafSpineParams leaf_spine;
  FatTreeParams fat_tree;
  RailParams rail;
  RsnParams rsn;
  JellyfishParams jellyfish;
  std::string file;  // edge-list CSV or GraphML (by extension)
  FileImportParams file_import;
};

struct BuiltTopology {
  Topology topology;
  std::optional<RsnInfo> rsn;             // for kind Rsn
  std::optional<BitsPerSec> fabric_rate;  // the switch-to-switch rate, where the kind has one
};

BuiltTopology build_topology(const TopologySpec& spec);

}  // namespace moesim::topo
