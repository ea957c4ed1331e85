// A Topology: a Boost.Graph undirected graph of hosts (GPUs/NICs), switches and intra-server
// fabrics, whose edges are full-duplex links. Every edge e gives two directed links, ids 2e
// (source(e) -> target(e)) and 2e+1 (the reverse); network models account traffic per
// directed link. Builders return a validated Topology; routing is a separate view.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <boost/graph/adjacency_list.hpp>

#include "sim/core/units.hpp"

namespace moesim::topo {

// Leaf/Spine: the two tiers of a leaf-spine (also a fat-tree's edge/aggregation tiers and the
// rails/spines of a rail-optimised fabric); Core: a fat-tree's top tier; Switch: a switch of a
// flat (untiered) fabric such as a random spatial network, Jellyfish, or a graph read from file.
enum class VertexKind : uint8_t { Host, Leaf, Spine, NvSwitch, Core, Switch };
enum class LinkKind : uint8_t { HostLink, Fabric, NvLink };

const char* to_string(VertexKind k);
const char* to_string(LinkKind k);

struct VertexProps {
  VertexKind kind = VertexKind::Host;
  std::string name;
  int32_t host = -1;    // host index for hosts, -1 otherwise
  int32_t server = -1;  // server index for hosts and NVSwitches, -1 otherwise
};

struct EdgeProps {
  uint32_t id = 0;  // edge index; directed links are 2*id and 2*id+1
  LinkKind kind = LinkKind::Fabric;
  BitsPerSec rate;
  TimePs latency;
  Bytes buffer;  // per output port, for the packet model
};

using Graph =
    boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, VertexProps, EdgeProps>;
using Vertex = Graph::vertex_descriptor;

// One direction of a link, as network models see it.
struct DirLink {
  uint32_t from = 0;  // vertex
  uint32_t to = 0;    // vertex
  BitsPerSec rate;
  TimePs latency;
  LinkKind kind = LinkKind::Fabric;
  Bytes buffer;  // output-port buffer at `from` (packet model)
};

class Topology {
 public:
  explicit Topology(std::string description) : description_(std::move(description)) {}

  Vertex add_vertex(VertexKind kind, std::string name, int32_t server = -1);
  // Adds a full-duplex link; returns its edge id. InputError if the latencies of all links
  // would add up past kMaxRunTime (so no path's latency can overflow TimePs).
  uint32_t add_link(Vertex a, Vertex b, LinkKind kind, BitsPerSec rate, TimePs latency,
                    Bytes buffer);

  const Graph& graph() const { return g_; }
  const std::string& description() const { return description_; }
  uint32_t num_hosts() const { return static_cast<uint32_t>(hosts_.size()); }
  uint32_t num_vertices() const { return static_cast<uint32_t>(boost::num_vertices(g_)); }
  uint32_t num_links() const { return static_cast<uint32_t>(links_.size()); }  // directed
  Vertex host_vertex(uint32_t host) const { return hosts_[host]; }
  const DirLink& link(uint32_t id) const { return links_[id]; }
  const std::vector<DirLink>& links() const { return links_; }
  // Directed links leaving vertex v, in increasing link id order.
  const std::vector<uint32_t>& out_links(Vertex v) const { return out_[v]; }
  std::string link_name(uint32_t id) const;

 private:
  std::string description_;
  Graph g_;
  std::vector<Vertex> hosts_;
  std::vector<DirLink> links_;
  std::vector<std::vector<uint32_t>> out_;
  TimePs total_latency_;  // over all links, at most kMaxRunTime
};

}  // namespace moesim::topo
