// Topology export for inspection and for other tools: GraphML (typed attributes, loads in
// NetworkX/Gephi/yEd) and Graphviz DOT (for drawing). Attributes are computed on the fly by
// read-only property maps, so nothing is copied out of the Topology.
#include "topologies/export.hpp"

#include <string>

#include <fmt/format.h>
#include <boost/graph/graphml.hpp>
#include <boost/graph/graphviz.hpp>
#include <boost/property_map/dynamic_property_map.hpp>
#include <boost/property_map/function_property_map.hpp>

namespace moesim::topo {
namespace {

using Edge = Graph::edge_descriptor;

// Read-only maps throughout, returning by value: Boost 1.74 tags bundled-member maps of a const
// graph, and function maps returning const references, as writable, and dynamic_properties then
// fails to compile a put for them.
auto vertex_name(const Graph& g) {
  return boost::make_function_property_map<Vertex>([&g](Vertex v) { return g[v].name; });
}

// Integer attributes stay integers (bit/s, ps, bytes) so a reader gets the exact values back.
boost::dynamic_properties graphml_properties(const Topology& t) {
  const Graph& g = t.graph();
  boost::dynamic_properties dp;
  dp.property("description", boost::make_constant_property<Graph*>(t.description()));
  dp.property("name", vertex_name(g));
  dp.property("kind", boost::make_function_property_map<Vertex>(
                          [&g](Vertex v) { return std::string(to_string(g[v].kind)); }));
  dp.property("host", boost::make_function_property_map<Vertex>(
                          [&g](Vertex v) -> int { return g[v].host; }));
  dp.property("server", boost::make_function_property_map<Vertex>(
                            [&g](Vertex v) -> int { return g[v].server; }));
  dp.property("rate_bps", boost::make_function_property_map<Edge>(
                              [&g](Edge e) -> unsigned long { return g[e].rate.bps; }));
  dp.property("latency_ps", boost::make_function_property_map<Edge>(
                                [&g](Edge e) -> long { return g[e].latency.ps; }));
  dp.property("buffer_bytes", boost::make_function_property_map<Edge>(
                                  [&g](Edge e) -> unsigned long { return g[e].buffer.count; }));
  dp.property("kind", boost::make_function_property_map<Edge>(
                          [&g](Edge e) { return std::string(to_string(g[e].kind)); }));
  return dp;
}

}  // namespace

void write_graphml(std::ostream& os, const Topology& t) {
  boost::write_graphml(os, t.graph(), graphml_properties(t), /*ordered_vertices=*/true);
}

void write_dot(std::ostream& os, const Topology& t) {
  const Graph& g = t.graph();
  boost::dynamic_properties dp;
  // Vertex names are unique, so they serve as DOT node ids and keep the file readable.
  dp.property("node_id", vertex_name(g));
  dp.property("shape", boost::make_function_property_map<Vertex>([&g](Vertex v) {
                return std::string(g[v].kind == VertexKind::Host ? "box" : "ellipse");
              }));
  dp.property("label", boost::make_function_property_map<Edge>(
                           [&g](Edge e) { return fmt::format("{} {}", g[e].rate, g[e].latency); }));
  boost::write_graphviz_dp(os, g, dp, "node_id");
}

}  // namespace moesim::topo
