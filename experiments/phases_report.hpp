// Per-phase results of an MoE step (phases.csv, `--detail phases`): one row per tag of the step
// DAG and communicator (or GPU set) of its nodes, with the span the network model gave them.
// `moesim plot --kind timeline` draws it as a Gantt chart.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "sim/core/units.hpp"
#include "sim/core/workload_dag.hpp"
#include "sim/results.hpp"
#include "workloads/parallel_layout.hpp"

namespace moesim::cli {

struct PhaseRow {
  uint32_t tag = 0;
  // The communicator or GPU set of the row's nodes (see phase_group in the .cpp): an EP group,
  // a TP group, a DP group, an expert-DP group or a stage.
  uint32_t group = 0;
  int32_t stage = -1;  // the tag's stage; for a tag without one, its GPUs' stage
  uint32_t gpus = 0;   // distinct GPUs among compute tasks and flow ends
  uint64_t bytes = 0;  // flow bytes
  TimePs start, finish;
};

// Rows of every (tag, group) with at least one node, sorted by start, tag id, group.
// InternalError for a node on a GPU outside `layout` or a phase without a group rule.
std::vector<PhaseRow> phase_rows(const Workload& w, const sim::RunResult& r,
                                 const workload::ParallelLayout& layout);

// phases.csv: run,iteration,stage,micro_batch,layer,pass,phase,group,gpus,bytes,start_us,
// finish_us; `header` writes the column names first.
void write_phases_csv(std::ostream& os, const std::string& run, const Workload& w,
                      const sim::RunResult& r, const workload::ParallelLayout& layout, bool header);

}  // namespace moesim::cli
