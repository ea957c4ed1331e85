// The rail-optimised builder. Fixed layout, so ids are reproducible:
//   vertices: GPUs gpu0.. (server-major: GPU i of server s is host s*G + i), rail leaves
//             rail0..rail{G-1}, spines, then one NVSwitch per server (when G > 1);
//   edges:    GPU <-> its rail leaf (edge = host index), rail <-> spine (rail-major), then
//             GPU <-> its server's NVSwitch.
#include "topologies/rail.hpp"

#include <cmath>
#include <limits>
#include <vector>

#include <fmt/format.h>

#include "topologies/param_checks.hpp"
#include "topologies/registry.hpp"

namespace moesim::topo {
namespace {

using detail::reject;

constexpr uint64_t kMaxHosts = 1'000'000;
constexpr uint32_t kMaxSpines = 100'000;

void validate(const RailParams& p) {
  if (p.servers < 1) reject("--servers", fmt::format("{}", p.servers), "an integer >= 1");
  if (p.gpus_per_server < 1) {
    reject("--gpus-per-server", fmt::format("{}", p.gpus_per_server), "an integer >= 1");
  }
  const uint64_t hosts = uint64_t{p.servers} * p.gpus_per_server;
  if (hosts > kMaxHosts) {
    reject("--servers", fmt::format("{}", p.servers),
           fmt::format("--servers x --gpus-per-server at most {} GPUs, got {}", kMaxHosts, hosts));
  }
  // Different rails of different servers meet only at a spine.
  if (p.spines < 1 && p.gpus_per_server > 1 && p.servers > 1) {
    reject("--spines", fmt::format("{}", p.spines),
           "an integer >= 1 when there are several servers and rails");
  }
  if (p.spines > kMaxSpines) {
    reject("--spines", fmt::format("{}", p.spines), fmt::format("at most {}", kMaxSpines));
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
  if (p.gpus_per_server > 1) detail::require_positive("--nvlink-rate", p.nvlink_rate);
  detail::require_non_negative("--host-latency", p.host_latency);
  detail::require_non_negative("--fabric-latency", p.fabric_latency);
  detail::require_non_negative("--nvlink-latency", p.nvlink_latency);
  detail::require_buffer("--buffer", p.buffer);
}

}  // namespace

BitsPerSec effective_fabric_rate(const RailParams& p) {
  validate(p);
  if (p.fabric_rate) return *p.fabric_rate;
  if (p.spines == 0) return BitsPerSec{0};  // no fabric links
  const long double r =
      std::round(static_cast<long double>(p.servers) * static_cast<long double>(p.host_rate.bps) /
                 (static_cast<long double>(p.spines) * p.oversubscription));
  if (!(r >= 1.0L) || r > static_cast<long double>(std::numeric_limits<uint64_t>::max())) {
    reject("--oversubscription", fmt::format("{}", p.oversubscription),
           fmt::format("a ratio giving a fabric rate of 1 bit/s .. 2^64-1 bit/s, got {:.0f} bit/s",
                       static_cast<double>(r)));
  }
  return BitsPerSec{static_cast<uint64_t>(r)};
}

Topology build_rail(const RailParams& p) {
  const BitsPerSec fabric = effective_fabric_rate(p);  // validates p
  const uint32_t g = p.gpus_per_server;
  const uint32_t num_hosts = p.servers * g;
  std::string description = fmt::format(
      "rail: {} servers x {} GPUs on {} rail leaves x {} spines, host links {} / {}, fabric "
      "links {} / {}",
      p.servers, g, g, p.spines, p.host_rate, p.host_latency, fabric, p.fabric_latency);
  if (g > 1) description += fmt::format(", NVLink {} / {}", p.nvlink_rate, p.nvlink_latency);
  Topology t(std::move(description));

  std::vector<Vertex> gpus, rails, spines, nvswitches;
  for (uint32_t h = 0; h < num_hosts; ++h) {
    gpus.push_back(
        t.add_vertex(VertexKind::Host, fmt::format("gpu{}", h), static_cast<int32_t>(h / g)));
  }
  for (uint32_t r = 0; r < g; ++r)
    rails.push_back(t.add_vertex(VertexKind::Leaf, fmt::format("rail{}", r)));
  for (uint32_t s = 0; s < p.spines; ++s)
    spines.push_back(t.add_vertex(VertexKind::Spine, fmt::format("spine{}", s)));
  for (uint32_t s = 0; g > 1 && s < p.servers; ++s) {
    nvswitches.push_back(
        t.add_vertex(VertexKind::NvSwitch, fmt::format("nvs{}", s), static_cast<int32_t>(s)));
  }

  for (uint32_t h = 0; h < num_hosts; ++h) {
    t.add_link(gpus[h], rails[h % g], LinkKind::HostLink, p.host_rate, p.host_latency, p.buffer);
  }
  for (const Vertex rail : rails) {
    for (const Vertex spine : spines)
      t.add_link(rail, spine, LinkKind::Fabric, fabric, p.fabric_latency, p.buffer);
  }
  for (uint32_t h = 0; g > 1 && h < num_hosts; ++h) {
    t.add_link(gpus[h], nvswitches[h / g], LinkKind::NvLink, p.nvlink_rate, p.nvlink_latency,
               p.buffer);
  }
  return t;
}

namespace {

BuiltTopology rail_from(const OptionValues& o) {
  const LinkOptions l = link_options(o);
  RailParams p;
  p.servers = option_u32(o, "servers");
  p.gpus_per_server = l.gpus_per_server;
  if (p.gpus_per_server < 2) {
    throw FieldError("gpus-per-server", fmt::format("{}", p.gpus_per_server),
                     "2 or more GPUs per server for the rail topology (one rail each), e.g. 8");
  }
  p.spines = option_u32(o, "spines");
  p.host_rate = l.host_rate;
  p.fabric_rate = l.fabric_rate;
  p.oversubscription = l.oversubscription;
  p.host_latency = p.fabric_latency = l.latency;
  p.buffer = l.buffer;
  p.nvlink_rate = l.nvlink_rate;
  p.nvlink_latency = l.nvlink_latency;
  return {build_rail(p), std::nullopt, effective_fabric_rate(p)};
}

TopologySize rail_size(const OptionValues& o) {
  // servers x G GPUs, one leaf per rail (G), the spines, one NVLink switch per server; each
  // GPU has a rail link and an NVLink link, each leaf a link to every spine.
  const double servers = static_cast<double>(o.count("servers"));
  const double g = static_cast<double>(o.count("gpus-per-server"));
  const double spines = static_cast<double>(o.count("spines"));
  const double hosts = servers * g;
  return {hosts, hosts + g + spines + servers, 2 * hosts + g * spines,
          "--servers, --gpus-per-server, --spines"};
}

}  // namespace

extern const TopologyEntry rail_topology = {
    "rail", "rail-optimised: --servers servers of --gpus-per-server GPUs, one leaf per rail",
    &rail_from, &rail_size};

}  // namespace moesim::topo
