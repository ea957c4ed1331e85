#include "sim/transport.hpp"

#include <charconv>

#include <fmt/format.h>

#include "sim/core/error.hpp"

namespace moesim::sim {

Transport parse_transport(std::string_view text, std::string_view what) {
  if (text == "ecmp") return {PathPolicy::Ecmp, 1};
  if (text == "ideal") return {PathPolicy::Ideal, 1};
  if (text.starts_with("split:")) {
    std::string_view num = text.substr(6);
    uint32_t k = 0;
    auto [ptr, ec] = std::from_chars(num.data(), num.data() + num.size(), k);
    if (ec != std::errc() || ptr != num.data() + num.size() || k < 2 || k > 64) {
      throw InputError(
          fmt::format("{}: '{}': expected split:K with K a whole number from 2 to 64", what, text));
    }
    return {PathPolicy::Split, k};
  }
  if (text.starts_with("spray") || text == "plan") {
    throw InputError(fmt::format(
        "{}: '{}' is not available in the analytic and fluid models yet: expected ecmp, split:K "
        "or ideal",
        what, text));
  }
  throw InputError(
      fmt::format("{}: unknown transport '{}': expected ecmp, split:K or ideal", what, text));
}

std::string to_string(const Transport& t) {
  switch (t.policy) {
    case PathPolicy::Ecmp:
      return "ecmp";
    case PathPolicy::Split:
      return fmt::format("split:{}", t.k);
    case PathPolicy::Ideal:
      return "ideal";
  }
  return "?";
}

}  // namespace moesim::sim
