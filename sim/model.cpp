#include "sim/model.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

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
  // One state byte per packet and a sender/receiver record (~160 B) per subflow.
  double state_bytes(const Workload& w, const PathSet& p) const override {
    const uint64_t payload = config_.mtu.count - config_.header.count;
    double packets = 0;
    for (const uint64_t b : p.bytes)
      packets += static_cast<double>(std::max<uint64_t>(1, b / payload + (b % payload != 0)));
    return NetworkModel::state_bytes(w, p) + packets + 160.0 * static_cast<double>(p.bytes.size());
  }

 private:
  PacketConfig config_;
};

}  // namespace

double path_set_bytes(const PathSet& p) {
  return 4.0 * static_cast<double>(p.node_begin.size() + p.link_begin.size() + p.links.size() +
                                   p.owner.size()) +
         8.0 * static_cast<double>(p.coefs.size() + p.bytes.size() + p.latency.size());
}

void ModelRegistry::add(ModelEntry entry) {
  for (const ModelEntry& e : entries_) {
    if (e.name == entry.name) throw InternalError("model registered twice: " + entry.name);
  }
  entries_.push_back(std::move(entry));
}

std::unique_ptr<NetworkModel> ModelRegistry::make(std::string_view name, const ModelConfig& config,
                                                  std::string_view what) const {
  for (const ModelEntry& e : entries_) {
    const bool variant = e.family && name.size() > e.name.size() &&
                         name.substr(0, e.name.size()) == e.name && name[e.name.size()] == ':';
    if (name == e.name || variant) return e.make(name, config, what);
  }
  throw InputError(
      fmt::format("{}: unknown model '{}': expected {}", what, name, fmt::join(names(), ", ")));
}

std::vector<std::string> ModelRegistry::names() const {
  std::vector<std::string> out;
  for (const ModelEntry& e : entries_)
    out.push_back(e.family ? e.name + "[:VARIANT]" : e.name);
  return out;
}

ModelRegistry builtin_models() {
  ModelRegistry r;
  r.add({"analytic", "per-link bytes and the link bound, no time dynamics", false,
         [](std::string_view, const ModelConfig&, std::string_view) {
           return std::make_unique<AnalyticModel>();
         }});
  r.add({"fluid", "exact max-min fair rates, recomputed at every flow start and end", false,
         [](std::string_view, const ModelConfig&, std::string_view) {
           return std::make_unique<FluidModel>();
         }});
  r.add({"packet", "packet-level DES: MTU packets, output-queued switches, DCTCP, trimming", false,
         [](std::string_view, const ModelConfig& c, std::string_view) {
           return std::make_unique<PacketModel>(c.packet);
         }});
  return r;
}

std::unique_ptr<NetworkModel> make_model(std::string_view name, const PacketConfig& packet,
                                         std::string_view what) {
  return builtin_models().make(name, ModelConfig{packet}, what);
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
