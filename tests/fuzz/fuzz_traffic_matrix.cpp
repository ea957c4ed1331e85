// libFuzzer harness: the all-to-allv traffic-matrix CSV reader (workloads/traffic_matrix.hpp).
#include "tests/fuzz/fuzz_common.hpp"
#include "workloads/traffic_matrix.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static moesim::fuzz::ScratchFile scratch(".csv");
  const std::string& path = scratch.write(data, size);
  moesim::fuzz::reject_only_input_errors([&] { moesim::workload::read_traffic_matrix(path); });
  return 0;
}
