#include "experiments/moe_report.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "sim/core/error.hpp"

namespace moesim::cli {
namespace {

// build_moe_dag adds four tags per layer, in execution order.
enum Phase : uint32_t { kAttention = 0, kDispatch = 1, kExpert = 2, kCombine = 3, kPhases = 4 };

struct LayerTimes {
  double dispatch_us = 0, expert_us = 0, combine_us = 0, layer_us = 0;
  double busy_gpu_us = 0;  // summed over GPUs: attention + expert task durations
  uint64_t nic_bytes = 0, nvlink_bytes = 0;
};

std::vector<LayerTimes> layer_times(const workload::MoeLayers& layers, const Workload& w,
                                    const sim::RunResult& r, const topo::Routing* routing) {
  const size_t n = layers.traffic.size();
  if (w.tags().size() != n * kPhases) {
    throw InternalError("moe report: the workload is not a layer DAG of these layers");
  }
  std::vector<LayerTimes> t(n);
  for (size_t i = 0; i < n; ++i) {
    const auto span = [&](Phase p) {
      const sim::TagRecord& rec = r.tags[i * kPhases + p];
      return (rec.finish - rec.start).us();
    };
    t[i].dispatch_us = span(kDispatch);
    t[i].expert_us = span(kExpert);
    t[i].combine_us = span(kCombine);
    t[i].layer_us =
        (r.tags[i * kPhases + kCombine].finish - r.tags[i * kPhases + kAttention].start).us();
    if (r.tags[i * kPhases + kCombine].flows == 0) {  // nothing crossed GPUs: end at the experts
      t[i].layer_us =
          (r.tags[i * kPhases + kExpert].finish - r.tags[i * kPhases + kAttention].start).us();
    }
  }
  const topo::Topology* topo = routing ? &routing->topology() : nullptr;
  for (uint32_t id = 0; id < w.size(); ++id) {
    const DagNode& node = w.node(id);
    LayerTimes& lt = t[node.tag / kPhases];
    if (node.kind == NodeKind::Compute) {
      lt.busy_gpu_us += node.duration.us();
    } else if (topo != nullptr) {
      const auto hops =
          routing->next_hops(static_cast<uint32_t>(topo->host_vertex(node.src)), node.dst);
      const bool nvlink = !hops.empty() && topo->link(hops[0]).kind == topo::LinkKind::NvLink;
      (nvlink ? lt.nvlink_bytes : lt.nic_bytes) += node.size.count;
    }
  }
  return t;
}

}  // namespace

void write_layers_csv(std::ostream& os, const std::string& run, const workload::MoeLayers& layers,
                      const Workload& w, const sim::RunResult& r, const topo::Routing& routing,
                      uint64_t expert_weight_bytes, bool header) {
  if (header) {
    os << "run,iteration,layer,tokens,slots,dropped_share,max_gpu_rows,mean_gpu_rows,"
          "max_expert_rows,mean_expert_rows,remote_tokens,local_tokens,dispatch_us,expert_us,"
          "combine_us,layer_us,gpu_idle_fraction,nic_bytes,nvlink_bytes,weight_transfer_bytes\n";
  }
  const std::vector<LayerTimes> t = layer_times(layers, w, r, &routing);
  const double gpus = layers.traffic.front().num_gpus;
  for (size_t i = 0; i < t.size(); ++i) {
    const workload::LayerStats& s = layers.stats[i];
    const double idle =
        t[i].layer_us > 0 ? std::max(0.0, 1.0 - t[i].busy_gpu_us / (gpus * t[i].layer_us)) : 0;
    fmt::print(os,
               "{},{},{},{},{},{:.6f},{},{:.3f},{},{:.3f},{},{},{:.6f},{:.6f},{:.6f},{:.6f},{:.6f},"
               "{},{},{}\n",
               run, layers.iteration[i], layers.layer[i], s.tokens, s.slots,
               s.slots ? static_cast<double>(s.dropped) / static_cast<double>(s.slots) : 0.0,
               s.max_gpu_rows, s.mean_gpu_rows, s.max_expert_rows, s.mean_expert_rows,
               s.remote_tokens, s.local_tokens, t[i].dispatch_us, t[i].expert_us, t[i].combine_us,
               t[i].layer_us, idle, t[i].nic_bytes, t[i].nvlink_bytes,
               s.weight_transfers * expert_weight_bytes);
  }
}

void print_layers(const workload::MoeLayers& layers, const Workload& w, const sim::RunResult& r) {
  const std::vector<LayerTimes> t = layer_times(layers, w, r, nullptr);
  fmt::print("{:>4} {:>5} {:>9} {:>9} {:>8} {:>12} {:>11} {:>11} {:>10}\n", "iter", "layer",
             "max/mean", "dropped", "remote", "dispatch(us)", "expert(us)", "combine(us)",
             "layer(us)");
  double sum = 0;
  for (size_t i = 0; i < t.size(); ++i) {
    const workload::LayerStats& s = layers.stats[i];
    sum += t[i].layer_us;
    if (i >= 8 && i + 1 != t.size()) continue;  // the first layers and the last
    if (i > 8 && i + 1 == t.size()) fmt::print("{:>4}\n", "...");
    fmt::print("{:>4} {:>5} {:>9.3f} {:>9} {:>8} {:>12.3f} {:>11.3f} {:>11.3f} {:>10.3f}\n",
               layers.iteration[i], layers.layer[i],
               s.mean_gpu_rows > 0 ? static_cast<double>(s.max_gpu_rows) / s.mean_gpu_rows : 0.0,
               s.dropped, s.remote_tokens, t[i].dispatch_us, t[i].expert_us, t[i].combine_us,
               t[i].layer_us);
  }
  fmt::print(
      "{} layers, mean layer time {:.3f} us (max/mean: rows on the busiest GPU over the mean)\n",
      t.size(), sum / static_cast<double>(t.size()));
}

}  // namespace moesim::cli
