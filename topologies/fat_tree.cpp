// The fat-tree builder. Vertices and links are laid out in a fixed order, so ids are
// reproducible:
//   vertices: hosts 0..k^3/4-1, edge switches edge0.. (pod-major), aggregation switches agg0..
//             (pod-major), core switches core0..;
//   edges:    host h <-> edge switch h / (k/2) (edge h), then edge <-> aggregation inside each
//             pod (edge-major), then aggregation <-> core: aggregation switch j of every pod
//             joins cores j*(k/2) .. j*(k/2) + k/2 - 1 (aggregation-major).
#include "topologies/fat_tree.hpp"

#include <cmath>
#include <limits>
#include <vector>

#include <fmt/format.h>

#include "topologies/param_checks.hpp"
#include "topologies/registry.hpp"

namespace moesim::topo {
namespace {

using detail::reject;

// k^3/4 hosts: k = 158 gives 986,078 hosts, the last even k below a million hosts.
constexpr uint32_t kMaxK = 158;

void validate(const FatTreeParams& p) {
  if (p.k < 2 || p.k % 2 != 0 || p.k > kMaxK) {
    reject("--k", fmt::format("{}", p.k), fmt::format("an even number from 2 to {}", kMaxK));
  }
  detail::require_positive("--host-rate", p.host_rate);
  if (p.fabric_rate) detail::require_positive("--fabric-rate", *p.fabric_rate);
  if (!std::isfinite(p.oversubscription) || p.oversubscription <= 0) {
    reject("--oversubscription", fmt::format("{}", p.oversubscription), "a finite ratio > 0");
  }
  if (p.fabric_rate && p.oversubscription != 1.0) {
    reject("--oversubscription", fmt::format("{}", p.oversubscription),
           fmt::format("1 when --fabric-rate ({}) is given: give one of the two", *p.fabric_rate));
  }
  detail::require_non_negative("--host-latency", p.host_latency);
  detail::require_non_negative("--fabric-latency", p.fabric_latency);
  detail::require_buffer("--buffer", p.buffer);
}

}  // namespace

BitsPerSec effective_fabric_rate(const FatTreeParams& p) {
  validate(p);
  if (p.fabric_rate) return *p.fabric_rate;
  // host_rate / oversubscription to the nearest bit/s; long double holds any uint64 exactly.
  const long double r = std::round(static_cast<long double>(p.host_rate.bps) / p.oversubscription);
  if (!(r >= 1.0L) || r > static_cast<long double>(std::numeric_limits<uint64_t>::max())) {
    reject("--oversubscription", fmt::format("{}", p.oversubscription),
           fmt::format("a ratio giving a fabric rate of 1 bit/s .. 2^64-1 bit/s, got {:.0f} bit/s",
                       static_cast<double>(r)));
  }
  return BitsPerSec{static_cast<uint64_t>(r)};
}

Topology build_fat_tree(const FatTreeParams& p) {
  const BitsPerSec fabric = effective_fabric_rate(p);  // validates p
  const uint32_t k = p.k;
  const uint32_t half = k / 2;
  const uint32_t num_edge = k * half;  // also the number of aggregation switches
  const uint32_t num_core = half * half;
  const uint32_t num_hosts = num_edge * half;  // k^3/4
  Topology t(fmt::format(
      "fat-tree: k = {} ({} pods, {} hosts, {} edge + {} aggregation + {} core switches), host "
      "links {} / {}, fabric links {} / {}",
      k, k, num_hosts, num_edge, num_edge, num_core, p.host_rate, p.host_latency, fabric,
      p.fabric_latency));

  std::vector<Vertex> hosts, edges, aggs, cores;
  for (uint32_t h = 0; h < num_hosts; ++h) {
    hosts.push_back(
        t.add_vertex(VertexKind::Host, fmt::format("host{}", h), static_cast<int32_t>(h)));
  }
  for (uint32_t e = 0; e < num_edge; ++e)
    edges.push_back(t.add_vertex(VertexKind::Leaf, fmt::format("edge{}", e)));
  for (uint32_t a = 0; a < num_edge; ++a)
    aggs.push_back(t.add_vertex(VertexKind::Spine, fmt::format("agg{}", a)));
  for (uint32_t c = 0; c < num_core; ++c)
    cores.push_back(t.add_vertex(VertexKind::Core, fmt::format("core{}", c)));

  for (uint32_t h = 0; h < num_hosts; ++h) {
    t.add_link(hosts[h], edges[h / half], LinkKind::HostLink, p.host_rate, p.host_latency,
               p.buffer);
  }
  for (uint32_t pod = 0; pod < k; ++pod) {
    for (uint32_t i = 0; i < half; ++i) {
      for (uint32_t j = 0; j < half; ++j) {
        t.add_link(edges[pod * half + i], aggs[pod * half + j], LinkKind::Fabric, fabric,
                   p.fabric_latency, p.buffer);
      }
    }
  }
  for (uint32_t a = 0; a < num_edge; ++a) {
    const uint32_t j = a % half;  // position inside its pod picks its group of cores
    for (uint32_t m = 0; m < half; ++m) {
      t.add_link(aggs[a], cores[j * half + m], LinkKind::Fabric, fabric, p.fabric_latency,
                 p.buffer);
    }
  }
  return t;
}

namespace {

BuiltTopology fat_tree_from(const OptionValues& o) {
  const LinkOptions l = link_options(o);
  FatTreeParams p;
  p.k = option_u32(o, "k");
  p.host_rate = l.host_rate;
  p.fabric_rate = l.fabric_rate;
  p.oversubscription = l.oversubscription;
  p.host_latency = p.fabric_latency = l.latency;
  p.buffer = l.buffer;
  return {build_fat_tree(p), std::nullopt, effective_fabric_rate(p)};
}

TopologySize fat_tree_size(const OptionValues& o) {
  // k^3/4 hosts, k^2/2 edge and k^2/2 aggregation switches, k^2/4 cores; k^3/4 links per tier.
  const double k = static_cast<double>(o.count("k"));
  return {k * k * k / 4, k * k * k / 4 + 5 * k * k / 4, 3 * k * k * k / 4, "--k"};
}

}  // namespace

extern const TopologyEntry fat_tree_topology = {
    "fat-tree", "3-tier k-ary fat-tree of radix --k (k^3/4 hosts)", &fat_tree_from, &fat_tree_size};

}  // namespace moesim::topo
