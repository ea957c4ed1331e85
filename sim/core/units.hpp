// Physical units as distinct value types: TimePs (signed picoseconds), Bytes (unsigned),
// BitsPerSec (unsigned). Text with units is parsed exactly (decimal arithmetic, no floating
// point), and every type prints through fmt in a form that parses back to the same value.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace moesim {

struct TimePs {
  int64_t ps = 0;
  constexpr auto operator<=>(const TimePs&) const = default;
  constexpr TimePs operator+(TimePs o) const { return {ps + o.ps}; }
  constexpr TimePs operator-(TimePs o) const { return {ps - o.ps}; }
  constexpr TimePs& operator+=(TimePs o) {
    ps += o.ps;
    return *this;
  }
  constexpr double seconds() const { return static_cast<double>(ps) * 1e-12; }
  constexpr double us() const { return static_cast<double>(ps) * 1e-6; }
};

struct Bytes {
  uint64_t count = 0;
  constexpr auto operator<=>(const Bytes&) const = default;
  constexpr Bytes operator+(Bytes o) const { return {count + o.count}; }
  constexpr Bytes& operator+=(Bytes o) {
    count += o.count;
    return *this;
  }
};

struct BitsPerSec {
  uint64_t bps = 0;
  constexpr auto operator<=>(const BitsPerSec&) const = default;
  constexpr double bytes_per_sec() const { return static_cast<double>(bps) / 8.0; }
};

constexpr TimePs operator""_ps(unsigned long long v) {
  return {static_cast<int64_t>(v)};
}
constexpr TimePs operator""_ns(unsigned long long v) {
  return {static_cast<int64_t>(v) * 1000};
}
constexpr TimePs operator""_us(unsigned long long v) {
  return {static_cast<int64_t>(v) * 1000000};
}
constexpr Bytes operator""_B(unsigned long long v) {
  return {v};
}
constexpr Bytes operator""_KiB(unsigned long long v) {
  return {v << 10};
}
constexpr Bytes operator""_MiB(unsigned long long v) {
  return {v << 20};
}
constexpr BitsPerSec operator""_Gbps(unsigned long long v) {
  return {v * 1000000000ULL};
}

// Parsers: "1.5us", "500ns", "2ms", "1s", "100ps" | "4KiB", "2MB", "1GiB", "100B" |
// "400Gbps", "100G", "1.6Tbps", "25Gb/s". A bare number, an unknown unit, a negative value,
// a value that is not a whole number of the base unit, or overflow throws InputError whose
// message names `what` (the option or field) and the text.
TimePs parse_time(std::string_view text, std::string_view what = "time");
Bytes parse_bytes(std::string_view text, std::string_view what = "size");
BitsPerSec parse_rate(std::string_view text, std::string_view what = "rate");

// Time to put `size` on a wire of `rate`, rounded up to the next picosecond.
TimePs serialization_time(Bytes size, BitsPerSec rate);

// Canonical text forms (what fmt prints): largest unit that keeps the value exact.
std::string to_string(TimePs t);
std::string to_string(Bytes b);
std::string to_string(BitsPerSec r);

}  // namespace moesim

template <>
struct fmt::formatter<moesim::TimePs> : fmt::formatter<std::string_view> {
  auto format(moesim::TimePs v, fmt::format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(moesim::to_string(v), ctx);
  }
};
template <>
struct fmt::formatter<moesim::Bytes> : fmt::formatter<std::string_view> {
  auto format(moesim::Bytes v, fmt::format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(moesim::to_string(v), ctx);
  }
};
template <>
struct fmt::formatter<moesim::BitsPerSec> : fmt::formatter<std::string_view> {
  auto format(moesim::BitsPerSec v, fmt::format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(moesim::to_string(v), ctx);
  }
};
