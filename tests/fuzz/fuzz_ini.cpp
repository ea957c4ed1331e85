// libFuzzer harness: the `key = value` reader behind --config and --grid
// (experiments/ini_file.hpp), with and without the each-key-once rule.
#include "experiments/ini_file.hpp"
#include "tests/fuzz/fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static moesim::fuzz::ScratchFile scratch(".ini");
  const std::string& path = scratch.write(data, size);
  moesim::fuzz::reject_only_input_errors(
      [&] { moesim::cli::read_ini_file(path, "--config", true); });
  moesim::fuzz::reject_only_input_errors(
      [&] { moesim::cli::read_ini_file(path, "--grid", false); });
  return 0;
}
