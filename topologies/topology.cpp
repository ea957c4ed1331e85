// Topology construction: vertices and full-duplex links, each link kept both as a Boost edge
// (for graph algorithms and export) and as two DirLinks (what network models account on).
#include "topologies/topology.hpp"

#include <optional>

#include <fmt/format.h>

#include "sim/core/error.hpp"
#include "sim/core/quote.hpp"

namespace moesim::topo {

const char* to_string(VertexKind k) {
  switch (k) {
    case VertexKind::Host:
      return "host";
    case VertexKind::Leaf:
      return "leaf";
    case VertexKind::Spine:
      return "spine";
    case VertexKind::NvSwitch:
      return "nvswitch";
    case VertexKind::Core:
      return "core";
    case VertexKind::Switch:
      return "switch";
  }
  return "?";
}

const char* to_string(LinkKind k) {
  switch (k) {
    case LinkKind::HostLink:
      return "host";
    case LinkKind::Fabric:
      return "fabric";
    case LinkKind::NvLink:
      return "nvlink";
  }
  return "?";
}

Vertex Topology::add_vertex(VertexKind kind, std::string name, int32_t server) {
  VertexProps props;
  props.kind = kind;
  props.name = std::move(name);
  props.server = server;
  // Host indices follow creation order, so builders control the host numbering.
  if (kind == VertexKind::Host) props.host = static_cast<int32_t>(hosts_.size());
  const Vertex v = boost::add_vertex(std::move(props), g_);
  if (kind == VertexKind::Host) hosts_.push_back(v);
  out_.emplace_back();
  return v;
}

uint32_t Topology::add_link(Vertex a, Vertex b, LinkKind kind, BitsPerSec rate, TimePs latency,
                            Bytes buffer) {
  // Builders validate user input; reaching these means a builder bug.
  if (a >= num_vertices() || b >= num_vertices() || a == b) {
    throw InternalError(fmt::format("Topology::add_link: bad endpoints {} and {} ({} vertices)", a,
                                    b, num_vertices()));
  }
  if (latency.ps < 0) {
    throw InternalError(fmt::format("Topology::add_link: negative latency {}ps", latency.ps));
  }
  // Paths add up link latencies unchecked. A simple path's sum is at most the sum over all
  // links, so holding that to kMaxRunTime keeps every path latency, and a run's clock plus
  // one of them, within TimePs (units.hpp). Latencies come from the user: InputError.
  const std::optional<TimePs> total = checked_add(total_latency_, latency);
  if (!total || *total > kMaxRunTime) {
    throw InputError(fmt::format(
        "{}: link {}-{} ({}): the latencies of all links add up past {}, more than moesim can "
        "time: expected smaller latencies",
        quote_excerpt(description_), quote_excerpt(g_[a].name), quote_excerpt(g_[b].name), latency,
        kMaxRunTimeText));
  }
  total_latency_ = *total;
  const auto id = static_cast<uint32_t>(boost::num_edges(g_));
  boost::add_edge(a, b, EdgeProps{id, kind, rate, latency, buffer}, g_);
  const auto from = static_cast<uint32_t>(a);
  const auto to = static_cast<uint32_t>(b);
  links_.push_back(DirLink{from, to, rate, latency, kind, buffer});  // 2 * id
  links_.push_back(DirLink{to, from, rate, latency, kind, buffer});  // 2 * id + 1
  // Ids only grow, so out_[v] stays sorted by link id.
  out_[a].push_back(2 * id);
  out_[b].push_back(2 * id + 1);
  return id;
}

std::string Topology::link_name(uint32_t id) const {
  const DirLink& l = links_.at(id);
  return g_[l.from].name + "->" + g_[l.to].name;
}

}  // namespace moesim::topo
