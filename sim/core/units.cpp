// Parsing and printing of TimePs, Bytes and BitsPerSec. Parsing is exact: "1.5us" is read as
// mantissa 15, decimal exponent -1, and scaled with integer arithmetic, so no floating-point
// rounding can change a value between the text a user wrote and the simulation.
#include "sim/core/units.hpp"

#include <array>
#include <limits>
#include <optional>
#include <span>

#include "sim/core/error.hpp"
#include "sim/core/quote.hpp"

namespace moesim {
namespace {

using u128 = unsigned __int128;

struct Unit {
  std::string_view name;
  uint64_t mult;  // base units (ps, bytes, bits/s) per one of this unit
};

// What one quantity accepts, and the words its error messages use.
struct Quantity {
  std::string_view example;    // "a time such as ..."
  std::string_view base_name;  // what "a whole number of ..." refers to
  std::string_view base_symbol;
  std::string_view unit_list;
  std::span<const Unit> units;
  uint64_t max;                // in base units
  std::string_view max_text;   // `max` as the message states it
  bool bare_prefix_ambiguous;  // "4K" could mean 4000 or 4096 bytes
};

constexpr uint64_t kKilo = 1000;
constexpr uint64_t kMega = kKilo * kKilo;
constexpr uint64_t kGiga = kMega * kKilo;
constexpr uint64_t kTera = kGiga * kKilo;

// "µs" is accepted both as U+00B5 MICRO SIGN and U+03BC GREEK SMALL LETTER MU: both are typed.
constexpr std::array kTimeUnits{
    Unit{"ps", 1},
    Unit{"ns", kKilo},
    Unit{"us", kMega},
    Unit{"\xC2\xB5s", kMega},
    Unit{"\xCE\xBCs", kMega},
    Unit{"ms", kGiga},
    Unit{"s", kTera},
};
constexpr std::array kByteUnits{
    Unit{"B", 1},
    Unit{"KB", kKilo},
    Unit{"MB", kMega},
    Unit{"GB", kGiga},
    Unit{"TB", kTera},
    Unit{"KiB", 1ULL << 10},
    Unit{"MiB", 1ULL << 20},
    Unit{"GiB", 1ULL << 30},
    Unit{"TiB", 1ULL << 40},
};
constexpr std::array kRateUnits{
    Unit{"bps", 1},      Unit{"Kbps", kKilo}, Unit{"Mbps", kMega}, Unit{"Gbps", kGiga},
    Unit{"Tbps", kTera}, Unit{"b/s", 1},      Unit{"Kb/s", kKilo}, Unit{"Mb/s", kMega},
    Unit{"Gb/s", kGiga}, Unit{"Tb/s", kTera}, Unit{"K", kKilo},    Unit{"M", kMega},
    Unit{"G", kGiga},    Unit{"T", kTera},
};

constexpr Quantity kTime{"a time such as 500ns, 1.5us, 2ms",
                         "picoseconds",
                         "ps",
                         "ps, ns, us, ms, s",
                         kTimeUnits,
                         static_cast<uint64_t>(kMaxInputTime.ps),
                         "1000000s, about 11.6 days",
                         false};
constexpr Quantity kBytes{"a size such as 100B, 4KiB, 2MB",
                          "bytes",
                          "B",
                          "B, KB, MB, GB, TB, KiB, MiB, GiB, TiB",
                          kByteUnits,
                          std::numeric_limits<uint64_t>::max(),
                          "18446744073709551615B",
                          true};
constexpr Quantity kRate{"a rate such as 400Gbps, 100G, 25Gb/s",
                         "bits per second",
                         "bps",
                         "bps, Kbps, Mbps, Gbps, Tbps, Gb/s (and so on), K, M, G, T",
                         kRateUnits,
                         std::numeric_limits<uint64_t>::max(),
                         "18446744073709551615bps",
                         false};

// Digits beyond this cannot all be held in an unsigned __int128 (10^38 < 2^128).
constexpr size_t kMaxDigits = 38;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && is_space(s.back()))
    s.remove_suffix(1);
  return s;
}

// Keeps error messages on one line whatever the user typed.
std::string printable(std::string_view s) {
  return quote_excerpt(s);
}

[[noreturn]] void fail(const Quantity& q, std::string_view what, std::string_view text,
                       std::string_view problem) {
  throw InputError(
      fmt::format("{}: '{}' {}: expected {}", what, printable(text), problem, q.example));
}

u128 gcd(u128 a, u128 b) {
  while (b != 0) {
    u128 r = a % b;
    a = b;
    b = r;
  }
  return a;
}

u128 pow10(size_t n) {
  u128 p = 1;
  for (size_t i = 0; i < n; ++i)
    p *= 10;
  return p;
}

uint64_t parse(const Quantity& q, std::string_view original, std::string_view what) {
  const std::string_view text = trim(original);
  if (text.empty()) fail(q, what, original, "is empty");
  if (text.size() >= 2 && text[0] == '-' && is_digit(text[1])) {
    fail(q, what, original, "is negative");
  }

  size_t pos = 0;
  while (pos < text.size() && is_digit(text[pos]))
    ++pos;
  const std::string_view int_part = text.substr(0, pos);
  std::string_view frac_part;
  if (pos < text.size() && text[pos] == '.') {
    const size_t start = ++pos;
    while (pos < text.size() && is_digit(text[pos]))
      ++pos;
    frac_part = text.substr(start, pos - start);
    if (frac_part.empty()) fail(q, what, original, "is not a number followed by a unit");
  }
  if (int_part.empty()) fail(q, what, original, "is not a number followed by a unit");

  const std::string_view unit_text = trim(text.substr(pos));
  if (unit_text.empty()) fail(q, what, original, "has no unit");
  const char first = unit_text.front();
  if (is_digit(first) || first == '.' || first == '-' || first == '+') {
    fail(q, what, original, "is not a number followed by a unit");
  }
  std::optional<uint64_t> mult;
  for (const Unit& u : q.units) {
    if (u.name == unit_text) mult = u.mult;
  }
  if (!mult) {
    if (q.bare_prefix_ambiguous && unit_text.size() == 1 &&
        std::string_view("KMGT").find(first) != std::string_view::npos) {
      fail(q, what, original,
           fmt::format("has ambiguous unit '{0}' (write {0}B for powers of 1000 or {0}iB for "
                       "powers of 1024)",
                       unit_text));
    }
    fail(q, what, original,
         fmt::format("has unknown unit '{}' (units: {})", printable(unit_text), q.unit_list));
  }

  // value = mantissa * mult / 10^frac_digits, with trailing fraction zeros dropped so that
  // "1.500000us" needs no more digits than "1.5us".
  while (!frac_part.empty() && frac_part.back() == '0')
    frac_part.remove_suffix(1);
  std::string digits = std::string(int_part) + std::string(frac_part);
  const size_t nonzero = digits.find_first_not_of('0');
  digits.erase(0, nonzero == std::string::npos ? digits.size() : nonzero);
  const size_t int_digits = digits.size() > frac_part.size() ? digits.size() - frac_part.size() : 0;
  // 10^20 > 2^64 already, so a longer integer part overflows whatever the unit.
  if (int_digits > 20) {
    fail(q, what, original, fmt::format("is too large (the largest is {})", q.max_text));
  }
  if (digits.size() > kMaxDigits || frac_part.size() > kMaxDigits) {
    fail(q, what, original, fmt::format("has too many digits (at most {})", kMaxDigits));
  }
  u128 mantissa = 0;
  for (char c : digits)
    mantissa = mantissa * 10 + static_cast<u128>(c - '0');

  const u128 divisor = pow10(frac_part.size());
  const u128 g = gcd(*mult, divisor);
  const u128 needed = divisor / g;
  if (mantissa % needed != 0) {
    fail(q, what, original, fmt::format("is not a whole number of {}", q.base_name));
  }
  const u128 scaled_mult = *mult / g;
  const u128 quotient = mantissa / needed;
  if (quotient > q.max / scaled_mult) {
    fail(q, what, original, fmt::format("is too large (the largest is {})", q.max_text));
  }
  return static_cast<uint64_t>(quotient * scaled_mult);
}

// Printing: at most 6 decimals, so any printed value is exact and parses back unchanged.
constexpr int kMaxDecimals = 6;

struct Rendered {
  std::string text;
  int decimals = 0;
};

// `magnitude` in `unit`, if it is at least one unit and exact with at most kMaxDecimals.
std::optional<Rendered> render(uint64_t magnitude, const Unit& unit) {
  if (magnitude < unit.mult) return std::nullopt;
  const u128 scale = pow10(kMaxDecimals);
  const u128 scaled = static_cast<u128>(magnitude) * scale;
  if (scaled % unit.mult != 0) return std::nullopt;
  const uint64_t whole = magnitude / unit.mult;
  auto frac = static_cast<uint64_t>((scaled / unit.mult) % scale);
  if (frac == 0) return Rendered{fmt::format("{}{}", whole, unit.name), 0};
  int decimals = kMaxDecimals;
  while (frac % 10 == 0) {
    frac /= 10;
    --decimals;
  }
  return Rendered{fmt::format("{}.{:0{}}{}", whole, frac, decimals, unit.name), decimals};
}

// Largest unit of `units` (ordered largest first) that renders `magnitude` exactly.
std::optional<Rendered> render_largest(uint64_t magnitude, std::span<const Unit> units) {
  for (const Unit& u : units) {
    if (auto r = render(magnitude, u)) return r;
  }
  return std::nullopt;
}

}  // namespace

TimePs parse_time(std::string_view text, std::string_view what) {
  return {static_cast<int64_t>(parse(kTime, text, what))};
}

Bytes parse_bytes(std::string_view text, std::string_view what) {
  return {parse(kBytes, text, what)};
}

BitsPerSec parse_rate(std::string_view text, std::string_view what) {
  return {parse(kRate, text, what)};
}

TimePs serialization_time(Bytes size, BitsPerSec rate) {
  if (rate.bps == 0) throw InternalError("serialization_time: rate is 0 bps");
  // size * 8 * 10^12 < 2^64 * 2^3 * 2^40 = 2^107: exact in 128 bits.
  const u128 bit_ps = static_cast<u128>(size.count) * 8 * kTera;
  const u128 ps = (bit_ps + rate.bps - 1) / rate.bps;
  if (ps > static_cast<u128>(std::numeric_limits<int64_t>::max())) {
    throw InternalError(
        fmt::format("serialization_time: {} B at {} bps overflows TimePs", size.count, rate.bps));
  }
  return {static_cast<int64_t>(ps)};
}

std::string to_string(TimePs t) {
  static constexpr std::array kUnits{Unit{"s", kTera}, Unit{"ms", kGiga}, Unit{"us", kMega},
                                     Unit{"ns", kKilo}, Unit{"ps", 1}};
  // Negate in unsigned arithmetic so that INT64_MIN has a magnitude too.
  const uint64_t magnitude =
      t.ps < 0 ? uint64_t{0} - static_cast<uint64_t>(t.ps) : static_cast<uint64_t>(t.ps);
  if (magnitude == 0) return "0ps";
  return (t.ps < 0 ? "-" : "") + render_largest(magnitude, kUnits)->text;
}

std::string to_string(Bytes b) {
  static constexpr std::array kBinary{Unit{"TiB", 1ULL << 40}, Unit{"GiB", 1ULL << 30},
                                      Unit{"MiB", 1ULL << 20}, Unit{"KiB", 1ULL << 10}};
  static constexpr std::array kDecimal{Unit{"TB", kTera}, Unit{"GB", kGiga}, Unit{"MB", kMega},
                                       Unit{"KB", kKilo}};
  const auto binary = render_largest(b.count, kBinary);
  const auto decimal = render_largest(b.count, kDecimal);
  // Fewest decimals reads best ("2MB", not "1953.125KiB"); binary wins ties ("4KiB").
  if (binary && (!decimal || binary->decimals <= decimal->decimals)) return binary->text;
  if (decimal) return decimal->text;
  return fmt::format("{}B", b.count);
}

std::string to_string(BitsPerSec r) {
  static constexpr std::array kUnits{Unit{"Tbps", kTera}, Unit{"Gbps", kGiga}, Unit{"Mbps", kMega},
                                     Unit{"Kbps", kKilo}, Unit{"bps", 1}};
  if (r.bps == 0) return "0bps";
  return render_largest(r.bps, kUnits)->text;
}

}  // namespace moesim
