// libFuzzer harness: the topology edge-list CSV reader (topologies/file_import.hpp).
#include <sstream>

#include "tests/fuzz/fuzz_common.hpp"
#include "topologies/file_import.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  moesim::fuzz::reject_only_input_errors([&] {
    std::istringstream in{std::string(moesim::fuzz::as_text(data, size))};
    moesim::topo::read_edge_list(in, "<fuzz>");
  });
  return 0;
}
