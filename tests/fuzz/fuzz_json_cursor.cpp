// libFuzzer harness: the strict JSON cursor behind every JSON trace reader
// (workloads/trace_json.hpp), walking one whole JSON text with skip_value.
#include <string>

#include "tests/fuzz/fuzz_common.hpp"
#include "workloads/trace_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "<fuzz>";
  moesim::fuzz::reject_only_input_errors([&] {
    moesim::workload::text::JsonCursor cursor(moesim::fuzz::as_text(data, size), path, 1);
    cursor.skip_value();
    cursor.expect_end();
  });
  return 0;
}
