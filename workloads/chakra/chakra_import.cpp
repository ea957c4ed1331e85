// The import in four passes over the rank traces: index each rank's node ids, gather the
// operations (a compute node, a matched send/recv pair, a collective instance over its group),
// add them to the DAG in a fixed order, then turn every Chakra dependency into DAG edges
// between the nodes the two Chakra nodes finish and start with.
#include "workloads/chakra/chakra_import.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <tuple>

#include <fmt/format.h>

#include "sim/core/error.hpp"
#include "workloads/chakra/chakra_attrs.hpp"
#include "workloads/chakra/chakra_collective.hpp"

namespace moesim::workload::chakra {
namespace {

using ChakraProtoMsg::Node;

struct NodeRef {
  uint32_t rank = 0;
  uint32_t index = 0;  // position in the rank's file
  auto operator<=>(const NodeRef&) const = default;
};

// One DAG operation: a compute node, a send and its recv, or a collective's node on each rank
// of its group (in rank order).
struct Op {
  std::vector<NodeRef> nodes;
  uint64_t order = UINT64_MAX;  // the moesim_node of an exported trace: the DAG id to restore
};

class Importer {
 public:
  Importer(std::span<const RankTrace> ranks, uint32_t num_hosts, const std::string& source,
           std::span<const uint32_t> host_of_rank)
      : ranks_(ranks), host_of_rank_(host_of_rank), w_(num_hosts) {
    if (!host_of_rank.empty() && host_of_rank.size() != ranks.size()) {
      throw InputError(
          fmt::format("{}: {} rank files but the rank-to-host map has {} ranks: "
                      "expected one host per rank file",
                      source, ranks.size(), host_of_rank.size()));
    }
    if (ranks.size() > num_hosts) {
      throw InputError(fmt::format(
          "{}: {} rank files but the topology has {} hosts: expected at most one rank per host",
          source, ranks.size(), num_hosts));
    }
    read_tag_table();
    for (uint32_t r = 0; r < ranks.size(); ++r)
      index_rank(r);
    gather_flows();
    gather_collectives();
    add_ops();
    add_dependencies();
    w_.finalize();
  }
  Workload take() { return std::move(w_); }

 private:
  const Node& node(NodeRef n) const { return ranks_[n.rank].nodes[n.index]; }
  uint32_t host(uint32_t rank) const { return host_of_rank_.empty() ? rank : host_of_rank_[rank]; }

  std::string where(NodeRef n) const {
    const Node& x = node(n);
    const std::string type = ChakraProtoMsg::NodeType_IsValid(x.type())
                                 ? ChakraProtoMsg::NodeType_Name(x.type())
                                 : fmt::format("type {}", static_cast<int>(x.type()));
    return fmt::format("{}: node {} ({})", ranks_[n.rank].path, x.id(), type);
  }

  int64_t rank_attr(NodeRef n, const char* name) const {
    const std::optional<int64_t> v =
        int_attr(node(n).attr(), name, where(n), 0, static_cast<int64_t>(ranks_.size()) - 1);
    if (!v) throw InputError(fmt::format("{}: no attr {}: expected a rank", where(n), name));
    if (*v == n.rank) {
      throw InputError(
          fmt::format("{}: attr {}: {} is this rank: expected another rank", where(n), name, *v));
    }
    return *v;
  }

  uint64_t size_attr(NodeRef n) const {
    const std::optional<int64_t> v = int_attr(node(n).attr(), "comm_size", where(n), 1, INT64_MAX);
    if (!v) throw InputError(fmt::format("{}: no attr comm_size: expected a byte count", where(n)));
    return static_cast<uint64_t>(*v);
  }

  // Rank 0's GlobalMetadata may carry moesim's tag table (an export); its tags come first, so
  // a node's moesim_tag is its index.
  void read_tag_table() {
    if (ranks_.empty()) return;
    const Attrs& a = ranks_[0].meta.attr();
    const std::string at = ranks_[0].path + ": GlobalMetadata";
    const auto collective = string_list_attr(a, kTagCollective, at);
    if (!collective) return;
    const auto list = [&](const char* name, auto read) {
      auto v = read(a, name, at);
      if (!v || v->size() != collective->size()) {
        throw InputError(fmt::format("{}: attr {}: missing or not {} entries like {}", at, name,
                                     collective->size(), kTagCollective));
      }
      return *v;
    };
    const auto phase = list(kTagPhase, string_list_attr);
    const auto pass = list(kTagPass, string_list_attr);
    const auto layer = list(kTagLayer, int_list_attr);
    const auto iteration = list(kTagIteration, int_list_attr);
    const auto micro_batch = list(kTagMicroBatch, int_list_attr);
    const auto stage = list(kTagStage, int_list_attr);
    const auto i32 = [&](int64_t v, const char* name) {
      if (v < INT32_MIN || v > INT32_MAX) {
        throw InputError(fmt::format("{}: attr {}: {}: expected a 32-bit integer", at, name, v));
      }
      return static_cast<int32_t>(v);
    };
    for (size_t i = 0; i < collective->size(); ++i) {
      w_.add_tag(Tag{(*collective)[i], phase[i], i32(layer[i], kTagLayer),
                     i32(iteration[i], kTagIteration), i32(micro_batch[i], kTagMicroBatch),
                     i32(stage[i], kTagStage), pass[i]});
    }
    num_table_tags_ = collective->size();
  }

  // The node's tag: its moesim_tag from the table, else one per kind of operation.
  uint32_t tag_of(NodeRef n, const char* kind) {
    const std::optional<int64_t> t = int_attr(node(n).attr(), kTagAttr, where(n), 0, INT64_MAX);
    if (t) {
      if (static_cast<uint64_t>(*t) >= num_table_tags_) {
        throw InputError(fmt::format("{}: attr {}: {}: expected a tag below {} ({})", where(n),
                                     kTagAttr, *t, num_table_tags_, kTagCollective));
      }
      return static_cast<uint32_t>(*t);
    }
    const auto [it, added] = default_tags_.emplace(kind, 0);
    if (added) it->second = w_.add_tag(Tag{"chakra", kind});
    return it->second;
  }

  void index_rank(uint32_t r) {
    const std::vector<Node>& nodes = ranks_[r].nodes;
    std::map<uint64_t, uint32_t>& ids = ids_.emplace_back();
    ends_.emplace_back(nodes.size());
    for (uint32_t i = 0; i < nodes.size(); ++i) {
      const NodeRef n{r, i};
      if (!ids.emplace(nodes[i].id(), i).second) {
        throw InputError(
            fmt::format("{}: the id appears twice: expected unique node ids", where(n)));
      }
      switch (nodes[i].type()) {
        case ChakraProtoMsg::COMP_NODE:
          ops_.push_back(Op{{n}, order_of(n)});
          break;
        case ChakraProtoMsg::COMM_SEND_NODE:
          sends_[{r, static_cast<uint32_t>(rank_attr(n, "comm_dst")), comm_tag(n)}].push_back(n);
          break;
        case ChakraProtoMsg::COMM_RECV_NODE:
          recvs_[{static_cast<uint32_t>(rank_attr(n, "comm_src")), r, comm_tag(n)}].push_back(n);
          break;
        case ChakraProtoMsg::COMM_COLL_NODE: {
          const std::string pg = string_attr(nodes[i].attr(), "pg_name", where(n)).value_or("");
          groups_[pg][r].push_back(n);
          break;
        }
        default:
          throw InputError(fmt::format(
              "{}: unsupported node type: expected COMP_NODE, COMM_SEND_NODE, COMM_RECV_NODE or "
              "COMM_COLL_NODE",
              where(n)));
      }
    }
  }

  int64_t comm_tag(NodeRef n) const {
    return int_attr(node(n).attr(), "comm_tag", where(n), INT64_MIN, INT64_MAX).value_or(0);
  }

  uint64_t order_of(NodeRef n) const {
    return static_cast<uint64_t>(
        int_attr(node(n).attr(), kNodeAttr, where(n), 0, INT64_MAX).value_or(-1));
  }

  // The k-th send from a to b with a tag matches the k-th recv on b from a with that tag.
  void gather_flows() {
    for (auto& [key, sends] : sends_) {
      std::vector<NodeRef>& recvs = recvs_[key];
      for (size_t k = 0; k < sends.size(); ++k) {
        if (k >= recvs.size()) {
          throw InputError(fmt::format(
              "{}: send {} of tag {} to rank {}: no matching COMM_RECV_NODE in {} (it has {}): "
              "expected one recv per send",
              where(sends[k]), k, std::get<2>(key), std::get<1>(key), ranks_[std::get<1>(key)].path,
              recvs.size()));
        }
        const uint64_t size = size_attr(sends[k]);
        const std::optional<int64_t> recv_size =
            int_attr(node(recvs[k]).attr(), "comm_size", where(recvs[k]), 1, INT64_MAX);
        if (recv_size && static_cast<uint64_t>(*recv_size) != size) {
          throw InputError(fmt::format("{}: comm_size {}: expected {} as its send ({})",
                                       where(recvs[k]), *recv_size, size, where(sends[k])));
        }
        if (order_of(sends[k]) != order_of(recvs[k])) {
          throw InputError(fmt::format("{}: attr {} differs from its send's ({})", where(recvs[k]),
                                       kNodeAttr, where(sends[k])));
        }
        ops_.push_back(Op{{sends[k], recvs[k]}, order_of(sends[k])});
      }
      if (recvs.size() > sends.size()) unmatched_recv(recvs[sends.size()]);
    }
    for (const auto& [key, recvs] : recvs_) {
      if (!recvs.empty() && !sends_.contains(key)) unmatched_recv(recvs.front());
    }
  }

  [[noreturn]] void unmatched_recv(NodeRef n) const {
    throw InputError(
        fmt::format("{}: no matching COMM_SEND_NODE from rank {} with tag {}: "
                    "expected one send per recv",
                    where(n), rank_attr(n, "comm_src"), comm_tag(n)));
  }

  // A process group is the ranks whose files hold its collectives (pg_name; unnamed = every
  // rank); the k-th collective of the group on each rank is one instance.
  void gather_collectives() {
    for (auto& [pg, per_rank] : groups_) {
      if (pg.empty() && per_rank.size() != ranks_.size()) {
        for (uint32_t r = 0; r < ranks_.size(); ++r)
          per_rank.try_emplace(r);
      }
      const auto& [first_rank, first] = *per_rank.begin();
      for (const auto& [r, nodes] : per_rank) {
        if (nodes.size() != first.size()) {
          const NodeRef some = nodes.empty() ? first.front() : nodes.front();
          throw InputError(fmt::format(
              "{}: process group '{}': {} has {} collectives but {} has {}: expected the same "
              "collectives on every rank of the group",
              where(some), pg, ranks_[r].path, nodes.size(), ranks_[first_rank].path,
              first.size()));
        }
      }
      for (size_t k = 0; k < first.size(); ++k) {
        Op op;
        for (const auto& [r, nodes] : per_rank) {
          op.nodes.push_back(nodes[k]);
          check_same_collective(nodes[k], first[k]);
        }
        op.order = order_of(first[k]);
        ops_.push_back(std::move(op));
      }
    }
  }

  int64_t comm_type(NodeRef n) const {
    const auto t = int_attr(node(n).attr(), "comm_type", where(n), INT32_MIN, INT32_MAX);
    if (!t) throw InputError(fmt::format("{}: no attr comm_type: expected one", where(n)));
    return *t;
  }

  void check_same_collective(NodeRef n, NodeRef first) const {
    if (comm_type(n) != comm_type(first) || size_attr(n) != size_attr(first)) {
      throw InputError(fmt::format(
          "{}: comm_type {} of comm_size {}: expected the same collective as {} (comm_type {} of "
          "comm_size {})",
          where(n), comm_type(n), size_attr(n), where(first), comm_type(first), size_attr(first)));
    }
  }

  // Exported traces restore their DAG ids; other operations follow in the order of their
  // first node (rank, then file position).
  void add_ops() {
    std::stable_sort(ops_.begin(), ops_.end(), [](const Op& a, const Op& b) {
      return std::tie(a.order, a.nodes.front()) < std::tie(b.order, b.nodes.front());
    });
    for (const Op& op : ops_) {
      const NodeRef first = op.nodes.front();
      const Node& x = node(first);
      if (x.type() == ChakraProtoMsg::COMP_NODE) {
        const uint32_t id =
            w_.add_compute(host(first.rank), duration(first), tag_of(first, "compute"));
        ends_[first.rank][first.index] = {{id}, {id}};
      } else if (x.type() == ChakraProtoMsg::COMM_SEND_NODE) {
        const NodeRef recv = op.nodes[1];
        const uint32_t id = w_.add_flow(host(first.rank), host(recv.rank), Bytes{size_attr(first)},
                                        tag_of(first, "send-recv"));
        ends_[first.rank][first.index] = ends_[recv.rank][recv.index] = {{id}, {id}};
      } else {
        std::vector<uint32_t> hosts;
        for (const NodeRef n : op.nodes)
          hosts.push_back(host(n.rank));
        std::vector<NodeEnds> ends =
            add_chakra_collective(w_, hosts, comm_type(first), size_attr(first), where(first));
        for (size_t i = 0; i < op.nodes.size(); ++i)
          ends_[op.nodes[i].rank][op.nodes[i].index] = std::move(ends[i]);
      }
    }
  }

  TimePs duration(NodeRef n) const {
    const std::optional<int64_t> ps =
        int_attr(node(n).attr(), kDurationPsAttr, where(n), 0, kMaxRunTime.ps);
    if (ps) return TimePs{*ps};
    const uint64_t us = node(n).duration_micros();
    if (us > static_cast<uint64_t>(kMaxRunTime.ps / 1'000'000)) {
      throw InputError(fmt::format("{}: duration_micros {}: expected at most {}", where(n), us,
                                   kMaxRunTimeText));
    }
    return TimePs{static_cast<int64_t>(us) * 1'000'000};
  }

  void add_dependencies() {
    for (uint32_t r = 0; r < ranks_.size(); ++r) {
      for (uint32_t i = 0; i < ranks_[r].nodes.size(); ++i) {
        const Node& x = ranks_[r].nodes[i];
        for (const auto* deps : {&x.data_deps(), &x.ctrl_deps()}) {
          for (const uint64_t dep : *deps)
            add_dependency(NodeRef{r, i}, dep);
        }
      }
    }
  }

  void add_dependency(NodeRef n, uint64_t dep) {
    const auto it = ids_[n.rank].find(dep);
    if (it == ids_[n.rank].end() || it->second == n.index) {
      throw InputError(fmt::format("{}: depends on node {}: expected another node of {}", where(n),
                                   dep, ranks_[n.rank].path));
    }
    const NodeEnds& before = ends_[n.rank][it->second];
    for (const uint32_t b : before.done) {
      for (const uint32_t a : ends_[n.rank][n.index].start) {
        if (a == b) {
          throw InputError(
              fmt::format("{}: depends on node {} that is part of the same "
                          "operation: expected a dependency on an earlier one",
                          where(n), dep));
        }
        w_.add_dependency(b, a);
      }
    }
  }

  std::span<const RankTrace> ranks_;
  std::span<const uint32_t> host_of_rank_;  // empty: rank r on host r
  Workload w_;
  size_t num_table_tags_ = 0;
  std::map<std::string, uint32_t> default_tags_;
  std::vector<std::map<uint64_t, uint32_t>> ids_;  // per rank: node id -> file position
  std::vector<std::vector<NodeEnds>> ends_;        // per rank and file position
  std::vector<Op> ops_;
  using FlowKey = std::tuple<uint32_t, uint32_t, int64_t>;  // (src rank, dst rank, comm_tag)
  std::map<FlowKey, std::vector<NodeRef>> sends_, recvs_;
  std::map<std::string, std::map<uint32_t, std::vector<NodeRef>>> groups_;  // pg -> rank -> nodes
};

}  // namespace

Workload import_workload(std::span<const RankTrace> ranks, uint32_t num_hosts,
                         const std::string& source, std::span<const uint32_t> host_of_rank) {
  try {
    return Importer(ranks, num_hosts, source, host_of_rank).take();
  } catch (const InternalError& e) {
    // The DAG's own checks: a node that can never start lies on a cycle of dependencies
    // (the only InternalError a well-formed import can meet).
    throw InputError(
        fmt::format("{}: the dependencies of the rank files are not a DAG ({}): "
                    "expected no cycle through data_deps, ctrl_deps and send/recv",
                    source, e.what()));
  }
}

}  // namespace moesim::workload::chakra
