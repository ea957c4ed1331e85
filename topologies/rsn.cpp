// The RSN generator (reference/topologies.md §1.3): positions, then expected degrees, then one
// Bernoulli draw per pair u < v in lexicographic order, each from its own named stream
// ("rsn-positions", "rsn-degrees", "rsn-edges"), so the same seed gives the same points and
// degrees whatever the kernel (comparisons between kernels are paired) and the same graph
// whatever the machine. O(N^2) pairs: fine up to a few tens of thousands of switches.
// Layout: hosts (switch-major), then switches sw0.., then host links, then switch links in
// pair order.
#include "topologies/rsn.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>

#include <fmt/format.h>

#include "sim/core/rng.hpp"
#include "topologies/param_checks.hpp"
#include "topologies/registry.hpp"

namespace moesim::topo {
namespace {

using detail::reject;
using detail::require_range;

constexpr uint32_t kMaxSwitches = 20'000;
constexpr uint64_t kMaxHosts = 1'000'000;
constexpr double kHuge = 1e300;

void validate(const RsnParams& p) {
  if (p.switches < 1 || p.switches > kMaxSwitches) {
    reject("--switches", fmt::format("{}", p.switches),
           fmt::format("an integer from 1 to {}", kMaxSwitches));
  }
  if (p.dimension < 1 || p.dimension > 3) {
    reject("--dimension", fmt::format("{}", p.dimension), "1, 2 or 3");
  }
  if (!(p.side > 0) || !std::isfinite(p.side)) {
    reject("--side", fmt::format("{}", p.side), "a finite length > 0");
  }
  if (!p.expected_degrees.empty()) {
    if (p.expected_degrees.size() != p.switches) {
      reject("--expected-degrees", fmt::format("{} values", p.expected_degrees.size()),
             fmt::format("one per switch ({})", p.switches));
    }
    for (const double k : p.expected_degrees) {
      require_range("--expected-degrees", k, 0, kHuge, "finite expected degrees >= 0");
    }
    if (std::accumulate(p.expected_degrees.begin(), p.expected_degrees.end(), 0.0) <= 0) {
      reject("--expected-degrees", "all 0", "at least one expected degree > 0");
    }
  } else if (p.degree_law == DegreeLaw::PowerLaw) {
    if (!(p.degree_exponent > 2) || !std::isfinite(p.degree_exponent)) {
      reject("--degree-exponent", fmt::format("{}", p.degree_exponent),
             "a finite exponent > 2 (so the mean degree is finite)");
    }
    if (!(p.degree_min > 0) || !std::isfinite(p.degree_min)) {
      reject("--degree-min", fmt::format("{}", p.degree_min), "a finite degree > 0");
    }
  } else if (!(p.mean_degree > 0) || p.mean_degree > std::max(1u, p.switches - 1)) {
    reject("--mean-degree", fmt::format("{}", p.mean_degree),
           fmt::format("a degree > 0 and at most --switches - 1 = {}", p.switches - 1));
  }
  if (p.kernel != RsnKernel::Uniform && p.long_range < 1) {
    require_range("--kernel-scale", p.kernel_scale, 1e-300, kHuge, "a finite length > 0");
    if (p.kernel == RsnKernel::PowerLaw &&
        (!(p.kernel_exponent > p.dimension) || !std::isfinite(p.kernel_exponent))) {
      reject("--kernel-exponent", fmt::format("{}", p.kernel_exponent),
             fmt::format("a finite exponent > --dimension ({}) so the kernel integrates",
                         p.dimension));
    }
  }
  require_range("--long-range", p.long_range, 0, 1, "a fraction from 0 to 1");
  if (p.hosts_per_switch < 1 || uint64_t{p.switches} * p.hosts_per_switch > kMaxHosts) {
    reject(
        "--hosts-per-switch", fmt::format("{}", p.hosts_per_switch),
        fmt::format("an integer >= 1 with --switches x --hosts-per-switch at most {}", kMaxHosts));
  }
  detail::require_positive("--host-rate", p.host_rate);
  detail::require_positive("--fabric-rate", p.fabric_rate);
  detail::require_non_negative("--host-latency", p.host_latency);
  detail::require_non_negative("--delay-per-km", p.delay_per_km);
  detail::require_non_negative("--switch-delay", p.switch_delay);
  require_range("--km-per-unit", p.km_per_unit, 0, kHuge, "a finite length >= 0");
  // The longest link (the box diagonal) must fit in TimePs with room to spare.
  const double longest_ps = p.side * std::sqrt(static_cast<double>(p.dimension)) * p.km_per_unit *
                            static_cast<double>(p.delay_per_km.ps);
  if (longest_ps + static_cast<double>(p.switch_delay.ps) > 1e18) {
    reject("--km-per-unit", fmt::format("{}", p.km_per_unit),
           "a scale whose longest link (the box diagonal) stays below 10^6 s");
  }
  detail::require_buffer("--buffer", p.buffer);
}

// Poisson(mean) as a sum of Poisson(<= 30) parts (Knuth's product method for each part; exp
// of -30 is far from underflow).
uint32_t poisson(Rng& rng, double mean) {
  uint32_t total = 0;
  while (mean > 0) {
    const double part = std::min(mean, 30.0);
    mean -= part;
    const double limit = std::exp(-part);
    double prod = rng.uniform01();
    while (prod > limit) {
      ++total;
      prod *= rng.uniform01();
    }
  }
  return total;
}

std::vector<double> draw_degrees(const RsnParams& p) {
  if (!p.expected_degrees.empty()) return p.expected_degrees;
  Rng rng = make_stream(p.seed, "rsn-degrees");
  std::vector<double> kappa(p.switches);
  for (double& k : kappa) {
    switch (p.degree_law) {
      case DegreeLaw::Fixed:
        k = p.mean_degree;
        break;
      case DegreeLaw::Poisson:
        k = poisson(rng, p.mean_degree);
        break;
      case DegreeLaw::PowerLaw:  // inverse CDF of the Pareto law, 1 - u in (0, 1]
        k = p.degree_min * std::pow(1.0 - rng.uniform01(), -1.0 / (p.degree_exponent - 1.0));
        break;
    }
  }
  return kappa;
}

// Distance between two points of the box (minimum image on the torus).
double distance(const std::array<double, 3>& a, const std::array<double, 3>& b, uint32_t dim,
                double side, bool periodic) {
  double sum = 0;
  for (uint32_t i = 0; i < dim; ++i) {
    double dx = std::abs(a[i] - b[i]);
    if (periodic) dx = std::min(dx, side - dx);
    sum += dx * dx;
  }
  return std::sqrt(sum);
}

// Component label per switch, numbered in order of each component's smallest switch.
std::vector<uint32_t> label_components(uint32_t n,
                                       const std::vector<std::pair<uint32_t, uint32_t>>& edges,
                                       uint32_t& count) {
  std::vector<uint32_t> parent(n);
  std::iota(parent.begin(), parent.end(), 0u);
  const auto find = [&](uint32_t v) {
    while (parent[v] != v)
      v = parent[v] = parent[parent[v]];
    return v;
  };
  for (const auto& [u, v] : edges) {
    const uint32_t a = find(u), b = find(v);
    if (a != b) parent[std::max(a, b)] = std::min(a, b);
  }
  std::vector<uint32_t> label(n, UINT32_MAX);
  count = 0;
  for (uint32_t v = 0; v < n; ++v) {
    const uint32_t root = find(v);
    if (label[root] == UINT32_MAX) label[root] = count++;
    label[v] = label[root];
  }
  return label;
}

}  // namespace

const char* to_string(DegreeLaw law) {
  switch (law) {
    case DegreeLaw::Fixed:
      return "fixed";
    case DegreeLaw::Poisson:
      return "poisson";
    case DegreeLaw::PowerLaw:
      return "power-law";
  }
  return "?";
}

DegreeLaw parse_degree_law(std::string_view text, std::string_view option) {
  for (const DegreeLaw law : {DegreeLaw::Fixed, DegreeLaw::Poisson, DegreeLaw::PowerLaw}) {
    if (text == to_string(law)) return law;
  }
  throw InputError(
      fmt::format("{}: value '{}': expected fixed, poisson or power-law", option, text));
}

RsnResult build_rsn(const RsnParams& p) {
  validate(p);
  const uint32_t n = p.switches, dim = p.dimension;
  RsnInfo info;

  std::vector<std::array<double, 3>> pos(n, {0.0, 0.0, 0.0});
  Rng pos_rng = make_stream(p.seed, "rsn-positions");
  for (auto& x : pos) {
    for (uint32_t i = 0; i < dim; ++i)
      x[i] = pos_rng.uniform01() * p.side;
  }
  const std::vector<double> kappa = draw_degrees(p);
  info.target_mean_degree = std::accumulate(kappa.begin(), kappa.end(), 0.0) / n;

  // f(r) = (1 - m) f_local(r) / Z + m / |box|, with Z the torus mass of f_local (1 if open).
  const double volume = std::pow(p.side, dim);
  const double m = p.kernel == RsnKernel::Uniform ? 1.0 : p.long_range;
  std::optional<RadialKernel> local;
  if (m < 1) {
    local.emplace(p.kernel, dim, p.kernel_scale, p.kernel_exponent);
    if (p.periodic) info.torus_mass = torus_mass(*local, p.side);
    // A kernel far wider than the box underflows; its torus limit would be uniform anyway.
    if (!(info.torus_mass > 1e-9) || !std::isfinite(info.torus_mass)) {
      reject("--kernel-scale", fmt::format("{}", p.kernel_scale),
             fmt::format("a scale whose kernel keeps some mass on the torus of side {} (use "
                         "--kernel uniform for a kernel wider than the box)",
                         p.side));
    }
  }
  const double scale = 1.0 / ((n / volume) * info.target_mean_degree);  // 1 / (rho <kappa>)

  Rng edge_rng = make_stream(p.seed, "rsn-edges");
  std::vector<std::pair<uint32_t, uint32_t>> edges;
  std::vector<double> lengths;
  double sum_p = 0;
  for (uint32_t u = 0; u < n; ++u) {
    for (uint32_t v = u + 1; v < n; ++v) {
      const double r = distance(pos[u], pos[v], dim, p.side, p.periodic);
      const double f = (local ? (1 - m) * (*local)(r) / info.torus_mass : 0.0) + m / volume;
      double prob = kappa[u] * kappa[v] * f * scale;
      if (prob > 1) {
        ++info.clipped_pairs;
        prob = 1;
      }
      sum_p += prob;
      info.edge_count_variance += prob * (1 - prob);
      // One draw per pair, always, so a pair's draw does not depend on other pairs' kernels.
      if (edge_rng.uniform01() < prob) {
        edges.emplace_back(u, v);
        lengths.push_back(r);
      }
    }
  }
  info.pairs = uint64_t{n} * (n - 1) / 2;
  info.expected_mean_degree = 2 * sum_p / n;
  info.realised_mean_degree = 2.0 * static_cast<double>(edges.size()) / n;
  info.drawn_degree.assign(n, 0);
  for (const auto& [u, v] : edges) {
    ++info.drawn_degree[u];
    ++info.drawn_degree[v];
  }

  // Components: keep all (connected), keep the largest, or fail.
  const std::vector<uint32_t> label = label_components(n, edges, info.components);
  std::vector<uint32_t> size(info.components, 0);
  for (const uint32_t l : label)
    ++size[l];
  const auto giant =
      static_cast<uint32_t>(std::max_element(size.begin(), size.end()) - size.begin());
  info.giant_size = size[giant];
  if (info.components > 1 && !p.keep_giant) {
    throw InputError(fmt::format(
        "--keep-giant: value 'false': expected a connected random spatial network, but seed {} "
        "drew {} components (the largest has {} of {} switches, realised mean degree {:.3f}); "
        "raise --mean-degree or --kernel-scale, or set --keep-giant",
        p.seed, info.components, info.giant_size, n, info.realised_mean_degree));
  }
  std::vector<uint32_t> new_index(n, UINT32_MAX);
  for (uint32_t v = 0; v < n; ++v) {
    if (label[v] != giant) continue;
    new_index[v] = static_cast<uint32_t>(info.drawn_index.size());
    info.drawn_index.push_back(v);
    info.position.push_back(pos[v]);
    info.kappa.push_back(kappa[v]);
  }
  const auto kept = static_cast<uint32_t>(info.drawn_index.size());
  info.dropped_switches = n - kept;
  info.dropped_hosts = info.dropped_switches * p.hosts_per_switch;

  Topology t(fmt::format(
      "rsn: {} switches in [0,{}]^{}{}, kappa <{:.3f}>, {} kernel{}, long-range {}, {} hosts per "
      "switch, seed {}{}",
      n, p.side, dim, p.periodic ? " (torus)" : "", info.target_mean_degree, to_string(p.kernel),
      p.kernel == RsnKernel::Uniform ? "" : fmt::format(" scale {}", p.kernel_scale), p.long_range,
      p.hosts_per_switch, p.seed,
      info.dropped_switches ? fmt::format(", giant component {} of {}", kept, n) : ""));
  const uint32_t num_hosts = kept * p.hosts_per_switch;
  for (uint32_t h = 0; h < num_hosts; ++h)
    t.add_vertex(VertexKind::Host, fmt::format("host{}", h), static_cast<int32_t>(h));
  std::vector<Vertex> sw;
  for (uint32_t s = 0; s < kept; ++s)
    sw.push_back(t.add_vertex(VertexKind::Switch, fmt::format("sw{}", s)));
  for (uint32_t h = 0; h < num_hosts; ++h) {
    t.add_link(t.host_vertex(h), sw[h / p.hosts_per_switch], LinkKind::HostLink, p.host_rate,
               p.host_latency, p.buffer);
    info.edge_length.push_back(0.0);
  }
  double total_length = 0;
  for (size_t e = 0; e < edges.size(); ++e) {
    const auto [u, v] = edges[e];
    if (new_index[u] == UINT32_MAX) continue;  // outside the giant component
    const double ps = lengths[e] * p.km_per_unit * static_cast<double>(p.delay_per_km.ps);
    const TimePs latency = TimePs{std::llround(ps)} + p.switch_delay;
    t.add_link(sw[new_index[u]], sw[new_index[v]], LinkKind::Fabric, p.fabric_rate, latency,
               p.buffer);
    info.edge_length.push_back(lengths[e]);
    total_length += lengths[e];
  }
  const size_t kept_edges = info.edge_length.size() - num_hosts;
  info.mean_edge_length = kept_edges ? total_length / static_cast<double>(kept_edges) : 0.0;
  return RsnResult{std::move(t), std::move(info)};
}

namespace {

BuiltTopology rsn_from(const OptionValues& o) {
  const LinkOptions l = link_options(o);
  RsnParams p;
  p.switches = option_u32(o, "switches");
  p.hosts_per_switch = option_u32(o, "hosts-per-switch");
  p.dimension = option_u32(o, "dimension");
  p.periodic = o.yes("torus");
  p.degree_law = parse_degree_law(o.text("degree-law"), o.where("degree-law"));
  p.mean_degree = o.real("mean-degree");
  p.degree_exponent = o.real("degree-exponent");
  p.degree_min = o.real("degree-min");
  p.kernel = parse_rsn_kernel(o.text("kernel"), o.where("kernel"));
  p.kernel_scale = o.real("kernel-scale");
  p.kernel_exponent = o.real("kernel-exponent");
  p.long_range = o.real("long-range");
  p.km_per_unit = o.real("km-per-unit");
  p.delay_per_km = o.time("delay-per-km");
  p.switch_delay = o.time("switch-delay");
  p.keep_giant = o.yes("keep-giant");
  p.host_rate = l.host_rate;
  p.fabric_rate = l.flat_rate();
  p.host_latency = l.latency;
  p.buffer = l.buffer;
  p.seed = l.seed;
  RsnResult r = build_rsn(p);
  return {std::move(r.topology), std::move(r.info), p.fabric_rate};
}

TopologySize rsn_size(const OptionValues& o) {
  // Links from the target mean degree (the sampled graph has about that many).
  const double switches = static_cast<double>(o.count("switches"));
  const double hosts = switches * static_cast<double>(o.count("hosts-per-switch"));
  return {hosts, hosts + switches, hosts + switches * o.real("mean-degree") / 2,
          "--switches, --hosts-per-switch, --mean-degree"};
}

}  // namespace

extern const TopologyEntry rsn_topology = {
    "rsn", "random spatial network: --switches points in a box, distance-kernel links", &rsn_from,
    &rsn_size};

}  // namespace moesim::topo
