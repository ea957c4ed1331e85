// Small samplers for the synthetic trace generators, driven only by our Rng (sim/core/rng.hpp)
// so a seed gives the same trace with any standard library: normal (Box-Muller), Gamma
// (Marsaglia-Tsang), Dirichlet, Zipf weights, categorical sampling by inverse CDF, and top-k
// sampling of distinct experts without replacement.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "sim/core/rng.hpp"

namespace moesim::workload {

// Standard normal by Box-Muller (one of the pair is used; the other is dropped so each call
// consumes exactly two uniforms).
double sample_normal(Rng& rng);
// Fills `out` with standard normals by the polar form of Box-Muller, both values of each pair
// used; an odd last entry takes the first of a fresh pair.
void sample_normals(Rng& rng, std::span<double> out);

// log of a Gamma(shape, 1) draw, shape > 0: Marsaglia-Tsang for shape >= 1, and for shape < 1
// the boost Gamma(shape + 1) * U^(1/shape) taken in logs, so tiny shapes do not underflow.
double sample_log_gamma(Rng& rng, double shape);
double sample_gamma(Rng& rng, double shape);

// A Dirichlet(alpha, ..., alpha) draw of dimension n, normalised in log space.
std::vector<double> sample_dirichlet(Rng& rng, uint32_t n, double alpha);

// Zipf weights by popularity rank: w[r] = (r + 1)^-s / sum, r = 0..n-1 (s = 0 is uniform).
std::vector<double> zipf_weights(uint32_t n, double s);

// A uniformly random permutation of 0..n-1 (Fisher-Yates).
std::vector<uint32_t> random_permutation(Rng& rng, uint32_t n);

// Probabilities over experts with their cumulative table, for inverse-CDF draws.
class Categorical {
 public:
  Categorical() = default;
  // `p` non-negative with a positive sum (normalised here).
  explicit Categorical(std::span<const double> p);
  uint32_t size() const { return static_cast<uint32_t>(p_.size()); }
  const std::vector<double>& probabilities() const { return p_; }
  // Inverse CDF: the first index whose cumulative probability exceeds u * total.
  uint32_t sample(Rng& rng) const;
  // k distinct indices drawn one after another without replacement, each in proportion to
  // its probability among those not yet drawn. If `first` is given it is taken as the first
  // pick. Rejection on the full table, with an exact scan after repeated rejections (a very
  // concentrated table); zero-probability indices are used, uniformly, only once the positive
  // ones are exhausted. k <= size().
  void sample_distinct(Rng& rng, uint32_t k, std::vector<uint32_t>& out,
                       const uint32_t* first = nullptr) const;

 private:
  std::vector<double> p_, cdf_;
};

}  // namespace moesim::workload
