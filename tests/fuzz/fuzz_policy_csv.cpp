// libFuzzer harness: the placement and balancing policy inputs (workloads/policy_csv.hpp):
// `layer,expert,load` and `expert,count`.
#include <sstream>

#include "tests/fuzz/fuzz_common.hpp"
#include "workloads/policy_csv.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(moesim::fuzz::as_text(data, size));
  moesim::fuzz::reject_only_input_errors([&] {
    std::istringstream in(text);
    moesim::workload::read_expert_loads_csv(in, "<fuzz>");
  });
  moesim::fuzz::reject_only_input_errors([&] {
    std::istringstream in(text);
    moesim::workload::read_expert_counts_csv(in, "<fuzz>");
  });
  return 0;
}
