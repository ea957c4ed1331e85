// Parameter checks shared by the topology builders. Every failure is a FieldError naming the
// field (the option it comes from), reading "--option: value 'v': expected ..."; the CLI maps
// the field to where the value came from (a flag or a config line).
#pragma once

#include <cmath>
#include <string_view>

#include <fmt/format.h>

#include "sim/core/error.hpp"
#include "sim/core/options.hpp"
#include "sim/core/units.hpp"

namespace moesim::topo::detail {

[[noreturn]] inline void reject(std::string_view option, std::string_view value,
                                std::string_view expected) {
  if (option.starts_with("--")) option.remove_prefix(2);
  throw FieldError(std::string(option), std::string(value), std::string(expected));
}

inline void require_positive(std::string_view option, BitsPerSec rate) {
  if (rate.bps == 0) reject(option, fmt::format("{}", rate), "a rate > 0");
}

inline void require_non_negative(std::string_view option, TimePs t) {
  if (t.ps < 0) reject(option, fmt::format("{}ps", t.ps), "a time >= 0");
}

inline void require_buffer(std::string_view option, Bytes b) {
  if (b.count == 0) reject(option, "0B", "a size > 0");
}

// A finite real number in [lo, hi] (inclusive); `expected` says it in words.
inline void require_range(std::string_view option, double x, double lo, double hi,
                          std::string_view expected) {
  if (!std::isfinite(x) || x < lo || x > hi) reject(option, fmt::format("{}", x), expected);
}

}  // namespace moesim::topo::detail
