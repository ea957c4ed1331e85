// Parameter checks shared by the topology builders (fat-tree, rail, Jellyfish, RSN). Every
// failure is an InputError of the form "--option: value 'v': expected ...", the same form the
// leaf-spine builder uses, so the CLI reports all bad topology options alike.
#pragma once

#include <cmath>
#include <string_view>

#include <fmt/format.h>

#include "sim/core/error.hpp"
#include "sim/core/units.hpp"

namespace moesim::topo::detail {

[[noreturn]] inline void reject(std::string_view option, std::string_view value,
                                std::string_view expected) {
  throw InputError(fmt::format("{}: value '{}': expected {}", option, value, expected));
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
