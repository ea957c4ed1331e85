// libFuzzer harness: the NumPy .npz trace reader (workloads/trace_npy.cpp, npy_format.cpp), then
// a write and read-back round trip of what it accepts.
#include "tests/fuzz/fuzz_trace.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // 16 experts: ids 0..15 are accepted, the rest rejected; any k up to 16.
  moesim::fuzz::fuzz_trace(data, size, ".npz", moesim::workload::open_npy_trace,
                           {.num_experts = 16, .top_k = 0});
  return 0;
}
