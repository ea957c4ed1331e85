// PathSet -> SimGrid transfers: path decomposition and endpoint assignment (transfers.hpp).
#include "sim/simgrid/transfers.hpp"

#include <algorithm>
#include <limits>
#include <unordered_map>

#include "sim/core/error.hpp"

namespace moesim::sim::simgrid {
namespace {

uint64_t hash_links(std::span<const uint32_t> links) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (uint32_t l : links) {
    h ^= l;
    h *= 1099511628211ull;
  }
  return h;
}

// Interns distinct paths and numbers them per (source host, destination host) pair.
class PathTable {
 public:
  PathTable(const topo::Topology& topo, TransferPlan& plan) : topo_(topo), plan_(plan) {}

  uint32_t intern(std::span<const uint32_t> links, double weight, uint32_t src, uint32_t dst) {
    std::vector<uint32_t>& bucket = by_hash_[hash_links(links)];
    for (uint32_t p : bucket) {
      const auto have = plan_.links(p);
      if (plan_.path_weight[p] == weight &&
          std::equal(have.begin(), have.end(), links.begin(), links.end())) {
        return p;
      }
    }
    const auto id = static_cast<uint32_t>(plan_.num_paths());
    bucket.push_back(id);
    plan_.path_links.insert(plan_.path_links.end(), links.begin(), links.end());
    plan_.path_begin.push_back(static_cast<uint32_t>(plan_.path_links.size()));
    TimePs latency{0};
    for (uint32_t l : links)
      latency += topo_.link(l).latency;
    const uint32_t slot = next_slot_[(static_cast<uint64_t>(src) << 32) | dst]++;
    plan_.path_src.push_back(src);
    plan_.path_dst.push_back(dst);
    plan_.path_slot.push_back(slot);
    plan_.path_latency.push_back(latency);
    plan_.path_weight.push_back(weight);
    plan_.slots[src] = std::max(plan_.slots[src], slot + 1);
    plan_.slots[dst] = std::max(plan_.slots[dst], slot + 1);
    return id;
  }

 private:
  const topo::Topology& topo_;
  TransferPlan& plan_;
  std::unordered_map<uint64_t, std::vector<uint32_t>> by_hash_;
  std::unordered_map<uint64_t, uint32_t> next_slot_;
};

// Splits `bytes` by the weights: floors, then the rest to the heaviest path (bytes conserved).
std::vector<uint64_t> split_bytes(uint64_t bytes, const std::vector<WeightedPath>& paths) {
  std::vector<uint64_t> out(paths.size());
  uint64_t given = 0;
  size_t heaviest = 0;
  for (size_t i = 0; i < paths.size(); ++i) {
    out[i] = static_cast<uint64_t>(paths[i].weight * static_cast<double>(bytes));
    out[i] = std::min(out[i], bytes - given);
    given += out[i];
    if (paths[i].weight > paths[heaviest].weight) heaviest = i;
  }
  out[heaviest] += bytes - given;
  return out;
}

}  // namespace

std::vector<WeightedPath> decompose_paths(const topo::Topology& topo, uint32_t src_vertex,
                                          uint32_t dst_vertex, std::span<const uint32_t> links,
                                          std::span<const double> coefs) {
  // Link indices grouped by their tail vertex.
  std::vector<std::pair<uint32_t, uint32_t>> out;  // (from vertex, index into links)
  out.reserve(links.size());
  for (uint32_t i = 0; i < links.size(); ++i)
    out.emplace_back(topo.link(links[i]).from, i);
  std::sort(out.begin(), out.end());
  std::vector<double> rem(coefs.begin(), coefs.end());
  double total = 0;
  for (const auto& [from, i] : out) {
    if (from == src_vertex) total += rem[i];
  }
  const double eps = 1e-9 * total;

  std::vector<WeightedPath> paths;
  std::vector<uint32_t> idx;
  for (size_t round = 0; round <= links.size(); ++round) {
    idx.clear();
    double bottleneck = std::numeric_limits<double>::infinity();
    uint32_t v = src_vertex;
    while (v != dst_vertex && idx.size() <= links.size()) {
      auto [lo, hi] = std::equal_range(out.begin(), out.end(), std::pair{v, 0u},
                                       [](auto a, auto b) { return a.first < b.first; });
      uint32_t best = UINT32_MAX;
      for (auto it = lo; it != hi; ++it) {
        if (rem[it->second] > eps && (best == UINT32_MAX || rem[it->second] > rem[best])) {
          best = it->second;
        }
      }
      if (best == UINT32_MAX) break;  // only rounding residue is left
      idx.push_back(best);
      bottleneck = std::min(bottleneck, rem[best]);
      v = topo.link(links[best]).to;
    }
    if (v != dst_vertex) break;
    WeightedPath p;
    p.weight = bottleneck;
    for (uint32_t i : idx) {
      p.links.push_back(links[i]);
      rem[i] -= bottleneck;
    }
    paths.push_back(std::move(p));
  }
  double sum = 0;
  for (const auto& p : paths)
    sum += p.weight;
  if (paths.empty() || sum <= 0) {
    throw InternalError("simgrid: a multipath subflow's link fractions hold no path");
  }
  for (auto& p : paths)
    p.weight /= sum;
  return paths;
}

TransferPlan plan_transfers(const topo::Topology& topo, const Workload& w, const PathSet& paths) {
  TransferPlan plan;
  plan.slots.assign(w.num_hosts(), 1);
  plan.path_begin.push_back(0);
  plan.node_begin.reserve(w.size() + 1);
  plan.transfer_path.reserve(paths.num_subflows());
  plan.transfer_bytes.reserve(paths.num_subflows());
  PathTable table(topo, plan);
  auto add = [&plan](uint32_t path, uint64_t bytes) {
    plan.transfer_path.push_back(path);
    plan.transfer_bytes.push_back(bytes);
  };
  for (uint32_t n = 0; n < w.size(); ++n) {
    plan.node_begin.push_back(static_cast<uint32_t>(plan.num_transfers()));
    const DagNode& node = w.node(n);
    if (node.kind != NodeKind::Flow) continue;
    for (uint32_t s = paths.node_begin[n]; s < paths.node_begin[n + 1]; ++s) {
      const auto links = paths.sub_links(s);
      const auto coefs = paths.sub_coefs(s);
      const bool single =
          std::all_of(coefs.begin(), coefs.end(), [](double c) { return c == 1.0; });
      if (single) {
        add(table.intern(links, 1.0, node.src, node.dst), paths.bytes[s]);
        continue;
      }
      const auto parts = decompose_paths(topo, topo.host_vertex(node.src),
                                         topo.host_vertex(node.dst), links, coefs);
      const std::vector<uint64_t> bytes = split_bytes(paths.bytes[s], parts);
      for (size_t i = 0; i < parts.size(); ++i) {
        if (bytes[i] == 0 && !(paths.bytes[s] == 0 && i == 0)) continue;
        add(table.intern(parts[i].links, parts[i].weight, node.src, node.dst), bytes[i]);
      }
    }
  }
  plan.node_begin.push_back(static_cast<uint32_t>(plan.num_transfers()));
  return plan;
}

}  // namespace moesim::sim::simgrid
