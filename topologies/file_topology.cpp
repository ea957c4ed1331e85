// The `file` topology entry: an edge-list CSV or GraphML file (topologies/file_import.hpp).
#include <fmt/format.h>

#include "sim/core/error.hpp"
#include "topologies/file_import.hpp"
#include "topologies/registry.hpp"

namespace moesim::topo {
namespace {

BuiltTopology file_from(const OptionValues& o) {
  const std::string& path = o.text("topology-file");
  if (path.empty()) {
    throw InputError(fmt::format("{}: file needs --topology-file: expected a CSV or GraphML path",
                                 o.where("topology")));
  }
  FileImportParams p;
  p.buffer = o.bytes("buffer");
  return {load_topology_file(path, p), std::nullopt, std::nullopt};
}

}  // namespace

extern const TopologyEntry file_topology = {
    "file", "from --topology-file: edge-list CSV (u,v,rate,latency) or GraphML", &file_from};

}  // namespace moesim::topo
