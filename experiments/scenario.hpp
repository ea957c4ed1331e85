// A scenario: the typed options of one `moesim run` point, with the parts every simulating
// command reads parsed once (transports, models, packet settings, detail files), and the
// builders that turn it into a topology and a workload.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analysis/csv.hpp"
#include "experiments/options.hpp"
#include "sim/model.hpp"
#include "sim/packet/config.hpp"
#include "sim/transport.hpp"
#include "topologies/registry.hpp"
#include "topologies/routing.hpp"
#include "workloads/collectives.hpp"

namespace moesim::cli {

struct Scenario {
  Settings options;  // every resolved option, typed, with its source
  const sim::ModelRegistry* registry = nullptr;
  topo::RouteCost route_cost = topo::RouteCost::Latency;
  workload::CollectiveSpec workload;  // num_hosts filled from the topology
  std::vector<std::string> models;
  std::vector<sim::Transport> transports;
  sim::ModelConfig model_config;
  uint64_t seed = 1;
  std::vector<std::string> details;  // flows | links | collectives | layers | phases
  analysis::Params params;           // every scenario option, resolved, for results.csv
  MemoryBudget budget{UINT64_MAX, "no --max-memory"};
};

topo::RouteCost parse_route_cost(const Settings& s);
sim::PacketConfig parse_packet_config(const Settings& s, uint64_t seed);
// `models` checks the --model names and is kept for the runs.
Scenario parse_scenario(const Settings& s, const sim::ModelRegistry& models);

// The topology of the `topology` option; a builder's FieldError names the option's source.
// Refused (InputError) if it and its routing tables would not fit --max-memory.
topo::BuiltTopology build_topology(const Settings& s);

}  // namespace moesim::cli
