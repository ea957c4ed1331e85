// libFuzzer harness: the binary .mtrace reader (workloads/trace_binary.cpp), then a write and
// read-back round trip of what it accepts.
#include "tests/fuzz/fuzz_trace.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Zero options: num_experts and top_k come from the file's header.
  moesim::fuzz::fuzz_trace(data, size, ".mtrace", moesim::workload::open_binary_trace,
                           {.num_experts = 0, .top_k = 0});
  return 0;
}
