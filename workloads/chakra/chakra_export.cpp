#include "workloads/chakra/chakra_export.hpp"

#include <fmt/format.h>

#include "sim/core/error.hpp"
#include "workloads/chakra/chakra_attrs.hpp"

namespace moesim::workload::chakra {
namespace {

using ChakraProtoMsg::Node;

constexpr uint64_t kNone = UINT64_MAX;

// Every rank carries the same metadata: the schema version and moesim's tag table.
ChakraProtoMsg::GlobalMetadata metadata(const Workload& w) {
  ChakraProtoMsg::GlobalMetadata m;
  m.set_version(std::string(kSchemaVersions[0]));
  std::vector<std::string> collective, phase, pass;
  std::vector<int64_t> layer, iteration, micro_batch, stage;
  for (const Tag& t : w.tags()) {
    collective.push_back(t.collective);
    phase.push_back(t.phase);
    pass.push_back(t.pass);
    layer.push_back(t.layer);
    iteration.push_back(t.iteration);
    micro_batch.push_back(t.micro_batch);
    stage.push_back(t.stage);
  }
  add_string_list_attr(*m.mutable_attr(), kTagCollective, collective);
  add_string_list_attr(*m.mutable_attr(), kTagPhase, phase);
  add_string_list_attr(*m.mutable_attr(), kTagPass, pass);
  add_int_list_attr(*m.mutable_attr(), kTagLayer, layer);
  add_int_list_attr(*m.mutable_attr(), kTagIteration, iteration);
  add_int_list_attr(*m.mutable_attr(), kTagMicroBatch, micro_batch);
  add_int_list_attr(*m.mutable_attr(), kTagStage, stage);
  return m;
}

std::string node_name(const Workload& w, uint32_t v) {
  const Tag& t = w.tags()[w.node(v).tag];
  return fmt::format("{}{}{} {}", t.collective, t.phase.empty() ? "" : "/", t.phase, v);
}

class Exporter {
 public:
  Exporter(const Workload& w, const std::string& prefix)
      : w_(w), ranks_(w.num_hosts()), send_(w.size(), kNone), recv_(w.size(), kNone) {
    const ChakraProtoMsg::GlobalMetadata meta = metadata(w);
    for (uint32_t r = 0; r < ranks_.size(); ++r) {
      ranks_[r].path = fmt::format("{}.{}.et", prefix, r);
      ranks_[r].meta = meta;
    }
    for (uint32_t v = 0; v < w.size(); ++v)
      add_node(v);
    for (uint32_t u = 0; u < w.size(); ++u) {
      for (const uint32_t v : w.successors(u))
        add_dependency(u, v);
    }
  }
  std::vector<RankTrace> take() { return std::move(ranks_); }

 private:
  // Appends a node of `type` for DAG node v to rank r's file; returns its Chakra id.
  Node& append(uint32_t r, uint32_t v, ChakraProtoMsg::NodeType type, uint64_t& id) {
    Node& n = ranks_[r].nodes.emplace_back();
    id = ranks_[r].nodes.size() - 1;
    n.set_id(id);
    n.set_name(node_name(w_, v));
    n.set_type(type);
    add_int_attr(*n.mutable_attr(), kNodeAttr, v);
    add_int_attr(*n.mutable_attr(), kTagAttr, w_.node(v).tag);
    return n;
  }

  void add_node(uint32_t v) {
    const DagNode& d = w_.node(v);
    if (d.kind == NodeKind::Compute) {
      Node& n = append(d.src, v, ChakraProtoMsg::COMP_NODE, send_[v]);
      recv_[v] = send_[v];  // the task's only node, whichever end a dependency looks for
      // ASTRA-sim reads whole microseconds (rounded to nearest); moesim reads the exact ps.
      n.set_duration_micros(static_cast<uint64_t>((d.duration.ps + 500'000) / 1'000'000));
      add_int_attr(*n.mutable_attr(), kDurationPsAttr, d.duration.ps);
      return;
    }
    const auto comm = [&](Node& n, const char* peer_attr, uint32_t peer) {
      add_int_attr(*n.mutable_attr(), peer_attr, peer);
      add_int_attr(*n.mutable_attr(), "comm_tag", v);
      add_int_attr(*n.mutable_attr(), "comm_size", static_cast<int64_t>(d.size.count));
      add_bool_attr(*n.mutable_attr(), "is_cpu_op", false);
    };
    comm(append(d.src, v, ChakraProtoMsg::COMM_SEND_NODE, send_[v]), "comm_dst", d.dst);
    comm(append(d.dst, v, ChakraProtoMsg::COMM_RECV_NODE, recv_[v]), "comm_src", d.src);
  }

  // The Chakra id of DAG node u in rank r's file, or kNone if u has no node there.
  uint64_t local(uint32_t u, uint32_t r) const {
    const DagNode& d = w_.node(u);
    if (d.src == r) return send_[u];
    if (d.kind == NodeKind::Flow && d.dst == r) return recv_[u];
    return kNone;
  }

  void add_dependency(uint32_t u, uint32_t v) {
    const DagNode& d = w_.node(v);
    if (const uint64_t before = local(u, d.src); before != kNone) {
      ranks_[d.src].nodes[send_[v]].add_data_deps(before);
    } else if (const uint64_t b = d.kind == NodeKind::Flow ? local(u, d.dst) : kNone; b != kNone) {
      ranks_[d.dst].nodes[recv_[v]].add_data_deps(b);
    } else {
      const DagNode& a = w_.node(u);
      throw InputError(fmt::format(
          "chakra export: DAG node {} (host {} -> {}) waits for node {} (host {} -> {}), which "
          "touches none of its hosts: a Chakra dependency stays inside one rank's file",
          v, d.src, d.dst, u, a.src, a.dst));
    }
  }

  const Workload& w_;
  std::vector<RankTrace> ranks_;
  std::vector<uint64_t> send_;  // per DAG node: its Chakra id on its source (compute: its GPU)
  std::vector<uint64_t> recv_;  // per flow: its Chakra id on its destination
};

}  // namespace

std::vector<RankTrace> export_workload(const Workload& w, const std::string& prefix) {
  return Exporter(w, prefix).take();
}

}  // namespace moesim::workload::chakra
