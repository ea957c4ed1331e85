#include "experiments/phases_report.hpp"

#include <algorithm>
#include <map>
#include <string_view>
#include <tuple>
#include <utility>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "sim/core/error.hpp"

namespace moesim::cli {
namespace {

using workload::GpuCoord;
using workload::ParallelLayout;

uint32_t ep_group(const GpuCoord& c, const ParallelLayout&) {
  return c.ep_group;
}
// GPUs of equal stage and DP rank.
uint32_t tp_group(const GpuCoord& c, const ParallelLayout& l) {
  return c.pp * l.dp() + c.dp;
}
uint32_t dp_group(const GpuCoord& c, const ParallelLayout&) {
  return c.dp_group;
}
// Equal EP rank in every EP group of a DP group.
uint32_t expert_dp_group(const GpuCoord& c, const ParallelLayout& l) {
  return c.dp_group * l.ep() + c.ep;
}
uint32_t stage(const GpuCoord& c, const ParallelLayout&) {
  return c.pp;
}

// The step DAG's phases (workloads/step_dag.hpp) and the group of a node's GPU (a flow's: its
// source) in each.
struct PhaseGroup {
  std::string_view phase;
  uint32_t (*group)(const GpuCoord&, const ParallelLayout&);
};
constexpr PhaseGroup kPhaseGroups[] = {
    {"attention", ep_group},     {"dispatch", ep_group},      {"expert", ep_group},
    {"combine", ep_group},       {"combine-grad", ep_group},  {"expert-bwd", ep_group},
    {"dispatch-grad", ep_group}, {"attention-bwd", ep_group}, {"tp-allreduce", tp_group},
    {"pp-send", dp_group},       {"dp-grad", dp_group},       {"expert-grad", expert_dp_group},
    {"optimizer", stage},
};

struct Acc {
  std::vector<uint32_t> gpus;
  uint64_t bytes = 0;
  TimePs start, finish;
  uint32_t stage = 0;  // of the first node's GPU
  bool any = false;
};

}  // namespace

std::vector<PhaseRow> phase_rows(const Workload& w, const sim::RunResult& r,
                                 const ParallelLayout& layout) {
  if (r.nodes.size() != w.size()) {
    throw InternalError("phases report: the result is not of this workload");
  }
  // Per tag, its phase's group rule (null: not looked up yet).
  std::vector<const PhaseGroup*> rule(w.tags().size(), nullptr);
  std::map<std::pair<uint32_t, uint32_t>, Acc> acc;  // by (tag, group)
  for (uint32_t id = 0; id < w.size(); ++id) {
    const DagNode& n = w.node(id);
    if (n.src >= layout.num_gpus() || n.dst >= layout.num_gpus()) {
      throw InternalError(fmt::format("phases report: node {} on a GPU outside the layout", id));
    }
    if (rule[n.tag] == nullptr) {
      const std::string& phase = w.tags()[n.tag].phase;
      const auto* it = std::find_if(std::begin(kPhaseGroups), std::end(kPhaseGroups),
                                    [&](const PhaseGroup& p) { return p.phase == phase; });
      if (it == std::end(kPhaseGroups)) {
        throw InternalError(fmt::format("phases report: phase '{}' has no group", phase));
      }
      rule[n.tag] = it;
    }
    const GpuCoord& c = layout.coord(n.src);
    Acc& a = acc[{n.tag, rule[n.tag]->group(c, layout)}];
    const sim::NodeRecord& rec = r.nodes[id];
    if (!a.any) {
      a.start = rec.start;
      a.finish = rec.finish;
      a.stage = c.pp;
      a.any = true;
    }
    a.start = std::min(a.start, rec.start);
    a.finish = std::max(a.finish, rec.finish);
    a.gpus.push_back(n.src);
    if (n.kind == NodeKind::Flow) {
      a.gpus.push_back(n.dst);
      a.bytes += n.size.count;
    }
  }
  std::vector<PhaseRow> rows;
  rows.reserve(acc.size());
  for (auto& [key, a] : acc) {
    std::sort(a.gpus.begin(), a.gpus.end());
    const auto distinct = std::unique(a.gpus.begin(), a.gpus.end()) - a.gpus.begin();
    const int32_t tag_stage = w.tags()[key.first].stage;
    rows.push_back({key.first, key.second,
                    tag_stage >= 0 ? tag_stage : static_cast<int32_t>(a.stage),
                    static_cast<uint32_t>(distinct), a.bytes, a.start, a.finish});
  }
  std::sort(rows.begin(), rows.end(), [](const PhaseRow& a, const PhaseRow& b) {
    return std::tie(a.start, a.tag, a.group) < std::tie(b.start, b.tag, b.group);
  });
  return rows;
}

void write_phases_csv(std::ostream& os, const std::string& run, const Workload& w,
                      const sim::RunResult& r, const ParallelLayout& layout, bool header) {
  if (header) {
    os << "run,iteration,stage,micro_batch,layer,pass,phase,group,gpus,bytes,start_us,"
          "finish_us\n";
  }
  for (const PhaseRow& row : phase_rows(w, r, layout)) {
    const Tag& t = w.tags()[row.tag];
    fmt::print(os, "{},{},{},{},{},{},{},{},{},{},{:.6f},{:.6f}\n", run, t.iteration, row.stage,
               t.micro_batch, t.layer, t.pass, t.phase, row.group, row.gpus, row.bytes,
               row.start.us(), row.finish.us());
  }
}

}  // namespace moesim::cli
