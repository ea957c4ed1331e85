// Topology export: GraphML (with rate, latency, kind attributes) and Graphviz DOT.
#pragma once

#include <ostream>

#include "topologies/topology.hpp"

namespace moesim::topo {

void write_graphml(std::ostream& os, const Topology& t);
void write_dot(std::ostream& os, const Topology& t);

}  // namespace moesim::topo
