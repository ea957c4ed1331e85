// libFuzzer harness: specMoE's expert_statistics_3d.json reader
// (workloads/trace_counts_io.cpp, read_expert_usage_json).
#include "tests/fuzz/fuzz_common.hpp"
#include "workloads/trace_io.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static moesim::fuzz::ScratchFile scratch(".json");
  const std::string& path = scratch.write(data, size);
  moesim::fuzz::reject_only_input_errors([&] { moesim::workload::read_expert_usage_json(path); });
  return 0;
}
