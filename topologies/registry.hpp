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

#include "sim/core/budget.hpp"
#include "sim/core/options.hpp"
#include "topologies/rsn.hpp"
#include "topologies/topology.hpp"

namespace moesim::topo {

struct BuiltTopology {
  Topology topology;
  std::optional<RsnInfo> rsn;             // for rsn
  std::optional<BitsPerSec> fabric_rate;  // the switch-to-switch rate, where the kind has one
};

// What a topology will hold, estimated from its options before it is built (for the memory
// budget): hosts, vertices (hosts included) and undirected links; `drivers` names the options
// that set them, for the message.
struct TopologySize {
  double hosts = 0, vertices = 0, links = 0;
  const char* drivers = "";
};

struct TopologyEntry {
  const char* name;
  const char* help;
  BuiltTopology (*build)(const OptionValues& options);
  // nullptr where the size is only known once built (a file: bounded by the file's size).
  TopologySize (*size)(const OptionValues& options) = nullptr;
};

std::span<const TopologyEntry* const> topology_registry();
const TopologyEntry* find_topology(std::string_view name);
std::vector<std::string> topology_names();

// Builds the topology named by the `topology` option. InputError (FieldError for a bad
// parameter) on bad input. With a budget, the entry's size estimate (the topology and the
// routing tables of topologies/routing.hpp) is checked first.
BuiltTopology build_topology(const OptionValues& options, const MemoryBudget* budget = nullptr);

// Bytes of a topology and its Routing of these sizes (an upper bound: per destination host,
// 12 B per vertex and 4 B per directed link), for the memory budget.
double topology_bytes(const TopologySize& size);
// InputError from `budget` if `size` does not fit it, naming `kind` and the drivers.
void require_fits(const TopologySize& size, const char* kind, const MemoryBudget& budget);

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
