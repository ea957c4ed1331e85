// libFuzzer harness: the unit parsers of sim/core/units.hpp. What parses must print in a form
// that parses back to the same value (the header's promise).
#include <cstdio>
#include <cstdlib>

#include "sim/core/units.hpp"
#include "tests/fuzz/fuzz_common.hpp"

namespace {

template <class T, class Parse>
void round_trip(std::string_view text, Parse parse) {
  moesim::fuzz::reject_only_input_errors([&] {
    const T value = parse(text, "fuzz");
    const std::string printed = moesim::to_string(value);
    if (!(parse(printed, "fuzz") == value)) {
      std::fprintf(stderr, "moesim fuzz: '%s' does not parse back to its value\n", printed.c_str());
      std::abort();
    }
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = moesim::fuzz::as_text(data, size);
  round_trip<moesim::TimePs>(text, moesim::parse_time);
  round_trip<moesim::Bytes>(text, moesim::parse_bytes);
  round_trip<moesim::BitsPerSec>(text, moesim::parse_rate);
  return 0;
}
