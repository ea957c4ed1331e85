// The `simgrid` NetworkModel: plan transfers, build the platform and run the DAG in a forked
// child, then fill the shared result records (simgrid_model.hpp).
#include "sim/simgrid/simgrid_model.hpp"

#include <simgrid/s4u/Engine.hpp>

#include <fmt/format.h>

#include "sim/core/error.hpp"
#include "sim/simgrid/child_process.hpp"
#include "sim/simgrid/dag_driver.hpp"
#include "sim/simgrid/platform.hpp"
#include "sim/simgrid/transfers.hpp"

namespace moesim::sim::simgrid {
namespace {

class SimgridModel final : public NetworkModel {
 public:
  explicit SimgridModel(SimgridMode mode) : mode_(mode) {}

  std::string name() const override { return model_name(mode_); }

  RunResult run(const topo::Routing& routing, const Workload& w,
                const PathSet& paths) const override {
    if (mode_ == SimgridMode::LV08) {
      fmt::print(stderr,
                 "moesim: warning: simgrid:LV08 is SimGrid's TCP-like model (latency x13.01, "
                 "bandwidth x0.97, sharing weighted by round-trip time), not max-min fair; "
                 "use --model simgrid (CM02) to compare with fluid\n");
    }
    const topo::Topology& topo = routing.topology();
    const SimgridMode mode = mode_;
    const DagTimes times = run_in_child([&topo, &w, &paths, mode] {
      // Deliberately never freed (the child exits right after; see dag_driver.cpp).
      auto* engine = make_engine(mode).release();
      const auto* plan = new TransferPlan(plan_transfers(topo, w, paths));
      const auto* platform = new Platform(build_platform(topo, w, *plan, mode));
      return run_dag(*engine, w, *plan, *platform, mode);
    });
    if (times.nodes.size() != w.size()) {
      throw InternalError(fmt::format("simgrid: the child returned {} node records for {} nodes",
                                      times.nodes.size(), w.size()));
    }
    RunResult r;
    r.nodes = times.nodes;
    for (uint32_t n = 0; n < w.size(); ++n)
      r.nodes[n].subflows = paths.node_begin[n + 1] - paths.node_begin[n];
    r.events = times.events;
    complete_result(topo, w, paths, r);
    return r;
  }

 private:
  SimgridMode mode_;
};

}  // namespace

SimgridMode parse_model_name(std::string_view name, std::string_view what) {
  if (name == "simgrid" || name == "simgrid:CM02") return SimgridMode::MaxMin;
  if (name == "simgrid:latency-first") return SimgridMode::LatencyFirst;
  if (name == "simgrid:LV08") return SimgridMode::LV08;
  throw InputError(fmt::format(
      "{}: unknown model '{}': expected simgrid, simgrid:CM02, simgrid:latency-first or "
      "simgrid:LV08",
      what, name));
}

std::unique_ptr<NetworkModel> make_simgrid_model(SimgridMode mode) {
  return std::make_unique<SimgridModel>(mode);
}

void add_simgrid_model(ModelRegistry& models) {
  models.add({"simgrid",
              "SimGrid 3.32 flow-level engine: simgrid (= simgrid:CM02, max-min), "
              "simgrid:latency-first, simgrid:LV08 (not max-min)",
              true, [](std::string_view name, const ModelConfig&, std::string_view what) {
                return make_simgrid_model(parse_model_name(name, what));
              }});
}

ModelRegistry all_models() {
  ModelRegistry models = builtin_models();
  add_simgrid_model(models);
  return models;
}

}  // namespace moesim::sim::simgrid
