// Samplers for the trace generators (no std::*_distribution: DESIGN.md §3 Determinism).
#include "workloads/trace_sampling.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include <fmt/format.h>

#include "sim/core/error.hpp"

namespace moesim::workload {

double sample_normal(Rng& rng) {
  const double u1 = 1.0 - rng.uniform01();  // (0, 1]: log is finite
  const double u2 = rng.uniform01();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

void sample_normals(Rng& rng, std::span<double> out) {
  // Marsaglia's polar form of Box-Muller: a point uniform in the unit disc replaces the cos/sin
  // of a uniform angle (about twice as fast; 4/pi pairs of uniforms per pair of normals).
  for (size_t i = 0; i < out.size(); i += 2) {
    double u = 0, v = 0, s = 0;
    do {
      u = 2.0 * rng.uniform01() - 1.0;
      v = 2.0 * rng.uniform01() - 1.0;
      s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    const double f = std::sqrt(-2.0 * std::log(s) / s);
    out[i] = u * f;
    if (i + 1 < out.size()) out[i + 1] = v * f;
  }
}

double sample_log_gamma(Rng& rng, double shape) {
  if (!(shape > 0)) throw InternalError(fmt::format("sample_gamma: shape {} <= 0", shape));
  if (shape < 1.0) {
    // Gamma(a) = Gamma(a + 1) * U^(1/a) (Marsaglia & Tsang 2000, §6).
    const double u = 1.0 - rng.uniform01();
    return sample_log_gamma(rng, shape + 1.0) + std::log(u) / shape;
  }
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    const double x = sample_normal(rng);
    double v = 1.0 + c * x;
    if (v <= 0) continue;
    v = v * v * v;
    const double u = 1.0 - rng.uniform01();
    if (u < 1.0 - 0.0331 * x * x * x * x) return std::log(d * v);
    if (std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v))) return std::log(d * v);
  }
}

double sample_gamma(Rng& rng, double shape) {
  return std::exp(sample_log_gamma(rng, shape));
}

std::vector<double> sample_dirichlet(Rng& rng, uint32_t n, double alpha) {
  std::vector<double> p(n);
  for (double& x : p)
    x = sample_log_gamma(rng, alpha);
  const double top = *std::max_element(p.begin(), p.end());
  double sum = 0;
  for (double& x : p)
    sum += (x = std::exp(x - top));
  for (double& x : p)
    x /= sum;
  return p;
}

std::vector<double> zipf_weights(uint32_t n, double s) {
  std::vector<double> w(n);
  double sum = 0;
  for (uint32_t r = 0; r < n; ++r)
    sum += (w[r] = std::pow(static_cast<double>(r + 1), -s));
  for (double& x : w)
    x /= sum;
  return w;
}

std::vector<uint32_t> random_permutation(Rng& rng, uint32_t n) {
  std::vector<uint32_t> perm(n);
  for (uint32_t i = 0; i < n; ++i)
    perm[i] = i;
  for (uint32_t i = n; i > 1; --i)
    std::swap(perm[i - 1], perm[rng.below(i)]);
  return perm;
}

Categorical::Categorical(std::span<const double> p) : p_(p.begin(), p.end()), cdf_(p.size()) {
  double sum = 0;
  for (size_t i = 0; i < p_.size(); ++i) {
    if (!(p_[i] >= 0) || !std::isfinite(p_[i]))
      throw InternalError(fmt::format("Categorical: probability {} at {}", p_[i], i));
    sum += p_[i];
  }
  if (!(sum > 0)) throw InternalError("Categorical: probabilities sum to 0");
  double acc = 0;
  for (size_t i = 0; i < p_.size(); ++i) {
    p_[i] /= sum;
    cdf_[i] = (acc += p_[i]);
  }
}

uint32_t Categorical::sample(Rng& rng) const {
  const double u = rng.uniform01() * cdf_.back();
  const auto it = std::upper_bound(cdf_.begin(), cdf_.end(), u);
  // u < cdf.back() always; the clamp guards the last entries when trailing p are 0.
  return static_cast<uint32_t>(std::min<size_t>(it - cdf_.begin(), cdf_.size() - 1));
}

void Categorical::sample_distinct(Rng& rng, uint32_t k, std::vector<uint32_t>& out,
                                  const uint32_t* first) const {
  constexpr int kMaxRejections = 32;
  out.clear();
  if (k > size()) throw InternalError("Categorical::sample_distinct: k > size");
  const auto taken = [&](uint32_t e) { return std::find(out.begin(), out.end(), e) != out.end(); };
  if (first && k > 0) out.push_back(*first);
  while (out.size() < k) {
    int tries = 0;
    uint32_t e = 0;
    do {
      e = sample(rng);
    } while (taken(e) && ++tries < kMaxRejections);
    if (!taken(e) && p_[e] > 0) {
      out.push_back(e);
      continue;
    }
    // Exact draw from the mass left, or uniform over the rest if none is left.
    double left = 0;
    uint32_t num_free = 0;
    for (uint32_t i = 0; i < size(); ++i) {
      if (taken(i)) continue;
      left += p_[i];
      ++num_free;
    }
    if (left > 0) {
      double u = rng.uniform01() * left;
      e = size();
      for (uint32_t i = 0; i < size(); ++i) {
        if (taken(i) || p_[i] <= 0) continue;
        e = i;  // the last positive candidate absorbs rounding at the top end
        if ((u -= p_[i]) < 0) break;
      }
    } else {
      uint64_t pick = rng.below(num_free);
      for (uint32_t i = 0; i < size(); ++i) {
        if (taken(i)) continue;
        if (pick-- == 0) {
          e = i;
          break;
        }
      }
    }
    out.push_back(e);
  }
}

}  // namespace moesim::workload
