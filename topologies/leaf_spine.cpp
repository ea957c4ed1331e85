// The leaf-spine builder: validates LeafSpineParams once ("parse, don't validate"), then lays
// out vertices and links in a fixed order so vertex, host and link ids are reproducible:
//   vertices: hosts 0..H-1, leaves, spines, NVSwitches (one per server, only for GPU servers);
//   edges:    host i <-> its leaf (edge i), then leaf j <-> spine k (j-major), then GPU <->
//   NVSwitch.
#include "topologies/leaf_spine.hpp"

#include <cmath>
#include <limits>
#include <string_view>

#include <fmt/format.h>

#include "sim/core/error.hpp"
#include "topologies/param_checks.hpp"
#include "topologies/registry.hpp"

namespace moesim::topo {
namespace {

constexpr uint64_t kMaxHosts = 1'000'000;
constexpr uint64_t kMaxSpines = 1'000'000;

using detail::reject;
using detail::require_non_negative;
using detail::require_positive;

void validate(const LeafSpineParams& p) {
  if (p.leaves < 1) reject("--leaves", fmt::format("{}", p.leaves), "an integer >= 1");
  if (p.leaves > 1 && p.spines < 1) {
    reject("--spines", fmt::format("{}", p.spines),
           "an integer >= 1 when --leaves > 1 (leaves reach each other only through spines)");
  }
  if (p.spines > kMaxSpines) {
    reject("--spines", fmt::format("{}", p.spines), fmt::format("at most {}", kMaxSpines));
  }
  if (p.hosts_per_leaf < 1) {
    reject("--hosts-per-leaf", fmt::format("{}", p.hosts_per_leaf), "an integer >= 1");
  }
  const uint64_t hosts = uint64_t{p.leaves} * p.hosts_per_leaf;
  if (hosts > kMaxHosts) {
    reject("--hosts-per-leaf", fmt::format("{}", p.hosts_per_leaf),
           fmt::format("--leaves x --hosts-per-leaf at most {} hosts, got {} x {} = {}", kMaxHosts,
                       p.leaves, p.hosts_per_leaf, hosts));
  }
  if (p.gpus_per_server < 1) {
    reject("--gpus-per-server", fmt::format("{}", p.gpus_per_server), "an integer >= 1");
  }
  if (p.hosts_per_leaf % p.gpus_per_server != 0) {
    reject("--gpus-per-server", fmt::format("{}", p.gpus_per_server),
           fmt::format("a divisor of --hosts-per-leaf ({}) so no server straddles two leaves",
                       p.hosts_per_leaf));
  }
  require_positive("--host-rate", p.host_rate);
  if (p.fabric_rate) require_positive("--fabric-rate", *p.fabric_rate);
  if (!std::isfinite(p.oversubscription) || p.oversubscription <= 0) {
    reject("--oversubscription", fmt::format("{}", p.oversubscription), "a finite ratio > 0");
  }
  if (p.fabric_rate && p.oversubscription != 1.0) {
    // Either fixes the fabric rate; accepting both would silently ignore one of them.
    reject("--oversubscription", fmt::format("{}", p.oversubscription),
           fmt::format("1 when --fabric-rate ({}) is given: give one of the two", *p.fabric_rate));
  }
  if (p.gpus_per_server > 1) require_positive("--nvlink-rate", p.nvlink_rate);
  require_non_negative("--host-latency", p.host_latency);
  require_non_negative("--fabric-latency", p.fabric_latency);
  require_non_negative("--nvlink-latency", p.nvlink_latency);
  if (p.buffer.count == 0) reject("--buffer", "0B", "a size > 0");
}

// hosts_per_leaf * host_rate / (spines * oversubscription), rounded to the nearest bit/s.
// long double has a 64-bit mantissa on x86-64, so the numerator is exact.
BitsPerSec derive_fabric_rate(const LeafSpineParams& p) {
  const long double r = std::round(static_cast<long double>(p.hosts_per_leaf) *
                                   static_cast<long double>(p.host_rate.bps) /
                                   (static_cast<long double>(p.spines) * p.oversubscription));
  const auto max = static_cast<long double>(std::numeric_limits<uint64_t>::max());
  if (!(r >= 1.0L) || r > max) {
    reject("--oversubscription", fmt::format("{}", p.oversubscription),
           fmt::format("a ratio giving a fabric rate of 1 bit/s .. 2^64-1 bit/s, got {:.0f} bit/s",
                       static_cast<double>(r)));
  }
  return BitsPerSec{static_cast<uint64_t>(r)};
}

std::string describe(const LeafSpineParams& p, BitsPerSec fabric) {
  std::string d = fmt::format(
      "leaf-spine: {} leaves x {} spines x {} hosts per leaf, host links {} / {}, fabric links "
      "{} / {}",
      p.leaves, p.spines, p.hosts_per_leaf, p.host_rate, p.host_latency, fabric, p.fabric_latency);
  if (p.gpus_per_server > 1) {
    d += fmt::format(", {} GPUs per server on NVLink {} / {}", p.gpus_per_server, p.nvlink_rate,
                     p.nvlink_latency);
  }
  return d;
}

}  // namespace

BitsPerSec effective_fabric_rate(const LeafSpineParams& p) {
  validate(p);
  if (p.fabric_rate) return *p.fabric_rate;
  if (p.spines == 0) return BitsPerSec{0};  // a single leaf without spines has no fabric links
  return derive_fabric_rate(p);
}

Topology build_leaf_spine(const LeafSpineParams& p) {
  const BitsPerSec fabric = effective_fabric_rate(p);  // validates p
  Topology t(describe(p, fabric));
  const uint32_t num_hosts = p.leaves * p.hosts_per_leaf;  // <= kMaxHosts, checked
  const bool gpus = p.gpus_per_server > 1;

  std::vector<Vertex> hosts;
  hosts.reserve(num_hosts);
  for (uint32_t i = 0; i < num_hosts; ++i) {
    const auto server = static_cast<int32_t>(i / p.gpus_per_server);
    hosts.push_back(
        t.add_vertex(VertexKind::Host, fmt::format("{}{}", gpus ? "gpu" : "host", i), server));
  }
  std::vector<Vertex> leaves;
  for (uint32_t j = 0; j < p.leaves; ++j) {
    leaves.push_back(t.add_vertex(VertexKind::Leaf, fmt::format("leaf{}", j)));
  }
  std::vector<Vertex> spines;
  for (uint32_t k = 0; k < p.spines; ++k) {
    spines.push_back(t.add_vertex(VertexKind::Spine, fmt::format("spine{}", k)));
  }
  std::vector<Vertex> nvswitches;
  if (gpus) {
    for (uint32_t s = 0; s < num_hosts / p.gpus_per_server; ++s) {
      nvswitches.push_back(
          t.add_vertex(VertexKind::NvSwitch, fmt::format("nvs{}", s), static_cast<int32_t>(s)));
    }
  }

  for (uint32_t i = 0; i < num_hosts; ++i) {
    t.add_link(hosts[i], leaves[i / p.hosts_per_leaf], LinkKind::HostLink, p.host_rate,
               p.host_latency, p.buffer);
  }
  for (const Vertex leaf : leaves) {
    for (const Vertex spine : spines) {
      t.add_link(leaf, spine, LinkKind::Fabric, fabric, p.fabric_latency, p.buffer);
    }
  }
  for (uint32_t i = 0; gpus && i < num_hosts; ++i) {
    t.add_link(hosts[i], nvswitches[i / p.gpus_per_server], LinkKind::NvLink, p.nvlink_rate,
               p.nvlink_latency, p.buffer);
  }
  return t;
}

namespace {

BuiltTopology leaf_spine_from(const OptionValues& o) {
  const LinkOptions l = link_options(o);
  LeafSpineParams p;
  p.leaves = option_u32(o, "leaves");
  p.spines = option_u32(o, "spines");
  p.hosts_per_leaf = option_u32(o, "hosts-per-leaf");
  p.host_rate = l.host_rate;
  p.fabric_rate = l.fabric_rate;
  p.oversubscription = l.oversubscription;
  p.host_latency = p.fabric_latency = l.latency;
  p.gpus_per_server = l.gpus_per_server;
  p.nvlink_rate = l.nvlink_rate;
  p.nvlink_latency = l.nvlink_latency;
  p.buffer = l.buffer;
  return {build_leaf_spine(p), std::nullopt, effective_fabric_rate(p)};
}

TopologySize leaf_spine_size(const OptionValues& o) {
  TopologySize z;
  const double leaves = static_cast<double>(o.count("leaves"));
  const double spines = static_cast<double>(o.count("spines"));
  z.hosts = leaves * static_cast<double>(o.count("hosts-per-leaf"));
  // With --gpus-per-server G > 1, one NVLink switch and one link per GPU in every server.
  const double servers = o.count("gpus-per-server") > 1
                             ? z.hosts / static_cast<double>(o.count("gpus-per-server"))
                             : 0;
  z.vertices = z.hosts + leaves + spines + servers;
  z.links = z.hosts + leaves * spines + (servers > 0 ? z.hosts : 0);
  z.drivers = "--leaves, --hosts-per-leaf, --spines";
  return z;
}

}  // namespace

extern const TopologyEntry leaf_spine_topology = {
    "leaf-spine",
    "--leaves leaves x --hosts-per-leaf hosts, --spines spines, every leaf to "
    "every spine",
    &leaf_spine_from, &leaf_spine_size};

}  // namespace moesim::topo
