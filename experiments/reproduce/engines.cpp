// Row 7, engines. (a) The fluid model against SimGrid 3.32 (an engine nobody here wrote) on
// the suite of `moesim validate` (validate_suite.hpp): per fabric and transport, the case
// whose completion times differ most. (b) The packet model against htsim, the Ultra Ethernet
// fork, on the figures issue 14 lists: 128 hosts (8 leaves x 16, 16 spines, 400 Gb/s, 1 us
// links), ~1 BDP queues (419,150 B), 4150 B packets with 64 B headers; oblivious spraying: 4 MB
// permutation 96.7 us and 1 MB all-to-all 2600.7 us. htsim counts a flow done when the sender
// holds its last ACK, so moesim's CCT gets one one-way delay (4 links x 1 us) added.
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "experiments/reproduce/claim.hpp"
#include "experiments/validate_suite.hpp"
#include "sim/model.hpp"
#include "sim/paths.hpp"
#include "sim/transport.hpp"
#include "topologies/leaf_spine.hpp"
#include "topologies/routing.hpp"
#include "workloads/collectives.hpp"

namespace moesim::cli::reproduce {
namespace {

void simgrid_rows(Result& res) {
  // Worst case per (fabric, transport), in the suite's order.
  std::vector<std::string> order;
  std::map<std::string, ValidateRow> worst;
  run_validate_suite([&](ValidateRow&& r) {
    const std::string key = r.scenario.substr(0, r.scenario.find('/')) + "/" + r.transport;
    auto it = worst.find(key);
    if (it == worst.end()) {
      order.push_back(key);
      worst.emplace(key, std::move(r));
    } else if (std::abs(r.ratio - 1) > std::abs(it->second.ratio - 1)) {
      it->second = std::move(r);
    }
  });
  for (const std::string& key : order) {
    const ValidateRow& v = worst.at(key);
    Row r;
    r.claim = "engines/fluid-vs-simgrid-" + key.substr(0, key.find('/')) + "-" + v.transport;
    r.source = "SimGrid 3.32 (CM02, moesim validate)";
    r.setting = fmt::format("worst of 4 workloads: {}; 16 hosts, 100 Gb/s", v.scenario);
    r.paper_value = v.simgrid_cct_us;
    r.moesim_value = v.fluid_cct_us;
    r.unit = "CCT (us), paper = SimGrid";
    if (v.differs_by_design) {
      // SimGrid gives each path of a multipath flow its own rate and latency, fluid one rate
      // per flow: completion times agree within 1% (tests/simgrid_validate_test.cpp).
      r.ratio_lo = 0.99, r.ratio_hi = 1.01;
      r.note = "ideal on an RSN differs by design (per-path rates in SimGrid)";
    } else {
      // Same max-min sharing on the same paths: equal up to SimGrid's double-precision
      // solver (its largest deviation in the suite is 1e-6).
      r.ratio_lo = 0.9999, r.ratio_hi = 1.0001;
      r.note = fmt::format("max flow finish diff {:.4f}%", 100 * v.max_flow_diff);
    }
    res.rows.push_back(r);
  }
}

double packet_spray_cct_us(const Workload& w, const topo::Routing& routing, uint64_t seed) {
  sim::PacketConfig pc;
  pc.mtu = Bytes{4150};
  pc.header = Bytes{64};
  pc.seed = seed;
  const auto packet = sim::make_model("packet", pc);
  const sim::PathSet paths =
      sim::assign_paths(routing, w, sim::parse_transport("spray:random"), seed);
  return packet->run(routing, w, paths).makespan.us();
}

void htsim_rows(Result& res, const Options& opt) {
  topo::LeafSpineParams p;  // 8 x 16 hosts, 16 spines, 400 Gb/s, 1 us: issue 14's fabric
  p.buffer = Bytes{419150};
  const topo::Topology t = topo::build_leaf_spine(p);
  const topo::Routing routing(t, topo::RouteCost::Latency);
  const double one_way_us = 4;  // host -> leaf -> spine -> leaf -> host, 1 us each
  Rng rng = make_stream(opt.seed, "workload");
  struct Case {
    const char* name;
    Workload w;
    double htsim_us;
  };
  std::vector<Case> cases;
  cases.push_back(
      {"permutation-4MB", workload::permutation(t.num_hosts(), Bytes{4'000'000}, rng), 96.7});
  // The all-to-all is 16 GB of packets (~10 s here): full runs only.
  if (!opt.quick)
    cases.push_back(
        {"all-to-all-1MB", workload::all_to_all(t.num_hosts(), Bytes{1'000'000}), 2600.7});
  for (const Case& c : cases) {
    Row r;
    r.claim = fmt::format("engines/packet-vs-htsim-{}", c.name);
    r.source = "htsim (UEC fork), issue 14";
    r.setting = "leaf-spine 8x16, 16 spines, 400G, 1 BDP queues, 4150 B MTU; spray:random, dctcp";
    r.paper_value = c.htsim_us;
    r.moesim_value = packet_spray_cct_us(c.w, routing, opt.seed) + one_way_us;
    r.unit = "CCT (us) + one-way delay";
    // Issue 14's target for spraying: within 10% of htsim. moesim's permutation is its own
    // random derangement, not htsim's seed-1 matrix (spraying on a 1:1 fabric makes every
    // permutation alike), and its congestion control is DCTCP, not htsim's NSCC.
    r.ratio_lo = 0.9, r.ratio_hi = 1.1;
    r.note = "htsim ran NSCC; moesim DCTCP with trimming";
    res.rows.push_back(r);
  }
}

Result run(const Options& opt) {
  Result res;
  simgrid_rows(res);
  htsim_rows(res, opt);
  return res;
}

}  // namespace

extern const Entry engines_claim = {
    "engines", "fluid against SimGrid (validate suite); the packet model against htsim", nullptr,
    &run};

}  // namespace moesim::cli::reproduce
