// Topology + transfer plan -> SimGrid hosts, links and routes (platform.hpp).
#include "sim/simgrid/platform.hpp"

#include <simgrid/kernel/resource/NetworkModelIntf.hpp>
#include <simgrid/s4u.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include <fmt/format.h>

namespace moesim::sim::simgrid {
namespace {

namespace sg4 = ::simgrid::s4u;
using Lir = sg4::LinkInRoute;

// Pads are SHARED links too fast to ever be a bottleneck. (A FATPIPE pad would say so more
// directly, but SimGrid 3.32's solver rescans a FATPIPE constraint's elements for every rate it
// fixes: quadratic in the transfers sharing one pad, 17x slower at 64 hosts under ideal.)
constexpr double kPadBandwidth = 1e18;  // bytes/s
constexpr double kTinyLatency = 1e-15;  // s: what a MaxMin transfer pays inside SimGrid

double seconds(int64_t ps) {
  return static_cast<double>(ps) * 1e-12;
}

// T of platform.hpp in ps: the longest path latency, or 1 ns if no path has any latency but a
// weight still has to be applied; 0 when nothing needs padding.
int64_t weight_scale(const TransferPlan& plan) {
  int64_t t = 0;
  bool weighted = false;
  for (uint32_t p = 0; p < plan.num_paths(); ++p) {
    t = std::max(t, plan.path_latency[p].ps);
    weighted = weighted || plan.path_weight[p] < 1.0;
  }
  return t == 0 && weighted ? 1000 : t;
}

std::vector<sg4::Link*> make_links(sg4::NetZone* zone, const topo::Topology& topo) {
  std::vector<sg4::Link*> links;
  links.reserve(topo.num_links() / 2);
  for (uint32_t e = 0; 2 * e < topo.num_links(); ++e) {
    const topo::DirLink& l = topo.link(2 * e);
    links.push_back(zone->create_split_duplex_link(fmt::format("l{}", e), l.rate.bytes_per_sec())
                        ->set_latency(seconds(l.latency.ps)));
  }
  return links;
}

// The latency a transfer pays inside SimGrid, as a factor of its padded route latency. Pads
// are the only links of kPadBandwidth and always come last.
void set_latency_factor(sg4::NetZone* zone, bool latency_first) {
  zone->get_network_model()->set_lat_factor_cb(
      [latency_first](double, const sg4::Host*, const sg4::Host*,
                      const std::vector<sg4::Link*>& route,
                      const std::unordered_set<sg4::NetZone*>&) {
        double total = 0;
        for (const sg4::Link* l : route)
          total += l->get_latency();
        if (total <= 0) return 1.0;
        const sg4::Link* last = route.back();
        const bool padded = last->get_bandwidth() >= kPadBandwidth;
        const double own = total - (padded ? last->get_latency() : 0.0);
        return (latency_first ? std::max(own, kTinyLatency) : kTinyLatency) / total;
      });
}

}  // namespace

Platform build_platform(const topo::Topology& topo, const Workload& w, const TransferPlan& plan,
                        SimgridMode mode) {
  sg4::NetZone* zone = sg4::create_full_zone("moesim");
  Platform pf;
  std::vector<int> tasks(w.num_hosts(), 0);
  for (const DagNode& n : w.nodes()) {
    if (n.kind == NodeKind::Compute) ++tasks[n.src];
  }
  for (uint32_t h = 0; h < w.num_hosts(); ++h) {
    pf.endpoint_begin.push_back(static_cast<uint32_t>(pf.endpoints.size()));
    for (uint32_t k = 0; k < plan.slots[h]; ++k) {
      sg4::Host* host = zone->create_host(fmt::format("h{}#{}", h, k), kFlopsPerSecond);
      if (k == 0) host->set_core_count(std::max(1, tasks[h]));
      pf.endpoints.push_back(host);
    }
  }
  const std::vector<sg4::Link*> links = make_links(zone, topo);

  const int64_t scale = mode == SimgridMode::LV08 ? 0 : weight_scale(plan);
  std::map<int64_t, sg4::Link*> pads;  // by pad latency in ps
  std::vector<Lir> route;
  for (uint32_t p = 0; p < plan.num_paths(); ++p) {
    route.clear();
    for (uint32_t l : plan.links(p)) {
      route.emplace_back(links[l / 2], l % 2 == 0 ? Lir::Direction::UP : Lir::Direction::DOWN);
    }
    const auto total = std::llround(static_cast<double>(scale) / plan.path_weight[p]);
    const int64_t pad = total - plan.path_latency[p].ps;
    if (pad > 0) {
      sg4::Link*& link = pads[pad];
      if (link == nullptr) {
        link =
            zone->create_link(fmt::format("pad{}", pad), kPadBandwidth)->set_latency(seconds(pad));
      }
      route.emplace_back(link);
    }
    const uint32_t slot = plan.path_slot[p];
    zone->add_route(pf.endpoints[pf.endpoint_id(plan.path_src[p], slot)]->get_netpoint(),
                    pf.endpoints[pf.endpoint_id(plan.path_dst[p], slot)]->get_netpoint(), nullptr,
                    nullptr, route, /*symmetrical=*/false);
  }
  pf.pads = static_cast<uint32_t>(pads.size());
  if (scale > 0) set_latency_factor(zone, mode == SimgridMode::LatencyFirst);
  zone->seal();
  return pf;
}

}  // namespace moesim::sim::simgrid
