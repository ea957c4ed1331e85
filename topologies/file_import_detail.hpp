// Internals shared by the edge-list and GraphML readers (topologies/file_import.hpp): the
// vertices and links a reader found, and the common checks and assembly into a Topology.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "topologies/file_import.hpp"

namespace moesim::topo::detail {

struct RawVertex {
  std::string name;
  VertexKind kind = VertexKind::Switch;
  int32_t server = -1;
  std::string where;  // for error messages, e.g. "net.csv:3:u" or "t.graphml: node 4"
};

struct RawLink {
  uint32_t a = 0, b = 0;  // indices into the vertex list
  BitsPerSec rate;
  TimePs latency;
  Bytes buffer;
  std::optional<LinkKind> kind;  // derived from the endpoints when absent
  std::string where;
};

// The kind a name declares under the prefix rules of FileImportParams.
VertexKind kind_from_name(std::string_view name, const FileImportParams& p);

// Checks (unique names, no self-loops or repeated links, at least one host, hosts connected)
// and builds the Topology with the vertices in the given order and the links in theirs.
Topology assemble(std::string description, std::string_view source,
                  const std::vector<RawVertex>& vertices, const std::vector<RawLink>& links);

}  // namespace moesim::topo::detail
