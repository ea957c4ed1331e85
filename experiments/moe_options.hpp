// The MoE options of `moesim run --workload moe`, `moesim replay` and `moesim trace`, read
// from the typed option table (experiments/options.cpp) into the pipeline's MoeSpec
// (workloads/moe_pipeline.hpp) and the cluster's GPU model (sim/gpu_model.hpp).
#pragma once

#include <cstdint>

#include "experiments/options.hpp"
#include "sim/gpu_model.hpp"
#include "workloads/moe_pipeline.hpp"
#include "workloads/parallel_layout.hpp"

namespace moesim::cli {

// The MoE workload the options describe; InputError naming the option (and its source).
workload::MoeSpec parse_moe(const Settings& s, uint64_t seed);

// The GPU compute model of the options (--gpu-tflops).
sim::GpuModel parse_gpu_model(const Settings& s);

// --tp, --pp, --dp, --ep and --rank-order (all = 0, resolved by the layout).
workload::ParallelDims parse_parallel_dims(const Settings& s);

}  // namespace moesim::cli
