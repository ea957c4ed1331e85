// The random spatial network (RSN) of Lang, De Sterck, Kaiser & Miller (arXiv:1702.01252):
// N switches placed uniformly at random in the box [0, L)^d (optionally a torus), each with an
// expected degree kappa drawn from a law; switches u and v are joined with probability
//   p_uv = min(1, kappa_u kappa_v f(|x_u - x_v|) / (rho <kappa>)),   rho = N / L^d,
// where f = (1 - m) f_local + m / L^d mixes a local kernel (Gaussian, exponential, power law;
// normalised on R^d, and renormalised on the torus when periodic) with uniform long-range mass m.
// This keeps E[deg u] ~= kappa_u; the uniform kernel alone is the Chung-Lu model. Every switch
// carries `hosts_per_switch` hosts. A switch-to-switch link's latency is its Euclidean length x
// km_per_unit x delay_per_km + switch_delay. See reference/topologies.md §1.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "topologies/rsn_kernel.hpp"
#include "topologies/topology.hpp"

namespace moesim::topo {

enum class DegreeLaw : uint8_t { Fixed, Poisson, PowerLaw };

const char* to_string(DegreeLaw law);
// "fixed", "poisson", "power-law"; throws InputError naming `option`.
DegreeLaw parse_degree_law(std::string_view text, std::string_view option = "--degree-law");

struct RsnParams {
  uint32_t switches = 256;
  uint32_t dimension = 2;  // 1, 2 or 3
  double side = 1.0;       // L, in length units
  bool periodic = true;    // torus (minimum-image distances) or open box
  // Expected degrees: Fixed gives every switch mean_degree, Poisson draws Poisson(mean_degree),
  // PowerLaw draws a Pareto law with density ~ kappa^-degree_exponent above degree_min.
  // A non-empty expected_degrees (one per switch) overrides the law.
  DegreeLaw degree_law = DegreeLaw::Fixed;
  double mean_degree = 6.0;
  double degree_exponent = 2.5;  // > 2, so the mean is finite
  double degree_min = 2.0;
  std::vector<double> expected_degrees;
  RsnKernel kernel = RsnKernel::Gaussian;
  // sigma, lambda or r0, in length units. No pair clips while kappa_max^2 f(0) / (rho <kappa>)
  // <= 1; for a Gaussian in 2-D with fixed kappa that is rho 2 pi sigma^2 >= kappa (the
  // defaults: 256 x 2 pi x 0.01 = 16 >= 6).
  double kernel_scale = 0.1;
  double kernel_exponent = 3.0;  // power-law kernel: > dimension
  double long_range = 0.0;       // m: share of the kernel that is uniform over the box
  uint32_t hosts_per_switch = 1;
  BitsPerSec host_rate = 400_Gbps;
  BitsPerSec fabric_rate = 400_Gbps;
  TimePs host_latency = 1_us;
  double km_per_unit = 1.0;               // physical length of one length unit
  TimePs delay_per_km = 5_us;             // propagation in fibre
  TimePs switch_delay = TimePs{500'000};  // added to every switch-to-switch link
  Bytes buffer = Bytes{1u << 20};
  bool keep_giant = false;  // disconnected: keep the largest component (else InputError)
  uint64_t seed = 1;
};

// What the draw produced, alongside the Topology. Degrees count switch-to-switch links.
struct RsnInfo {
  uint64_t pairs = 0;               // N (N - 1) / 2 candidate pairs
  uint64_t clipped_pairs = 0;       // pairs whose probability exceeded 1 and was clipped
  double target_mean_degree = 0;    // <kappa> (sample mean of the expected degrees)
  double expected_mean_degree = 0;  // 2 sum(p_uv) / N, after clipping
  double edge_count_variance = 0;   // sum p_uv (1 - p_uv): the variance of the edge count
  double realised_mean_degree = 0;  // 2 E / N over all N switches, before any are dropped
  double torus_mass = 1;            // mass of f_local kept on the torus (1 if not periodic)
  uint32_t components = 0;
  uint32_t giant_size = 0;  // switches in the largest component
  uint32_t dropped_switches = 0;
  uint32_t dropped_hosts = 0;
  std::vector<uint32_t> drawn_degree;  // per switch of the draw, before any are dropped
  // Of the switches kept, in Topology order (switch i is vertex num_hosts + i): the index in
  // the draw, position (unused coordinates 0) and expected degree.
  std::vector<uint32_t> drawn_index;
  std::vector<std::array<double, 3>> position;
  std::vector<double> kappa;
  // Per Topology edge id: length in length units (0 for host links).
  std::vector<double> edge_length;
  double mean_edge_length = 0;  // over switch-to-switch links kept
};

struct RsnResult {
  Topology topology;
  RsnInfo info;
};

// Throws InputError naming the bad parameter and value, or when the graph is disconnected and
// keep_giant is false.
RsnResult build_rsn(const RsnParams& p);

}  // namespace moesim::topo
