// libFuzzer harness: the expert-count readers of workloads/trace_counts_io.cpp: the long
// counts CSV (plain, and with data/traces' `model` filter column), and the headerless count
// matrix.
#include "tests/fuzz/fuzz_common.hpp"
#include "workloads/trace_io.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static moesim::fuzz::ScratchFile scratch(".csv");
  const std::string& path = scratch.write(data, size);
  using moesim::workload::CountsReadOptions;
  moesim::fuzz::reject_only_input_errors(
      [&] { moesim::workload::read_counts_csv(path, CountsReadOptions{.num_experts = 64}); });
  moesim::fuzz::reject_only_input_errors([&] {
    moesim::workload::read_counts_csv(
        path, CountsReadOptions{.num_experts = 64, .filters = {{"model", "olmoe"}}});
  });
  moesim::fuzz::reject_only_input_errors([&] { moesim::workload::read_count_matrix_csv(path); });
  return 0;
}
