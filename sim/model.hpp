// Network models: interchangeable implementations of one small interface. Each takes the
// Topology, the Workload DAG and the PathSet the transport produced, and returns the same
// RunResult records.
//  analytic  per-link bytes and lower bounds, no time dynamics;
//  fluid     exact max-min fair rates, recomputed at every flow start and end;
//  packet    our packet-level discrete-event engine: MTU packets, output-queued switches,
//            finite buffers, DCTCP with trimming (sim/packet/).
#pragma once

#include <memory>
#include <string>
#include <string_view>

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
};

// "analytic", "fluid" or "packet" (configured by `packet`), or a "simgrid..." name when the
// SimGrid factory is installed; InputError naming `what` otherwise.
std::unique_ptr<NetworkModel> make_model(std::string_view name, const PacketConfig& packet = {},
                                         std::string_view what = "--model");

// The `simgrid` model lives in moesim_simgrid (it links SimGrid, which moesim_sim must not)
// and plugs in here: the layer that links both installs its factory once at start-up
// (sim::simgrid::register_simgrid_model(), called by moesim's main). make_model hands it every
// name that starts with "simgrid"; until then such names are an InputError.
using ModelFactory = std::unique_ptr<NetworkModel> (*)(std::string_view name,
                                                       std::string_view what);
void set_simgrid_factory(ModelFactory factory);

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
