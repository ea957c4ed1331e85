// RSN kernels and their torus mass. The mass is integrated radially: f(r) times the area
// A_d(r) of the sphere of radius r that lies inside the cube [-h, h]^d (h = L/2):
//   r <= h:        A_d(r) = S_d r^(d-1) (the whole sphere);
//   d = 2, r > h:  A_2(r) = r (2 pi - 8 acos(h / r)) (four arcs cut off), 0 beyond h sqrt 2;
//   d = 3, r > h:  Archimedes: the sphere's area element is r dz dphi, so
//                  A_3(r) = 2 pi r * integral over |z| <= h of frac_2(sqrt(r^2 - z^2)) dz,
//                  frac_2(rho) = the fraction of a circle of radius rho inside the square.
// Adaptive Simpson does the 1-D integrals; [0, h] is cut at geometric steps of the kernel scale
// so a kernel much narrower than the box is not missed by the first coarse samples.
#include "topologies/rsn_kernel.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include <fmt/format.h>

#include "sim/core/error.hpp"

namespace moesim::topo {
namespace {

constexpr double kPi = std::numbers::pi;

double unit_sphere_area(uint32_t d) {
  return 2.0 * std::pow(kPi, d / 2.0) / std::tgamma(d / 2.0);
}

template <class F>
double simpson(const F& f, double a, double b, double fa, double fm, double fb, double whole,
               double tol, int depth) {
  const double m = 0.5 * (a + b), lm = 0.5 * (a + m), rm = 0.5 * (m + b);
  const double flm = f(lm), frm = f(rm);
  const double left = (m - a) / 6 * (fa + 4 * flm + fm);
  const double right = (b - m) / 6 * (fm + 4 * frm + fb);
  if (depth <= 0 || std::abs(left + right - whole) <= 15 * tol) {
    return left + right + (left + right - whole) / 15;
  }
  return simpson(f, a, m, fa, flm, fm, left, tol / 2, depth - 1) +
         simpson(f, m, b, fm, frm, fb, right, tol / 2, depth - 1);
}

// Integral of f over [a, b], absolute tolerance tol.
template <class F>
double integrate(const F& f, double a, double b, double tol) {
  if (b <= a) return 0.0;
  const double fa = f(a), fb = f(b), fm = f(0.5 * (a + b));
  const double whole = (b - a) / 6 * (fa + 4 * fm + fb);
  return simpson(f, a, b, fa, fm, fb, whole, tol, 40);
}

// Fraction of the circle of radius rho (centred in the square [-h, h]^2) inside the square.
double circle_fraction(double rho, double h) {
  if (rho <= h) return 1.0;
  if (rho >= h * std::numbers::sqrt2) return 0.0;
  return 1.0 - 4.0 / kPi * std::acos(h / rho);
}

// A_d(r) for r > h.
double clipped_sphere_area(uint32_t d, double r, double h) {
  if (d == 1) return 0.0;
  if (d == 2) return r * 2.0 * kPi * circle_fraction(r, h);
  const auto slice = [&](double z) {
    return circle_fraction(std::sqrt(std::max(0.0, r * r - z * z)), h);
  };
  // frac_2 has kinks where rho = h sqrt 2 and rho = h: split there (z = sqrt(r^2 - rho^2)).
  const double z1 = std::sqrt(std::max(0.0, r * r - 2 * h * h));
  const double z2 = std::min(h, std::sqrt(std::max(0.0, r * r - h * h)));
  const double tol = 1e-13 * h;
  const double half = integrate(slice, std::min(z1, h), z2, tol) + integrate(slice, z2, h, tol);
  return 2.0 * kPi * r * 2.0 * half;
}

}  // namespace

const char* to_string(RsnKernel k) {
  switch (k) {
    case RsnKernel::Gaussian:
      return "gaussian";
    case RsnKernel::Exponential:
      return "exponential";
    case RsnKernel::PowerLaw:
      return "power-law";
    case RsnKernel::Uniform:
      return "uniform";
  }
  return "?";
}

RsnKernel parse_rsn_kernel(std::string_view text, std::string_view option) {
  for (const RsnKernel k :
       {RsnKernel::Gaussian, RsnKernel::Exponential, RsnKernel::PowerLaw, RsnKernel::Uniform}) {
    if (text == to_string(k)) return k;
  }
  throw InputError(fmt::format(
      "{}: value '{}': expected gaussian, exponential, power-law or uniform", option, text));
}

RadialKernel::RadialKernel(RsnKernel k, uint32_t d, double s, double a)
    : kind_(k), dim_(d), scale_(s), exponent_(a) {
  const double sd = unit_sphere_area(d);
  switch (k) {
    case RsnKernel::Gaussian:
      norm_ = std::pow(2.0 * kPi * s * s, -0.5 * d);
      break;
    case RsnKernel::Exponential:
      norm_ = 1.0 / (sd * std::pow(s, d) * std::tgamma(d));
      break;
    case RsnKernel::PowerLaw:
      norm_ = std::tgamma(a) / (sd * std::pow(s, d) * std::tgamma(d) * std::tgamma(a - d));
      break;
    case RsnKernel::Uniform:
      throw InternalError("RadialKernel: the uniform kernel has no radial form");
  }
}

double RadialKernel::shape(double r) const {
  switch (kind_) {
    case RsnKernel::Gaussian:
      return std::exp(-r * r / (2.0 * scale_ * scale_));
    case RsnKernel::Exponential:
      return std::exp(-r / scale_);
    case RsnKernel::PowerLaw:
      return std::pow(1.0 + r / scale_, -exponent_);
    case RsnKernel::Uniform:
      break;
  }
  return 0.0;
}

double torus_mass(const RadialKernel& f, double side) {
  const double h = side / 2;
  const uint32_t d = f.dim();
  const double sd = unit_sphere_area(d);
  const double tol = 1e-11;
  const auto inner = [&](double r) { return f(r) * sd * std::pow(r, d - 1.0); };
  double mass = 0.0;
  // [0, h] in pieces [0, s/64], [s/64, s/32], ... so the peak of a narrow kernel is sampled.
  double a = 0.0;
  for (double b = f.scale() / 64; a < h; b *= 2) {
    const double end = std::min(b, h);
    mass += integrate(inner, a, end, tol);
    a = end;
  }
  // Beyond h, in pieces split where A_d changes form (h sqrt 2; the box corner is h sqrt d).
  const auto outer = [&](double r) { return f(r) * clipped_sphere_area(d, r, h); };
  if (d >= 2) mass += integrate(outer, h, h * std::numbers::sqrt2, tol);
  if (d >= 3) mass += integrate(outer, h * std::numbers::sqrt2, h * std::numbers::sqrt3, tol);
  return mass;
}

}  // namespace moesim::topo
