// Small text helpers shared by every reader of user text (options, INI files, CSV readers).
#pragma once

#include <string_view>

namespace moesim {

// `s` without leading and trailing blanks (space, tab, carriage return).
constexpr std::string_view trim_blanks(std::string_view s) {
  const size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

}  // namespace moesim
