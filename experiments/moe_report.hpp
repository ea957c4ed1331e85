// Per-layer results of an MoE run (layers.csv): routing statistics from the layer model and
// phase times from the network model's tag records.
#pragma once

#include <ostream>
#include <string>

#include "sim/core/workload_dag.hpp"
#include "sim/results.hpp"
#include "topologies/routing.hpp"
#include "workloads/moe_pipeline.hpp"

namespace moesim::cli {

// One row per (iteration, layer); `header` writes the column names first.
void write_layers_csv(std::ostream& os, const std::string& run, const workload::MoeLayers& layers,
                      const Workload& w, const sim::RunResult& r, const topo::Routing& routing,
                      uint64_t expert_weight_bytes, bool header);

// A short per-layer table on stdout (first few layers and the mean).
void print_layers(const workload::MoeLayers& layers, const Workload& w, const sim::RunResult& r);

}  // namespace moesim::cli
