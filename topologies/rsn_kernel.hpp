// Distance kernels of the random spatial network (Lang, De Sterck, Kaiser & Miller): radial
// densities f(r) normalised so that the integral of f(|x|) over R^d is 1, and their mass on the
// periodic box (torus) of side L, used to renormalise them there. Formulas (S_d = 2 pi^(d/2) /
// Gamma(d/2) is the area of the unit sphere in R^d: 2, 2 pi, 4 pi for d = 1, 2, 3):
//   Gaussian     f(r) = (2 pi s^2)^(-d/2) exp(-r^2 / 2 s^2)
//   exponential  f(r) = exp(-r / s) / (S_d s^d Gamma(d))
//   power law    f(r) = Gamma(a) / (S_d s^d Gamma(d) Gamma(a - d)) (1 + r / s)^(-a),  a > d
// (in 2-D: exp(-r/s) / (2 pi s^2) and (a-1)(a-2) / (2 pi s^2) (1 + r/s)^(-a), as in
// reference/topologies.md §1.3).
#pragma once

#include <cstdint>
#include <string_view>

namespace moesim::topo {

enum class RsnKernel : uint8_t { Gaussian, Exponential, PowerLaw, Uniform };

const char* to_string(RsnKernel k);
// "gaussian", "exponential", "power-law", "uniform"; throws InputError naming `option`.
RsnKernel parse_rsn_kernel(std::string_view text, std::string_view option = "--kernel");

// A local (non-uniform) kernel in `dim` dimensions with length scale `scale` (sigma, lambda or
// r0) and, for the power law, exponent `exponent` (unused by the others).
class RadialKernel {
 public:
  // Uniform is not a radial kernel: constructing one for it is a bug (InternalError).
  RadialKernel(RsnKernel kind, uint32_t dim, double scale, double exponent);

  // f(r), normalised on R^d.
  double operator()(double r) const { return norm_ * shape(r); }
  RsnKernel kind() const { return kind_; }
  uint32_t dim() const { return dim_; }
  double scale() const { return scale_; }

 private:
  double shape(double r) const;
  RsnKernel kind_;
  uint32_t dim_;
  double scale_;
  double exponent_;
  double norm_ = 1.0;
};

// The integral of f(|x|) over the box [-L/2, L/2]^d, i.e. the mass a torus of side L keeps
// (< 1; the rest lies beyond the minimum-image distance). Numerical, to about 1e-9 relative.
double torus_mass(const RadialKernel& f, double side);

}  // namespace moesim::topo
