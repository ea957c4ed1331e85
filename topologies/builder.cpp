#include "topologies/builder.hpp"

#include <fmt/format.h>

#include "sim/core/error.hpp"

namespace moesim::topo {

TopologyKind parse_topology_kind(std::string_view text, std::string_view option) {
  if (text == "leaf-spine") return TopologyKind::LeafSpine;
  if (text == "fat-tree") return TopologyKind::FatTree;
  if (text == "rail") return TopologyKind::Rail;
  if (text == "rsn") return TopologyKind::Rsn;
  if (text == "jellyfish") return TopologyKind::Jellyfish;
  if (text == "file") return TopologyKind::File;
  throw InputError(fmt::format(
      "{}: unknown topology '{}': expected leaf-spine, fat-tree, rail, rsn, jellyfish or file",
      option, text));
}

BuiltTopology build_topology(const TopologySpec& spec) {
  switch (spec.kind) {
    case TopologyKind::LeafSpine:
      return {build_leaf_spine(spec.leaf_spine), std::nullopt,
              effective_fabric_rate(spec.leaf_spine)};
    case TopologyKind::FatTree:
      return {build_fat_tree(spec.fat_tree), std::nullopt, effective_fabric_rate(spec.fat_tree)};
    case TopologyKind::Rail:
      return {build_rail(spec.rail), std::nullopt, effective_fabric_rate(spec.rail)};
    case TopologyKind::Rsn: {
      RsnResult r = build_rsn(spec.rsn);
      return {std::move(r.topology), std::move(r.info), spec.rsn.fabric_rate};
    }
    case TopologyKind::Jellyfish:
      return {build_jellyfish(spec.jellyfish), std::nullopt, spec.jellyfish.fabric_rate};
    case TopologyKind::File:
      return {load_topology_file(spec.file, spec.file_import), std::nullopt, std::nullopt};
  }
  throw InternalError("build_topology: unknown kind");
}

}  // namespace moesim::topo
