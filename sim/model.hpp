// Network models: interchangeable implementations of one small interface. Each takes the
// Topology, the Workload DAG and the PathSet the transport produced, and returns the same
// RunResult records.
//  analytic  per-link bytes and lower bounds, no time dynamics;
//  fluid     exact max-min fair rates, recomputed at every flow start and end;
//  packet    our packet-level discrete-event engine: MTU packets, output-queued switches,
//            finite buffers, DCTCP with trimming (sim/packet/).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/workload_dag.hpp"
#include "sim/packet/config.hpp"
#include "sim/paths.hpp"
#include "sim/results.hpp"
#include "topologies/routing.hpp"
#include "topologies/topology.hpp"

namespace moesim::sim {

class NetworkModel {
 public:
  virtual ~NetworkModel() = default;
  virtual std::string name() const = 0;
  virtual RunResult run(const topo::Routing& routing, const Workload& w,
                        const PathSet& paths) const = 0;
  // Whether this model can run paths laid out by `t` (the packet model has no `ideal`).
  virtual bool supports(const Transport&) const { return true; }
  // An upper estimate of the bytes this model holds while running `paths` (the per-flow
  // records and per-subflow state every model keeps, plus what the model adds), for the
  // memory budget (sim/core/budget.hpp). The PathSet itself is not counted.
  virtual double state_bytes(const Workload& w, const PathSet& paths) const {
    return 64.0 * static_cast<double>(w.size()) + 64.0 * static_cast<double>(paths.num_subflows());
  }
};

// Bytes a PathSet holds (its vectors' sizes).
double path_set_bytes(const PathSet& paths);

// What a model may be configured with (only the packet model reads anything today).
struct ModelConfig {
  PacketConfig packet;
};

// The network-model registry: a table of entries {name, help, make}. An entry whose `family`
// is set also answers "NAME:VARIANT" (simgrid:LV08), and its `make` parses the variant. The
// built-in models are in builtin_models(); a layer that links more engines (moesim's main
// links SimGrid) adds their entries to the registry value it passes down; there is no
// process-wide hook.
struct ModelEntry {
  std::string name;
  std::string help;
  bool family = false;
  std::function<std::unique_ptr<NetworkModel>(std::string_view name, const ModelConfig& config,
                                              std::string_view what)>
      make;
};

class ModelRegistry {
 public:
  void add(ModelEntry entry);
  // The model named `name`; InputError naming `what` and listing the choices otherwise.
  std::unique_ptr<NetworkModel> make(std::string_view name, const ModelConfig& config = {},
                                     std::string_view what = "--model") const;
  std::vector<std::string> names() const;
  const std::vector<ModelEntry>& entries() const { return entries_; }

 private:
  std::vector<ModelEntry> entries_;
};

// analytic, fluid and packet. Adding a model: its files, and one add() line in model.cpp (or,
// for an engine in its own library, in the registry of the program that links it).
ModelRegistry builtin_models();

// A built-in model by name, for tests and benchmarks.
std::unique_ptr<NetworkModel> make_model(std::string_view name, const PacketConfig& packet = {},
                                         std::string_view what = "--model");

RunResult run_analytic(const topo::Topology& topo, const Workload& w, const PathSet& paths);
RunResult run_fluid(const topo::Topology& topo, const Workload& w, const PathSet& paths);
RunResult run_packet(const topo::Routing& routing, const Workload& w, const PathSet& paths,
                     const PacketConfig& config);

// Fills the records every model derives the same way from node times and paths: per-link
// bytes, the link bound, per-tag records and the makespan.
void complete_result(const topo::Topology& topo, const Workload& w, const PathSet& paths,
                     RunResult& r);

// Link capacities in bytes per second, by directed link id.
std::vector<double> link_capacities(const topo::Topology& topo);

}  // namespace moesim::sim
