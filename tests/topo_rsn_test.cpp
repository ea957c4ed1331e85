// Tests for the random spatial network: kernel normalisation, mean degree against the target
// (with a tolerance from the edge-count variance), Chung-Lu expected degrees under the uniform
// kernel, clipping, the small-world effect of 1% long-range mass (reference/topologies.md §1.5),
// components, latencies, determinism, and one SECTION per rejected parameter.
#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>
#include <vector>

#include <catch2/catch.hpp>

#include "sim/core/error.hpp"
#include "tests/topo_checks.hpp"
#include "topologies/export.hpp"
#include "topologies/metrics.hpp"
#include "topologies/rsn.hpp"

namespace {

using Catch::Matchers::Contains;
using moesim::InputError;
using namespace moesim::topo;

RsnParams rsn(uint32_t n, double kappa, double sigma, uint64_t seed = 1) {
  RsnParams p;
  p.switches = n;
  p.mean_degree = kappa;
  p.kernel_scale = sigma;
  p.seed = seed;
  p.keep_giant = true;
  return p;
}

}  // namespace

TEST_CASE("topo::RsnKernel: kernels integrate to 1 and lose their tails on a torus") {
  const uint32_t d = GENERATE(1u, 2u, 3u);
  SECTION("Gaussian: the torus mass is erf(h / (sigma sqrt 2))^d") {
    // The Gaussian factorises by coordinate, so its mass on [-h, h]^d is exact: h = 0.5.
    for (const double sigma : {0.01, 0.2, 0.5}) {
      const RadialKernel f(RsnKernel::Gaussian, d, sigma, 0);
      CHECK(torus_mass(f, 1.0) ==
            Approx(std::pow(std::erf(0.5 / (sigma * std::sqrt(2.0))), d)).epsilon(1e-9));
    }
  }
  SECTION("every kernel integrates to 1 over a box much wider than its scale") {
    for (const RsnKernel k : {RsnKernel::Gaussian, RsnKernel::Exponential}) {
      CHECK(torus_mass(RadialKernel(k, d, 0.01, 0), 100.0) == Approx(1.0).epsilon(1e-8));
    }
    // Power law a = d + 2: the mass beyond radius R falls like (R/r0)^-2, which for R = 5e5
    // (a box of side 1e6) and r0 = 0.01 is ~1e-15: the box holds all of it.
    CHECK(torus_mass(RadialKernel(RsnKernel::PowerLaw, d, 0.01, d + 2.0), 1e6) ==
          Approx(1.0).epsilon(1e-7));
  }
  SECTION("1-D power law: the mass beyond h is (1 + h/r0)^-(a-1)") {
    // f(r) = (a-1)/(2 r0) (1 + r/r0)^-a on both sides; a = 2, r0 = 0.01, h = 0.5: 1 - 1/51.
    if (d == 1) {
      CHECK(torus_mass(RadialKernel(RsnKernel::PowerLaw, 1, 0.01, 2.0), 1.0) ==
            Approx(1.0 - 1.0 / 51.0).epsilon(1e-9));
    }
  }
}

TEST_CASE("topo::Rsn: realised mean degree matches the target when nothing clips") {
  // N = 2000 on the unit torus, kappa = 10, Gaussian sigma = 0.03: the largest p is
  // kappa^2 f(0) / (rho kappa) = 10 / (2000 x 2 pi x 0.0009) = 0.88 < 1, so nothing clips.
  // The edge count E is a sum of independent Bernoullis: Var E = sum p (1 - p) <= 10^4, so the
  // mean degree 2E/N has sd <= 2 x 100 / 2000 = 0.1; 4 sd = 0.4 is within 5% of 10 (0.5).
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    const RsnResult r = build_rsn(rsn(2000, 10, 0.03, seed));
    const RsnInfo& i = r.info;
    REQUIRE(i.clipped_pairs == 0);
    CHECK(i.pairs == 2000ull * 1999 / 2);
    CHECK(i.target_mean_degree == 10.0);
    const double sd = 2 * std::sqrt(i.edge_count_variance) / 2000;
    CHECK(std::abs(i.realised_mean_degree - i.expected_mean_degree) <= 4 * sd);
    CHECK(std::abs(i.realised_mean_degree - 10.0) <= 0.05 * 10.0);
  }
}

TEST_CASE("topo::Rsn: the uniform kernel reproduces Chung-Lu expected degrees") {
  // f = 1 / |box| gives p_uv = kappa_u kappa_v / (N <kappa>), independent of position, so
  // E[deg u] = kappa_u (N <kappa> - kappa_u) / (N <kappa>). Half the switches have kappa 4,
  // half 16: <kappa> = 10, N <kappa> = 2000, E[deg] = 4 x 1996/2000 = 3.992 and
  // 16 x 1984/2000 = 15.872. Over S = 200 seeds a vertex's mean degree has sd
  // <= sqrt(kappa / S): 0.14 and 0.28; the check allows 4 sd.
  const uint32_t n = 200, seeds = 200;
  RsnParams p = rsn(n, 10, 0.1);
  p.kernel = RsnKernel::Uniform;
  for (uint32_t v = 0; v < n; ++v)
    p.expected_degrees.push_back(v % 2 ? 16.0 : 4.0);
  std::vector<double> sum(n, 0);
  for (uint64_t seed = 1; seed <= seeds; ++seed) {
    p.seed = seed;
    const RsnResult r = build_rsn(p);
    REQUIRE(r.info.clipped_pairs == 0);  // the largest p is 256 / 2000
    for (uint32_t v = 0; v < n; ++v)
      sum[v] += r.info.drawn_degree[v];
  }
  for (const uint32_t v : {0u, 1u, 2u, 3u, 198u, 199u}) {
    const double kappa = v % 2 ? 16.0 : 4.0;
    const double expected = kappa * (2000 - kappa) / 2000;
    CHECK(std::abs(sum[v] / seeds - expected) <= 4 * std::sqrt(kappa / seeds));
  }
  // Class means pool 100 vertices: sd <= sqrt(2 kappa / (100 S)) allowing for the correlation
  // between degrees in one graph; 4 sd is 0.11 and 0.23.
  double low = 0, high = 0;
  for (uint32_t v = 0; v < n; ++v)
    (v % 2 ? high : low) += sum[v] / seeds / (n / 2);
  CHECK(std::abs(low - 3.992) <= 4 * std::sqrt(2 * 4.0 / (100 * seeds)));
  CHECK(std::abs(high - 15.872) <= 4 * std::sqrt(2 * 16.0 / (100 * seeds)));
}

TEST_CASE("topo::Rsn: clipping is counted and lowers the realised degree") {
  // sigma = 0.01 with N = 500, kappa = 10: kappa f(0) / rho = 10 / (500 x 2 pi x 1e-4) = 32,
  // so close pairs clip and the realised degree falls short of the target.
  const RsnResult r = build_rsn(rsn(500, 10, 0.01));
  CHECK(r.info.clipped_pairs > 0);
  CHECK(r.info.expected_mean_degree < 10.0);
  CHECK(r.info.realised_mean_degree < 10.0);
}

TEST_CASE("topo::Rsn: one percent long-range mass makes a spatial small world") {
  // reference/topologies.md §1.5 (measured): N = 5000, kappa = 10 fixed, Gaussian sigma = 0.02
  // on the unit torus: ASPL 11.48 at q = 0 and 6.82 at q = 0.01 (-41%), mean edge length 0.025
  // -> 0.029 (+16%). The same seed gives the same points, so the comparison is paired.
  RsnParams p = rsn(5000, 10, 0.02);
  MetricsOptions o;
  o.max_routing_hosts = 0;
  o.bisection = false;
  o.max_bfs_sources = 500;  // an even sample of sources: ASPL to about 1%
  const RsnResult local = build_rsn(p);
  p.long_range = 0.01;
  const RsnResult mixed = build_rsn(p);
  REQUIRE(local.info.clipped_pairs == 0);  // 10 / (5000 x 2 pi x 0.0004) = 0.8
  o.edge_length = local.info.edge_length;
  const TopoMetrics a = compute_metrics(local.topology, o);
  o.edge_length = mixed.info.edge_length;
  const TopoMetrics b = compute_metrics(mixed.topology, o);
  CHECK(b.aspl <= a.aspl * 2 / 3);
  REQUIRE(a.mean_edge_length);
  CHECK(*b.mean_edge_length < *a.mean_edge_length * 1.25);
  CHECK(*b.mean_edge_length > *a.mean_edge_length);
  CHECK(a.aspl == Approx(11.48).epsilon(0.05));
  CHECK(b.aspl == Approx(6.82).epsilon(0.05));
}

TEST_CASE("topo::Rsn: link latency is length x scale x delay plus the switch delay") {
  RsnParams p = rsn(100, 6, 0.1);
  p.km_per_unit = 10;                          // the unit box is 10 km wide
  p.delay_per_km = moesim::TimePs{5'000'000};  // 5 us per km
  p.switch_delay = moesim::TimePs{700'000};
  p.hosts_per_switch = 2;
  const RsnResult r = build_rsn(p);
  const Topology& t = r.topology;
  for (auto [it, end] = boost::edges(t.graph()); it != end; ++it) {
    const EdgeProps& e = t.graph()[*it];
    if (e.kind != LinkKind::Fabric) continue;
    // length units x 10 km x 5e6 ps/km = length x 5e7 ps, plus 700 ns.
    CHECK(e.latency.ps == std::llround(r.info.edge_length[e.id] * 5e7) + 700'000);
    CHECK(r.info.edge_length[e.id] <= std::sqrt(2.0) / 2);  // minimum image on the torus
  }
  CHECK(moesim::test::every_host_pair_reachable(t));
}

TEST_CASE("topo::Rsn: a disconnected draw fails or keeps its giant component") {
  // kappa = 1.5 on 300 switches: far below the connectivity threshold (~ln N = 5.7).
  RsnParams p = rsn(300, 1.5, 0.1);
  p.keep_giant = false;
  REQUIRE_THROWS_AS(build_rsn(p), InputError);
  REQUIRE_THROWS_WITH(build_rsn(p), Contains("--keep-giant") && Contains("components"));
  p.keep_giant = true;
  p.hosts_per_switch = 2;
  const RsnResult r = build_rsn(p);
  CHECK(r.info.components > 1);
  CHECK(r.info.giant_size < 300);
  CHECK(r.info.dropped_switches == 300 - r.info.giant_size);
  CHECK(r.info.dropped_hosts == 2 * r.info.dropped_switches);
  CHECK(r.topology.num_hosts() == 2 * r.info.giant_size);
  CHECK(r.info.position.size() == r.info.giant_size);
  CHECK(moesim::test::every_host_pair_reachable(r.topology));
}

TEST_CASE("topo::Rsn: the seed fixes the graph") {
  const auto graphml = [](uint64_t seed) {
    RsnParams p = rsn(150, 6, 0.1, seed);
    p.degree_law = DegreeLaw::Poisson;
    p.long_range = 0.05;
    std::ostringstream os;
    write_graphml(os, build_rsn(p).topology);
    return os.str();
  };
  CHECK(graphml(3) == graphml(3));
  CHECK(graphml(3) != graphml(4));
}

TEST_CASE("topo::Rsn: degree laws and kernels build routable networks") {
  RsnParams p = rsn(200, 8, 0.08);
  SECTION("Poisson degrees, exponential kernel, open box") {
    p.degree_law = DegreeLaw::Poisson;
    p.kernel = RsnKernel::Exponential;
    p.periodic = false;
  }
  SECTION("power-law degrees and kernel in 1-D") {
    p.dimension = 1;
    p.degree_law = DegreeLaw::PowerLaw;
    p.degree_exponent = 2.5;
    p.degree_min = 4;  // mean 4 x 1.5 / 0.5 = 12
    p.kernel = RsnKernel::PowerLaw;
    p.kernel_exponent = 2.5;
  }
  SECTION("3-D Gaussian with long-range mass") {
    p.dimension = 3;
    p.kernel_scale = 0.15;
    p.long_range = 0.1;
  }
  const RsnResult r = build_rsn(p);
  CHECK(r.topology.num_hosts() == r.info.giant_size);
  CHECK(r.info.realised_mean_degree > 2);
  CHECK(moesim::test::every_host_pair_reachable(r.topology));
}

TEST_CASE("topo::Rsn: rejects bad parameters") {
  RsnParams p = rsn(100, 6, 0.1);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  SECTION("zero switches") {
    p.switches = 0;
    REQUIRE_THROWS_WITH(build_rsn(p), Contains("--switches") && Contains("'0'"));
  }
  SECTION("dimension 4") {
    p.dimension = 4;
    REQUIRE_THROWS_WITH(build_rsn(p), Contains("--dimension") && Contains("'4'"));
  }
  SECTION("zero side") {
    p.side = 0;
    REQUIRE_THROWS_WITH(build_rsn(p), Contains("--side") && Contains("'0'"));
  }
  SECTION("zero mean degree") {
    p.mean_degree = 0;
    REQUIRE_THROWS_WITH(build_rsn(p), Contains("--mean-degree") && Contains("'0'"));
  }
  SECTION("mean degree above N - 1") {
    p.mean_degree = 100;
    REQUIRE_THROWS_WITH(build_rsn(p), Contains("--mean-degree") && Contains("'100'"));
  }
  SECTION("power-law degree exponent 2") {
    p.degree_law = DegreeLaw::PowerLaw;
    p.degree_exponent = 2;
    REQUIRE_THROWS_WITH(build_rsn(p), Contains("--degree-exponent") && Contains("'2'"));
  }
  SECTION("power-law minimum degree 0") {
    p.degree_law = DegreeLaw::PowerLaw;
    p.degree_min = 0;
    REQUIRE_THROWS_WITH(build_rsn(p), Contains("--degree-min"));
  }
  SECTION("expected degrees of the wrong count") {
    p.expected_degrees = {1, 2, 3};
    REQUIRE_THROWS_WITH(build_rsn(p), Contains("--expected-degrees") && Contains("3 values"));
  }
  SECTION("a negative expected degree") {
    p.expected_degrees.assign(100, 5.0);
    p.expected_degrees[7] = -1;
    REQUIRE_THROWS_WITH(build_rsn(p), Contains("--expected-degrees") && Contains("'-1'"));
  }
  SECTION("kernel scale not a number") {
    p.kernel_scale = nan;
    REQUIRE_THROWS_WITH(build_rsn(p), Contains("--kernel-scale") && Contains("nan"));
  }
  SECTION("a kernel so wide it underflows") {
    p.kernel_scale = 1e300;
    REQUIRE_THROWS_WITH(build_rsn(p), Contains("--kernel-scale") && Contains("1e+300"));
  }
  SECTION("power-law kernel exponent not above the dimension") {
    p.kernel = RsnKernel::PowerLaw;
    p.kernel_exponent = 2;
    REQUIRE_THROWS_WITH(build_rsn(p), Contains("--kernel-exponent") && Contains("'2'"));
  }
  SECTION("long-range mass above 1") {
    p.long_range = 1.5;
    REQUIRE_THROWS_WITH(build_rsn(p), Contains("--long-range") && Contains("'1.5'"));
  }
  SECTION("zero hosts per switch") {
    p.hosts_per_switch = 0;
    REQUIRE_THROWS_WITH(build_rsn(p), Contains("--hosts-per-switch"));
  }
  SECTION("negative km per unit") {
    p.km_per_unit = -1;
    REQUIRE_THROWS_WITH(build_rsn(p), Contains("--km-per-unit") && Contains("'-1'"));
  }
  SECTION("a latency too long for TimePs") {
    p.km_per_unit = 1e20;
    REQUIRE_THROWS_WITH(build_rsn(p), Contains("--km-per-unit"));
  }
  SECTION("negative switch delay") {
    p.switch_delay = moesim::TimePs{-1};
    REQUIRE_THROWS_WITH(build_rsn(p), Contains("--switch-delay"));
  }
  SECTION("zero fabric rate") {
    p.fabric_rate = moesim::BitsPerSec{0};
    REQUIRE_THROWS_WITH(build_rsn(p), Contains("--fabric-rate"));
  }
  SECTION("zero buffer") {
    p.buffer = moesim::Bytes{0};
    REQUIRE_THROWS_WITH(build_rsn(p), Contains("--buffer"));
  }
  REQUIRE_THROWS_AS(build_rsn(p), InputError);
}

TEST_CASE("topo::Rsn: parses kernel and degree-law names") {
  CHECK(parse_rsn_kernel("power-law") == RsnKernel::PowerLaw);
  CHECK(parse_degree_law("poisson") == DegreeLaw::Poisson);
  REQUIRE_THROWS_WITH(parse_rsn_kernel("cauchy"), Contains("--kernel") && Contains("'cauchy'"));
  REQUIRE_THROWS_WITH(parse_degree_law("zipf"), Contains("--degree-law") && Contains("'zipf'"));
}
