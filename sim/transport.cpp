#include "sim/transport.hpp"

#include <charconv>

#include <fmt/format.h>

#include "sim/core/error.hpp"

namespace moesim::sim {
namespace {

constexpr const char* kExpected =
    "expected ecmp, split:K, plan, spray:random, spray:rr, spray:adaptive or ideal";

}  // namespace

Transport parse_transport(std::string_view text, std::string_view what) {
  if (text == "ecmp") return {PathPolicy::Ecmp, 1, SprayMode::Random};
  if (text == "ideal") return {PathPolicy::Ideal, 1, SprayMode::Random};
  if (text == "plan") return {PathPolicy::Plan, 1, SprayMode::Random};
  if (text == "spray:random") return {PathPolicy::Spray, 1, SprayMode::Random};
  if (text == "spray:rr") return {PathPolicy::Spray, 1, SprayMode::RoundRobin};
  if (text == "spray:adaptive") return {PathPolicy::Spray, 1, SprayMode::Adaptive};
  if (text.starts_with("split:")) {
    std::string_view num = text.substr(6);
    uint32_t k = 0;
    auto [ptr, ec] = std::from_chars(num.data(), num.data() + num.size(), k);
    if (ec != std::errc() || ptr != num.data() + num.size() || k < 2 || k > 64) {
      throw InputError(
          fmt::format("{}: '{}': expected split:K with K a whole number from 2 to 64", what, text));
    }
    return {PathPolicy::Split, k, SprayMode::Random};
  }
  throw InputError(fmt::format("{}: unknown transport '{}': {}", what, text, kExpected));
}

std::string to_string(const Transport& t) {
  switch (t.policy) {
    case PathPolicy::Ecmp:
      return "ecmp";
    case PathPolicy::Split:
      return fmt::format("split:{}", t.k);
    case PathPolicy::Plan:
      return "plan";
    case PathPolicy::Ideal:
      return "ideal";
    case PathPolicy::Spray:
      switch (t.spray) {
        case SprayMode::Random:
          return "spray:random";
        case SprayMode::RoundRobin:
          return "spray:rr";
        case SprayMode::Adaptive:
          return "spray:adaptive";
      }
  }
  return "?";
}

}  // namespace moesim::sim
