// Tests for sim/core/units: exact parsing of text with units, the errors for bad text,
// serialization time rounding, and printing that parses back to the same value.
#include <catch2/catch.hpp>

#include <limits>
#include <optional>
#include <vector>

#include "sim/core/error.hpp"
#include "sim/core/rng.hpp"
#include "sim/core/units.hpp"

using moesim::BitsPerSec;
using moesim::Bytes;
using moesim::InputError;
using moesim::InternalError;
using moesim::TimePs;

TEST_CASE("core::parse_time: reads every unit exactly") {
  REQUIRE(moesim::parse_time("100ps") == TimePs{100});
  REQUIRE(moesim::parse_time("500ns") == TimePs{500'000});           // 500 * 10^3 ps
  REQUIRE(moesim::parse_time("1.5us") == TimePs{1'500'000});         // 1.5 * 10^6 ps
  REQUIRE(moesim::parse_time("1.5\xC2\xB5s") == TimePs{1'500'000});  // micro sign
  REQUIRE(moesim::parse_time("1.5\xCE\xBCs") == TimePs{1'500'000});  // Greek mu
  REQUIRE(moesim::parse_time("2ms") == TimePs{2'000'000'000});       // 2 * 10^9 ps
  REQUIRE(moesim::parse_time("1s") == TimePs{1'000'000'000'000});
  REQUIRE(moesim::parse_time("0ns") == TimePs{0});
  // 0.000001 s = 1 us = 10^6 ps: a fraction that floating point cannot hold exactly.
  REQUIRE(moesim::parse_time("0.000001s") == TimePs{1'000'000});
  REQUIRE(moesim::parse_time("1.500000000000000000000000us") == TimePs{1'500'000});
  REQUIRE(moesim::parse_time("  2ns\n") == TimePs{2'000});
  REQUIRE(moesim::parse_time("007ns") == TimePs{7'000});
}

TEST_CASE("core::parse_time: accepts times up to kMaxInputTime") {
  // kMaxInputTime = 10^6 s = 10^18 ps; one picosecond more is refused.
  REQUIRE(moesim::parse_time("1000000s") == moesim::kMaxInputTime);
  REQUIRE(moesim::parse_time("1000000000000000000ps") == TimePs{1'000'000'000'000'000'000});
  REQUIRE_THROWS_AS(moesim::parse_time("1000000000000000001ps"), InputError);
}

TEST_CASE("core::parse_time: refuses times that would overflow once added up") {
  // INT64_MAX ps (--attention-time) used to parse and then overflow when added to a clock;
  // 2^62 ps (--latency) overflowed when two links' latencies were summed into a path.
  for (const char* text : {"9223372036854775807ps", "4611686018427387904ps", "1000001s"}) {
    try {
      moesim::parse_time(text, "--attention-time");
      FAIL("no exception for " << text);
    } catch (const InputError& e) {
      REQUIRE(std::string(e.what()) ==
              fmt::format("--attention-time: '{}' is too large (the largest is 1000000s, about "
                          "11.6 days): expected a time such as 500ns, 1.5us, 2ms",
                          text));
    }
  }
}

TEST_CASE("core::checked_add: sums that fit, and nullopt for those that do not") {
  using moesim::checked_add;
  REQUIRE(checked_add(TimePs{1}, TimePs{2}) == TimePs{3});
  // INT64_MAX + 1 overflows; INT64_MIN + (-1) too.
  REQUIRE_FALSE(checked_add(TimePs{std::numeric_limits<int64_t>::max()}, TimePs{1}));
  REQUIRE_FALSE(checked_add(TimePs{std::numeric_limits<int64_t>::min()}, TimePs{-1}));
  // 9 times kMaxInputTime = 9e18 ps < INT64_MAX = 9.22e18 ps: kMaxInputTime's promise.
  std::optional<TimePs> sum = TimePs{0};
  for (int i = 0; i < 9; ++i)
    sum = checked_add(*sum, moesim::kMaxInputTime);
  REQUIRE(sum == TimePs{9'000'000'000'000'000'000});
  REQUIRE(checked_add(Bytes{1}, Bytes{2}) == Bytes{3});
  // 2^64 - 1 + 1 wraps to 0 in uint64.
  REQUIRE_FALSE(checked_add(Bytes{std::numeric_limits<uint64_t>::max()}, Bytes{1}));
}

TEST_CASE("core::parse_time: rejects a bare number") {
  REQUIRE_THROWS_AS(moesim::parse_time("100"), InputError);
  try {
    moesim::parse_time("100", "--latency");
    FAIL("no exception");
  } catch (const InputError& e) {
    REQUIRE(std::string(e.what()) ==
            "--latency: '100' has no unit: expected a time such as 500ns, 1.5us, 2ms");
  }
}

TEST_CASE("core::parse_time: rejects bad text") {
  const auto bad = [](const char* text) {
    REQUIRE_THROWS_AS(moesim::parse_time(text, "--latency"), InputError);
  };
  SECTION("empty") {
    bad("");
  }
  SECTION("only spaces") {
    bad("   ");
  }
  SECTION("letters") {
    bad("abc");
  }
  SECTION("unit without number") {
    bad("us");
  }
  SECTION("two dots") {
    bad("1..5us");
  }
  SECTION("two decimal points") {
    bad("1.2.3us");
  }
  SECTION("dot without fraction") {
    bad("1.us");
  }
  SECTION("dot without integer part") {
    bad(".5us");
  }
  SECTION("negative") {
    bad("-5us");
  }
  SECTION("plus sign") {
    bad("+5us");
  }
  SECTION("unknown unit") {
    bad("5xs");
  }
  SECTION("wrong case") {
    bad("5US");
  }
  SECTION("exponent") {
    bad("1e3ns");
  }
  SECTION("trailing garbage") {
    bad("5ns5");
  }
  SECTION("fraction of a picosecond") {
    bad("0.1ps");
  }
  SECTION("fraction of a picosecond in ns") {
    bad("1.0005ns");
  }
  // 10^7 s = 10^19 ps > INT64_MAX (about 9.22e18).
  SECTION("overflow") {
    bad("10000000s");
  }
  SECTION("huge integer part") {
    bad("123456789012345678901234567890ps");
  }
  SECTION("too many digits") {
    bad("0.0000000000000000000000000000000000000000001s");
  }
}

TEST_CASE("core::parse_time: error messages are one line naming the field and the text") {
  for (const char* text : {"", "100", "abc", "-1us", "5xs", "0.1ps", "10000000s", "1\n2us"}) {
    try {
      moesim::parse_time(text, "--latency");
      FAIL("no exception for '" << text << "'");
    } catch (const InputError& e) {
      const std::string msg = e.what();
      REQUIRE(msg.rfind("--latency: '", 0) == 0);
      REQUIRE(msg.find("expected a time") != std::string::npos);
      REQUIRE(msg.find('\n') == std::string::npos);
    }
  }
}

TEST_CASE("core::parse_bytes: reads decimal and binary units exactly") {
  REQUIRE(moesim::parse_bytes("100B") == Bytes{100});
  REQUIRE(moesim::parse_bytes("4KiB") == Bytes{4096});      // 4 * 2^10
  REQUIRE(moesim::parse_bytes("2MB") == Bytes{2'000'000});  // 2 * 10^6
  REQUIRE(moesim::parse_bytes("0.5KiB") == Bytes{512});     // 2^10 / 2
  REQUIRE(moesim::parse_bytes("1GiB") == Bytes{1ULL << 30});
  REQUIRE(moesim::parse_bytes("1.5MiB") == Bytes{1'572'864});  // 1.5 * 2^20
  REQUIRE(moesim::parse_bytes("3KB") == Bytes{3'000});
  REQUIRE(moesim::parse_bytes("7GB") == Bytes{7'000'000'000});
  REQUIRE(moesim::parse_bytes("2TB") == Bytes{2'000'000'000'000});
  REQUIRE(moesim::parse_bytes("1TiB") == Bytes{1ULL << 40});
  // 2^-10 KiB = 1 byte: ten decimals, exact in integer arithmetic.
  REQUIRE(moesim::parse_bytes("0.0009765625KiB") == Bytes{1});
  // UINT64_MAX = 18446744073709551615.
  REQUIRE(moesim::parse_bytes("18446744073709551615B") ==
          Bytes{std::numeric_limits<uint64_t>::max()});
}

TEST_CASE("core::parse_bytes: rejects bad text") {
  const auto bad = [](const char* text) {
    REQUIRE_THROWS_AS(moesim::parse_bytes(text, "--message-size"), InputError);
  };
  SECTION("empty") {
    bad("");
  }
  SECTION("bare number") {
    bad("4096");
  }
  SECTION("bare K is ambiguous") {
    bad("4K");
  }
  SECTION("bare M is ambiguous") {
    bad("4M");
  }
  SECTION("bare G is ambiguous") {
    bad("4G");
  }
  SECTION("lower-case k") {
    bad("4kB");
  }
  SECTION("bits are not bytes") {
    bad("4Kb");
  }
  SECTION("negative") {
    bad("-1KiB");
  }
  SECTION("half a byte") {
    bad("1.5B");
  }
  SECTION("not a whole number of bytes in KB") {
    bad("0.0001KB");
  }
  SECTION("garbage") {
    bad("abc");
  }
  SECTION("overflow by one") {
    bad("18446744073709551616B");
  }
  // 2^24 TiB = 2^64 B.
  SECTION("overflow in a large unit") {
    bad("16777216TiB");
  }
}

TEST_CASE("core::parse_bytes: the ambiguity error says how to fix it") {
  try {
    moesim::parse_bytes("4K", "--message-size");
    FAIL("no exception");
  } catch (const InputError& e) {
    const std::string msg = e.what();
    REQUIRE(msg.find("KB") != std::string::npos);
    REQUIRE(msg.find("KiB") != std::string::npos);
  }
}

TEST_CASE("core::parse_rate: reads bps - b/s and bare-letter forms") {
  REQUIRE(moesim::parse_rate("400Gbps") == BitsPerSec{400'000'000'000});
  REQUIRE(moesim::parse_rate("100G") == BitsPerSec{100'000'000'000});
  REQUIRE(moesim::parse_rate("400M") == BitsPerSec{400'000'000});
  REQUIRE(moesim::parse_rate("10K") == BitsPerSec{10'000});
  REQUIRE(moesim::parse_rate("1.6T") == BitsPerSec{1'600'000'000'000});
  REQUIRE(moesim::parse_rate("1.6Tbps") == BitsPerSec{1'600'000'000'000});
  REQUIRE(moesim::parse_rate("25Gb/s") == BitsPerSec{25'000'000'000});
  REQUIRE(moesim::parse_rate("56Kbps") == BitsPerSec{56'000});
  REQUIRE(moesim::parse_rate("10Mb/s") == BitsPerSec{10'000'000});
  REQUIRE(moesim::parse_rate("9600bps") == BitsPerSec{9'600});
  REQUIRE(moesim::parse_rate("9600b/s") == BitsPerSec{9'600});
  // 12.5 Gbps: one decimal scaled by 10^9.
  REQUIRE(moesim::parse_rate("12.5Gbps") == BitsPerSec{12'500'000'000});
}

TEST_CASE("core::parse_rate: rejects bad text") {
  const auto bad = [](const char* text) {
    REQUIRE_THROWS_AS(moesim::parse_rate(text, "--link-rate"), InputError);
  };
  SECTION("empty") {
    bad("");
  }
  SECTION("bare number") {
    bad("100");
  }
  SECTION("bytes per second") {
    bad("25GB/s");
  }
  SECTION("GBps") {
    bad("25GBps");
  }
  SECTION("lower-case g") {
    bad("100g");
  }
  SECTION("negative") {
    bad("-100G");
  }
  SECTION("fraction of a bit") {
    bad("0.5bps");
  }
  SECTION("garbage") {
    bad("fast");
  }
  // 2^64 bps is about 1.8e19 = 1.8e7 Tbps.
  SECTION("overflow") {
    bad("20000000Tbps");
  }
}

TEST_CASE("core::serialization_time: is exact when the division is exact") {
  // 1 MiB at 400 Gb/s: 8*1048576/400e9 s = 20.97152 us = 20971520 ps exactly.
  REQUIRE(moesim::serialization_time(Bytes{1 << 20}, BitsPerSec{400'000'000'000}) ==
          TimePs{20'971'520});
  // 1500 B at 100 Gb/s: 12000 bits / 1e11 = 120 ns = 120000 ps.
  REQUIRE(moesim::serialization_time(Bytes{1500}, moesim::parse_rate("100G")) == TimePs{120'000});
  // 1 B at 1.6 Tb/s: 8 / 1.6e12 s = 5 ps.
  REQUIRE(moesim::serialization_time(Bytes{1}, moesim::parse_rate("1.6Tbps")) == TimePs{5});
  REQUIRE(moesim::serialization_time(Bytes{0}, BitsPerSec{1}) == TimePs{0});
  // 1 TiB at 1 Gb/s: 2^40 * 8 / 1e9 s = 2^43 * 1000 ps = 8796093022208000 ps; the intermediate
  // 2^43 * 10^12 is about 8.8e24, beyond 64 bits.
  REQUIRE(moesim::serialization_time(Bytes{1ULL << 40}, BitsPerSec{1'000'000'000}) ==
          TimePs{8'796'093'022'208'000});
}

TEST_CASE("core::serialization_time: rounds up to the next picosecond") {
  // 1 B at 3 bps: 8/3 s = 2666666666666.67 ps, rounded up to 2666666666667 ps.
  REQUIRE(moesim::serialization_time(Bytes{1}, BitsPerSec{3}) == TimePs{2'666'666'666'667});
  // 1 B at 3 Tb/s: 8/3e12 s = 2.67 ps -> 3 ps.
  REQUIRE(moesim::serialization_time(Bytes{1}, BitsPerSec{3'000'000'000'000}) == TimePs{3});
  // 1 B at 7 Tb/s: 8/7 ps = 1.14 ps -> 2 ps (not rounded to nearest).
  REQUIRE(moesim::serialization_time(Bytes{1}, BitsPerSec{7'000'000'000'000}) == TimePs{2});
}

TEST_CASE("core::serialization_time: rejects a zero rate and overflow") {
  SECTION("zero rate") {
    REQUIRE_THROWS_AS(moesim::serialization_time(Bytes{1}, BitsPerSec{0}), InternalError);
  }
  // 2^64 B at 1 bps is about 1.5e32 ps, far beyond INT64_MAX.
  SECTION("overflow") {
    REQUIRE_THROWS_AS(
        moesim::serialization_time(Bytes{std::numeric_limits<uint64_t>::max()}, BitsPerSec{1}),
        InternalError);
  }
}

TEST_CASE("core::to_string: picks the largest exact unit") {
  REQUIRE(fmt::format("{}", TimePs{0}) == "0ps");
  REQUIRE(fmt::format("{}", TimePs{1}) == "1ps");
  REQUIRE(fmt::format("{}", TimePs{2'000}) == "2ns");
  REQUIRE(fmt::format("{}", TimePs{1'500'000}) == "1.5us");
  REQUIRE(fmt::format("{}", TimePs{1'001}) == "1.001ns");
  REQUIRE(fmt::format("{}", TimePs{1'000'000'000'000}) == "1s");
  // 1000000001 ps = 1.000000001 ms needs 9 decimals; in us (10^6 ps) it is 1000.000001.
  REQUIRE(fmt::format("{}", TimePs{1'000'000'001}) == "1000.000001us");
  // 10^12 + 10^5 ps = 1.0000001 s needs 7 decimals; in ms (10^9 ps) it is 1000.0001.
  REQUIRE(fmt::format("{}", TimePs{1'000'000'100'000}) == "1000.0001ms");
  REQUIRE(fmt::format("{}", TimePs{-1'500'000}) == "-1.5us");

  REQUIRE(fmt::format("{}", Bytes{0}) == "0B");
  REQUIRE(fmt::format("{}", Bytes{100}) == "100B");
  REQUIRE(fmt::format("{}", Bytes{1000}) == "1KB");
  REQUIRE(fmt::format("{}", Bytes{4096}) == "4KiB");
  REQUIRE(fmt::format("{}", Bytes{1 << 20}) == "1MiB");
  REQUIRE(fmt::format("{}", Bytes{1536}) == "1.5KiB");  // 1.5 * 2^10
  // 2000000 B = 1953.125 KiB = 2 MB: the form without decimals wins.
  REQUIRE(fmt::format("{}", Bytes{2'000'000}) == "2MB");
  // 1024000 B = 1000 KiB = 1.024 MB.
  REQUIRE(fmt::format("{}", Bytes{1'024'000}) == "1000KiB");

  REQUIRE(fmt::format("{}", BitsPerSec{0}) == "0bps");
  REQUIRE(fmt::format("{}", BitsPerSec{400'000'000'000}) == "400Gbps");
  REQUIRE(fmt::format("{}", BitsPerSec{1'600'000'000'000}) == "1.6Tbps");
  REQUIRE(fmt::format("{}", BitsPerSec{56'000}) == "56Kbps");
  REQUIRE(fmt::format("{:>10}", BitsPerSec{100'000'000'000}) == "   100Gbps");
}

namespace {

// Values of every magnitude: multiples and fractions of each unit, and random bit patterns.
std::vector<uint64_t> sample_values(uint64_t max) {
  std::vector<uint64_t> out{0, 1, max, max - 1};
  const uint64_t units[] = {1,          1'000,      1'000'000,  1'000'000'000, 1'000'000'000'000,
                            1ULL << 10, 1ULL << 20, 1ULL << 30, 1ULL << 40};
  for (uint64_t u : units) {
    for (uint64_t k = 1; k <= 3000; k += 7) {
      for (uint64_t div : {1, 2, 8, 10, 1000, 1024}) {
        const uint64_t v = k * u / div;
        if (v <= max) out.push_back(v);
      }
    }
  }
  moesim::Rng rng(42);
  for (int i = 0; i < 20000; ++i) {
    const uint64_t v = rng.next_u64() >> rng.below(64);
    if (v <= max) out.push_back(v);
  }
  return out;
}

}  // namespace

TEST_CASE("core::to_string: every printed value parses back to itself") {
  // Times parse only up to kMaxInputTime, so the round trip samples times up to it.
  for (uint64_t v : sample_values(static_cast<uint64_t>(moesim::kMaxInputTime.ps))) {
    const TimePs t{static_cast<int64_t>(v)};
    const std::string text = fmt::format("{}", t);
    INFO(v << " printed as " << text);
    REQUIRE(moesim::parse_time(text) == t);
  }
  const auto uint64_max = std::numeric_limits<uint64_t>::max();
  for (uint64_t v : sample_values(uint64_max)) {
    const std::string bytes_text = fmt::format("{}", Bytes{v});
    const std::string rate_text = fmt::format("{}", BitsPerSec{v});
    INFO(v << " printed as " << bytes_text << " and " << rate_text);
    REQUIRE(moesim::parse_bytes(bytes_text) == Bytes{v});
    REQUIRE(moesim::parse_rate(rate_text) == BitsPerSec{v});
  }
}
