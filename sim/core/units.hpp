// Physical units as distinct value types: TimePs (signed picoseconds), Bytes (unsigned),
// BitsPerSec (unsigned). Text with units is parsed exactly (decimal arithmetic, no floating
// point), and every type prints through fmt in a form that parses back to the same value.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
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

// Limits on time. TimePs holds up to 2^63 - 1 ps, about 9.22e6 s (107 days).
// - A time a user writes (a flag, a config key, a topology file) is at most kMaxInputTime,
//   10^6 s (11.6 days, 10^18 ps): far beyond any latency, compute time or timer a cluster
//   simulation needs, and small enough that any 9 of them add up without overflow.
// - A run is at most kMaxRunTime, 2^62 ps (4.6e6 s, 53 days), half of TimePs's range: the
//   network models refuse a run whose completion bound passes it (sim/time_limits.hpp), so
//   a clock reading plus one more input time, or the packet overheads that bound leaves out,
//   still fits.
// Where values users chose are summed (a chain of compute tasks, the latencies of a path),
// the sum is checked with checked_add rather than trusted to stay small.
inline constexpr TimePs kMaxInputTime{1'000'000'000'000'000'000};
inline constexpr TimePs kMaxRunTime{int64_t{1} << 62};
inline constexpr std::string_view kMaxRunTimeText = "2^62 ps (4.6e6 s, about 53 days)";

// a + b, or nullopt if the sum does not fit (TimePs: int64; Bytes: uint64).
constexpr std::optional<TimePs> checked_add(TimePs a, TimePs b) {
  int64_t sum = 0;
  if (__builtin_add_overflow(a.ps, b.ps, &sum)) return std::nullopt;
  return TimePs{sum};
}
constexpr std::optional<Bytes> checked_add(Bytes a, Bytes b) {
  uint64_t sum = 0;
  if (__builtin_add_overflow(a.count, b.count, &sum)) return std::nullopt;
  return Bytes{sum};
}

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
// a value that is not a whole number of the base unit, overflow, or a time above
// kMaxInputTime throws InputError whose message names `what` (the option or field) and the
// text.
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
