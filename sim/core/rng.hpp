// Seeded, named random streams. One root seed per run; each consumer asks for its own stream
// by name ("workload", "ecmp", ...), so adding draws to one stream never shifts another.
// Our own generator and distributions (no std::*_distribution), so results are identical
// across standard libraries and machines.
#pragma once

#include <bit>
#include <cstdint>
#include <string_view>

namespace moesim {

// splitmix64 finaliser: a good 64-bit mixer, also used for ECMP hashing.
constexpr uint64_t mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// xoshiro256** seeded by splitmix64.
class Rng {
 public:
  explicit Rng(uint64_t seed);
  uint64_t next_u64() {  // inline: the synthetic routers draw billions
    const uint64_t result = std::rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = std::rotl(s_[3], 45);
    return result;
  }
  // Uniform integer in [0, n), n > 0, without modulo bias (Lemire's method).
  uint64_t below(uint64_t n);
  // Uniform double in [0, 1) with 53 random bits.
  // The top 53 bits are xoshiro's best; 2^-53 steps are exact doubles below 1.
  double uniform01() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

 private:
  uint64_t s_[4];
};

// The stream named `name` under `root_seed`: same (seed, name) → same sequence.
Rng make_stream(uint64_t root_seed, std::string_view name);

}  // namespace moesim
