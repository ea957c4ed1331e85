#include "sim/model.hpp"

#include <algorithm>
#include <atomic>

#include <fmt/format.h>

#include "sim/core/error.hpp"

namespace moesim::sim {
namespace {

class AnalyticModel final : public NetworkModel {
 public:
  std::string name() const override { return "analytic"; }
  RunResult run(const topo::Routing& r, const Workload& w, const PathSet& p) const override {
    return run_analytic(r.topology(), w, p);
  }
};

class FluidModel final : public NetworkModel {
 public:
  std::string name() const override { return "fluid"; }
  RunResult run(const topo::Routing& r, const Workload& w, const PathSet& p) const override {
    return run_fluid(r.topology(), w, p);
  }
};

class PacketModel final : public NetworkModel {
 public:
  explicit PacketModel(const PacketConfig& c) : config_(c) {}
  std::string name() const override { return "packet"; }
  RunResult run(const topo::Routing& r, const Workload& w, const PathSet& p) const override {
    return run_packet(r, w, p, config_);
  }
  bool supports(const Transport& t) const override { return t.policy != PathPolicy::Ideal; }

 private:
  PacketConfig config_;
};

// The one process-wide hook: set once at start-up, before any run (see model.hpp).
std::atomic<ModelFactory> simgrid_factory{nullptr};

}  // namespace

void set_simgrid_factory(ModelFactory factory) {
  simgrid_factory.store(factory);
}

std::unique_ptr<NetworkModel> make_model(std::string_view name, const PacketConfig& packet,
                                         std::string_view what) {
  if (name == "analytic") return std::make_unique<AnalyticModel>();
  if (name == "fluid") return std::make_unique<FluidModel>();
  if (name == "packet") return std::make_unique<PacketModel>(packet);
  if (name.substr(0, 7) == "simgrid") {
    if (const ModelFactory f = simgrid_factory.load()) return f(name, what);
    throw InputError(fmt::format(
        "{}: model '{}' is not linked into this program: expected analytic, fluid or packet", what,
        name));
  }
  throw InputError(fmt::format(
      "{}: unknown model '{}': expected analytic, fluid, packet or simgrid", what, name));
}

std::vector<double> link_capacities(const topo::Topology& topo) {
  std::vector<double> cap;
  cap.reserve(topo.num_links());
  for (const auto& l : topo.links())
    cap.push_back(l.rate.bytes_per_sec());
  return cap;
}

void complete_result(const topo::Topology& topo, const Workload& w, const PathSet& paths,
                     RunResult& r) {
  const std::vector<double> bytes = link_bytes(paths, topo.num_links());
  r.links.resize(bytes.size());
  r.link_bound_s = 0;
  for (size_t l = 0; l < bytes.size(); ++l) {
    r.links[l].bytes = bytes[l];
    r.link_bound_s = std::max(r.link_bound_s, bytes[l] / topo.link(l).rate.bytes_per_sec());
  }
  r.tags.assign(w.tags().size(), TagRecord{TimePs{INT64_MAX}, TimePs{0}, 0, 0});
  r.makespan = TimePs{0};
  for (uint32_t n = 0; n < w.size(); ++n) {
    const DagNode& node = w.node(n);
    TagRecord& tag = r.tags[node.tag];
    tag.start = std::min(tag.start, r.nodes[n].start);
    tag.finish = std::max(tag.finish, r.nodes[n].finish);
    if (node.kind == NodeKind::Flow) {
      tag.bytes += node.size.count;
      ++tag.flows;
    }
    r.makespan = std::max(r.makespan, r.nodes[n].finish);
  }
  for (TagRecord& tag : r.tags) {
    if (tag.start.ps == INT64_MAX) tag.start = TimePs{0};
  }
  r.subflows = paths.num_subflows();
  r.split_flows = num_split_flows(paths);
}

}  // namespace moesim::sim
