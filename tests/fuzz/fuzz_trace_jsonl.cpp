// libFuzzer harness: the JSONL router-trace reader (workloads/trace_jsonl.cpp, the Mixtral
// layout), then a write and read-back round trip of what it accepts.
#include "tests/fuzz/fuzz_trace.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  moesim::fuzz::fuzz_trace(data, size, ".jsonl", moesim::workload::open_jsonl_trace,
                           {.num_experts = 128, .top_k = 0});
  return 0;
}
