// The SimGrid backend seed (sim/simgrid/one_link): one transfer on one link must take exactly
// latency + size / rate, which checks the CM02 / no-crosstraffic / Full configuration (a wrong
// model gives 13x latency under LV08, or 1.05x the time with crosstraffic on a shared link).
// Exactly ONE TEST_CASE here: SimGrid allows one Engine per process, and ctest runs each
// TEST_CASE in its own process.
#include <catch2/catch.hpp>

#include "sim/simgrid/one_link.hpp"

TEST_CASE("sim::simgrid: simgrid_transfer_time in this process is latency + size/rate") {
  using moesim::BitsPerSec;
  using moesim::Bytes;
  using moesim::TimePs;
  // 1.25e9 B over 100 Gb/s with 1 us: 1e-6 s + 1.25e9 * 8 / 100e9 s = 1e-6 + 0.1 = 0.100001 s.
  const double t = moesim::sim::simgrid::simgrid_transfer_time(
      Bytes{1'250'000'000}, BitsPerSec{100'000'000'000}, TimePs{1'000'000});
  REQUIRE(t == Approx(0.100001).epsilon(1e-9));
}
