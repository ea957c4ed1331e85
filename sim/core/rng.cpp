// xoshiro256** (Blackman & Vigna) with our own integer and real draws, so a (seed, name) pair
// gives the same numbers with any compiler or standard library.
#include "sim/core/rng.hpp"

#include "sim/core/error.hpp"

namespace moesim {
namespace {

constexpr uint64_t kGolden = 0x9e3779b97f4a7c15ULL;  // splitmix64's state increment

// FNV-1a, 64-bit: turns a stream name into a seed offset.
constexpr uint64_t fnv1a64(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

}  // namespace

Rng::Rng(uint64_t seed) {
  // mix64(x) is splitmix64's output for state x + kGolden, so these are its first four outputs.
  // Distinct inputs to a bijection: the all-zero state that xoshiro forbids cannot occur.
  for (int i = 0; i < 4; ++i)
    s_[i] = mix64(seed + static_cast<uint64_t>(i) * kGolden);
}

uint64_t Rng::below(uint64_t n) {
  if (n == 0) throw InternalError("Rng::below: n must be positive");
  // Lemire: the high word of x*n is uniform on [0, n) once the low words that would make some
  // outcomes more likely (there are 2^64 mod n of them) are rejected.
  unsigned __int128 m = static_cast<unsigned __int128>(next_u64()) * n;
  auto low = static_cast<uint64_t>(m);
  if (low < n) {
    const uint64_t threshold = (uint64_t{0} - n) % n;  // 2^64 mod n
    while (low < threshold) {
      m = static_cast<unsigned __int128>(next_u64()) * n;
      low = static_cast<uint64_t>(m);
    }
  }
  return static_cast<uint64_t>(m >> 64);
}

Rng make_stream(uint64_t root_seed, std::string_view name) {
  return Rng(mix64(root_seed ^ fnv1a64(name)));
}

}  // namespace moesim
