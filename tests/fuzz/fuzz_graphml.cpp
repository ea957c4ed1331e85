// libFuzzer harness: the topology GraphML reader (topologies/graphml_import.cpp, over Boost's
// read_graphml).
#include <sstream>

#include "tests/fuzz/fuzz_common.hpp"
#include "topologies/file_import.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  moesim::fuzz::reject_only_input_errors([&] {
    std::istringstream in{std::string(moesim::fuzz::as_text(data, size))};
    moesim::topo::read_graphml(in, "<fuzz>");
  });
  return 0;
}
