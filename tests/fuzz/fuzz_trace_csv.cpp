// libFuzzer harness: the long-CSV router-trace reader (workloads/trace_csv.cpp), then a write
// and read-back round trip of what it accepts.
#include "tests/fuzz/fuzz_trace.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // 128 experts covers every expert id the seeds use; top_k 0: taken from the first token.
  moesim::fuzz::fuzz_trace(data, size, ".csv", moesim::workload::open_csv_trace,
                           {.num_experts = 128, .top_k = 0});
  return 0;
}
