// The topology registry: one entry per topology kind {name, help, build from options}, so the
// command line lists, documents and checks `--topology` from this table alone. An entry reads
// the typed options it needs (sim/core/options.hpp) and calls its builder; builders report a
// bad parameter as a FieldError naming the option, which the CLI maps to its source.
//
// Adding a topology: its builder file(s) with an entry at the bottom
// (`extern const TopologyEntry my_topology = {...};`), its declaration and one row in the table
// in registry.cpp, and any new options in experiments/options.cpp.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/options.hpp"
#include "topologies/rsn.hpp"
#include "topologies/topology.hpp"

namespace moesim::topo {

struct BuiltTopology {
  Topology topology;
  std::optional<RsnInfo> rsn;             // for rsn
  std::optional<BitsPerSec> fabric_rate;  // the switch-to-switch rate, where the kind has one
};

struct TopologyEntry {
  const char* name;
  const char* help;
  BuiltTopology (*build)(const OptionValues& options);
};

std::span<const TopologyEntry* const> topology_registry();
const TopologyEntry* find_topology(std::string_view name);
std::vector<std::string> topology_names();

// Builds the topology named by the `topology` option. InputError (FieldError for a bad
// parameter) on bad input.
BuiltTopology build_topology(const OptionValues& options);

// The link options every kind shares, read once: host-rate, fabric-rate (auto = absent),
// oversubscription, latency, buffer, gpus-per-server, nvlink-rate, nvlink-latency, seed.
struct LinkOptions {
  BitsPerSec host_rate;
  std::optional<BitsPerSec> fabric_rate;
  double oversubscription = 1;
  TimePs latency;
  Bytes buffer;
  uint32_t gpus_per_server = 1;
  BitsPerSec nvlink_rate;
  TimePs nvlink_latency;
  uint64_t seed = 1;
  // A kind whose switch links have one rate and no oversubscription takes --fabric-rate as
  // is, with auto meaning the host rate.
  BitsPerSec flat_rate() const { return fabric_rate.value_or(host_rate); }
};
LinkOptions link_options(const OptionValues& options);
uint32_t option_u32(const OptionValues& options, const std::string& name);

}  // namespace moesim::topo
