// Topologies read from files: an edge-list CSV and GraphML (what topologies/export.cpp writes).
//
// Edge list: a header `u,v,rate,latency` or `u,v,rate,latency,buffer`, then one full-duplex link
// per row: two vertex names, a rate and a latency with units (400Gbps, 1.5us; parsed by
// sim/core/units.hpp) and optionally a per-port buffer (4MiB). Names are case-sensitive strings
// without commas; fields are trimmed; blank lines and lines starting with '#' are skipped.
// Vertices are declared by their names:
//   - a name starting with one of `host_prefixes` ("host", "gpu") is a host,
//   - a name starting with one of `nvswitch_prefixes` ("nvs") is an NVLink switch,
//   - any other name is a switch (VertexKind::Switch).
// Hosts come first in the Topology, in order of first appearance (host i is the i-th host
// named), then the other vertices in order of first appearance; links keep the row order. A
// link touching an NVLink switch is an NvLink, one touching a host a HostLink, else Fabric; a
// host joined to an NVLink switch belongs to its server (NVLink switches are servers 0, 1, ...
// in order), other hosts to none (-1).
//
// GraphML: vertex attributes kind (host, leaf, spine, nvswitch, core, switch), name, host,
// server; edge attributes rate_bps and latency_ps (integers; or rate / latency as text with
// units), buffer_bytes (or buffer; optional), kind (host, fabric, nvlink; optional); the graph
// attribute description. Vertices keep the file's node order, edges its edge order, so export
// followed by import gives the same Topology. Without a kind, a vertex is classified by its
// name as in the edge list.
//
// Both formats reject self-loops, repeated links (give one link with the summed rate), a file
// without hosts, and hosts that cannot reach each other. Errors are InputErrors naming
// file:line:field and the value (CSV) or file, node/edge and attribute (GraphML).
#pragma once

#include <filesystem>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include "topologies/topology.hpp"

namespace moesim::topo {

struct FileImportParams {
  std::vector<std::string> host_prefixes{"host", "gpu"};
  std::vector<std::string> nvswitch_prefixes{"nvs"};
  Bytes buffer = Bytes{1u << 20};  // per output port, where the file gives none
};

// `source` names the input in error messages (a file name, or "<string>").
Topology read_edge_list(std::istream& in, std::string_view source, const FileImportParams& p = {});
Topology read_graphml(std::istream& in, std::string_view source, const FileImportParams& p = {});

// Open `path` and read it; a file that cannot be opened is an InputError.
Topology load_edge_list(const std::filesystem::path& path, const FileImportParams& p = {});
Topology load_graphml(const std::filesystem::path& path, const FileImportParams& p = {});
// By extension: .csv is an edge list; .graphml or .xml is GraphML; anything else an InputError.
Topology load_topology_file(const std::filesystem::path& path, const FileImportParams& p = {});

}  // namespace moesim::topo
