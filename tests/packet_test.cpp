// The packet model: exact timing on an idle path, conservation and recovery, determinism,
// and the single-path vs spraying comparisons of Addanki et al. on a non-blocking leaf-spine.
#include <algorithm>

#include <catch2/catch.hpp>

#include "fixtures.hpp"
#include "sim/core/rng.hpp"
#include "sim/model.hpp"
#include "topologies/routing.hpp"
#include "workloads/collectives.hpp"

using namespace moesim;

namespace {

struct Sim {
  topo::Topology topo;
  topo::Routing routing;
  explicit Sim(const topo::LeafSpineParams& p) : topo(topo::build_leaf_spine(p)), routing(topo) {}

  sim::RunResult run(const Workload& w, const std::string& transport, const std::string& model,
                     const sim::PacketConfig& c = {}, uint64_t seed = 1) const {
    const sim::PathSet paths = sim::assign_paths(routing, w, sim::parse_transport(transport), seed);
    return sim::make_model(model, c)->run(routing, w, paths);
  }
};

Workload one_flow(uint32_t hosts, uint32_t src, uint32_t dst, Bytes size) {
  Workload w(hosts);
  const uint32_t tag = w.add_tag(Tag{"single", "", -1, -1});
  w.add_flow(src, dst, size, tag);
  w.finalize();
  return w;
}

}  // namespace

TEST_CASE("sim::packet: one flow on an idle path finishes at size over rate plus latency",
          "[packet]") {
  const Sim s(test::tiny_leaf_spine());  // 100 Gb/s (80 ps per byte), 1 us per link
  const Workload w = one_flow(4, 0, 2, 1_MiB);  // across the spine: 4 links
  const sim::RunResult r = s.run(w, "ecmp", "packet");
  // 1 MiB = 1048576 B in 4032-byte payloads (4 KiB MTU - 64 B header): 261 packets, the last
  // carrying 1048576 - 260 * 4032 = 256 B. Wire bytes = 1048576 + 261 * 64 = 1065280.
  // The NIC sends them back to back: 1065280 * 80 ps = 85,222,400 ps. The last packet
  // (320 B = 25,600 ps) is then stored and forwarded by 3 more links, and each of the 4
  // links adds 1 us: 85,222,400 + 3 * 25,600 + 4,000,000 = 89,299,200 ps.
  CHECK(r.nodes[0].finish.ps == 89'299'200);
  CHECK(r.retransmits == 0);
  CHECK(r.trims == 0);
}
