// A scenario: the validated, typed form of the resolved options ("parse, don't validate":
// every text value is parsed here, once, and errors name the option or config line).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analysis/csv.hpp"
#include "experiments/options.hpp"
#include "sim/packet/config.hpp"
#include "sim/transport.hpp"
#include "topologies/builder.hpp"
#include "topologies/routing.hpp"
#include "workloads/collectives.hpp"

namespace moesim::cli {

struct Scenario {
  topo::TopologySpec topology;
  topo::RouteCost route_cost = topo::RouteCost::Latency;
  workload::CollectiveSpec workload;  // num_hosts filled from the topology
  std::vector<std::string> models;
  std::vector<sim::Transport> transports;
  sim::PacketConfig packet;
  uint64_t seed = 1;
  std::vector<std::string> details;  // flows | links | collectives
  analysis::Params params;           // every scenario option, resolved, for results.csv
};

topo::TopologySpec parse_topology(const Settings& s);
topo::RouteCost parse_route_cost(const Settings& s);
sim::PacketConfig parse_packet_config(const Settings& s, uint64_t seed);
Scenario parse_scenario(const Settings& s);

// Splits "a,b,c" into trimmed non-empty items; InputError naming `what` if any is empty.
std::vector<std::string> split_list(const std::string& text, const std::string& what);

}  // namespace moesim::cli
