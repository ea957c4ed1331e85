// Sizes and times that do not fit moesim's integer types are refused with an InputError, never
// answered wrongly: packet counts past 32 bits, workload byte totals past 2^64 - 1, chains of
// compute past kMaxRunTime, flows whose drain time overflows TimePs, link latencies whose sum
// would overflow a path.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

#include "sim/core/error.hpp"
#include "sim/model.hpp"
#include "sim/time_limits.hpp"
#include "tests/fixtures.hpp"
#include "tests/input_error.hpp"
#include "topologies/routing.hpp"
#include "workloads/collectives.hpp"

using namespace moesim;
using Catch::Matchers::Contains;
using test::input_error;

namespace {

Workload one_flow(uint32_t hosts, Bytes size) {
  Workload w(hosts);
  w.add_flow(0, 1, size, w.add_tag(Tag{"single", "", -1, -1}));
  w.finalize();
  return w;
}

sim::PathSet ecmp_paths(const topo::Routing& r, const Workload& w) {
  return sim::assign_paths(r, w, sim::parse_transport("ecmp"), 1);
}

}  // namespace

TEST_CASE("sim::packet: a subflow of more than 2^31 - 1 packets is refused, not truncated") {
  // Packet numbers are 32-bit less the bit a coalesced ACK's report marks CE with.
  // 8658654072768 B = 4032 * (2^31 + 1): with a 4 KiB MTU and 64 B headers (4032 B payload) that is
  // 2^31 + 1 packets. (2^32 + 1 packets, which a 32-bit cast once made 1 packet, a 2.164 us
  // CCT where fluid says 1385 s, are refused the same way.) The drain time at 100 Gb/s,
  // 693 s, fits the clock: the packet count is what cannot be represented.
  const topo::Topology t = topo::build_leaf_spine(test::tiny_leaf_spine());
  const topo::Routing r(t);
  const Workload w = one_flow(t.num_hosts(), Bytes{8658654072768});
  const sim::PathSet p = ecmp_paths(r, w);
  const std::string msg = input_error([&] { sim::run_packet(r, w, p, sim::PacketConfig{}); });
  REQUIRE_THAT(msg, Contains("sends 8658654072768B on one path, 2147483649 packets of 4032B"));
  REQUIRE_THAT(msg, Contains("more than the 2147483647 packets per path"));
  const Workload big = one_flow(t.num_hosts(), Bytes{17317308141504});
  const sim::PathSet pb = ecmp_paths(r, big);
  REQUIRE_THAT(input_error([&] { sim::run_packet(r, big, pb, sim::PacketConfig{}); }),
               Contains("4294967297 packets of 4032B"));
}

TEST_CASE("sim::models: a flow whose drain time overflows the clock is refused") {
  // 10^18 B (1000000TB) at 1 bps takes 8 * 10^18 s = 8e30 ps, far past kMaxRunTime = 2^62 ps;
  // fluid used to cast that double to int64 and then fail on a negative event time.
  topo::LeafSpineParams lp = test::tiny_leaf_spine();
  lp.host_rate = BitsPerSec{1};
  lp.fabric_rate = BitsPerSec{1};
  const topo::Topology t = topo::build_leaf_spine(lp);
  const topo::Routing r(t);
  const Workload w = one_flow(t.num_hosts(), Bytes{1'000'000'000'000'000'000});
  const sim::PathSet p = ecmp_paths(r, w);
  for (const std::string model : {"analytic", "fluid", "packet"}) {
    INFO(model);
    const std::string msg = input_error([&] {
      if (model == "analytic") sim::run_analytic(t, w, p);
      if (model == "fluid") sim::run_fluid(t, w, p);
      if (model == "packet") sim::run_packet(r, w, p, sim::PacketConfig{});
    });
    REQUIRE_THAT(msg, Contains("flow 0 (host 0 -> host 1, 1000000000000000000B) needs 8e+18 s "
                               "at 1 bps"));
    REQUIRE_THAT(msg, Contains("2^62 ps"));
  }
}

TEST_CASE("sim::check_run_fits_clock: many flows together may not pass the clock either") {
  // Each of 2 flows alone drains in 3e6 s (below kMaxRunTime = 4.6e6 s), but one NIC sends
  // both: 6e6 s in total may be the makespan. 3e6 s at 8 bps is 3e6 B.
  topo::LeafSpineParams lp = test::tiny_leaf_spine();
  lp.host_rate = BitsPerSec{8};
  lp.fabric_rate = BitsPerSec{8};
  const topo::Topology t = topo::build_leaf_spine(lp);
  const topo::Routing r(t);
  Workload w(t.num_hosts());
  const uint32_t tag = w.add_tag(Tag{"pair", "", -1, -1});
  w.add_flow(0, 1, Bytes{3'000'000'000'000'000'000 / 1'000'000'000'000}, tag);
  w.add_flow(0, 2, Bytes{3'000'000'000'000'000'000 / 1'000'000'000'000}, tag);
  w.finalize();
  const sim::PathSet p = ecmp_paths(r, w);
  REQUIRE_THAT(input_error([&] { sim::check_run_fits_clock(t, w, p); }),
               Contains("6e+06 s for its 2 flows' bytes"));
  // One of them alone fits: 3e6 s plus its path latency.
  const Workload one = one_flow(t.num_hosts(), Bytes{3'000'000});
  REQUIRE_NOTHROW(sim::check_run_fits_clock(t, one, ecmp_paths(r, one)));
}

TEST_CASE("workload::collectives: byte totals past 2^64 - 1 are refused") {
  // all-to-all on 2 hosts: 2 flows of 2^64 - 1 B, 2^65 - 2 B in total (it wrapped to
  // 2^64 - 2, and cct_us came out 0).
  const std::string msg = input_error([] { workload::all_to_all(2, Bytes{UINT64_MAX}); });
  REQUIRE_THAT(msg, Contains("--size: 18446744073709551615B moved 2 times by all-to-all"));
  // ring-allreduce on 4 hosts moves the buffer 2 * (4 - 1) = 6 times: 2^62 B * 6 > 2^64.
  REQUIRE_THAT(input_error([] { workload::ring_allreduce(4, Bytes{uint64_t{1} << 62}); }),
               Contains("moved 6 times by ring-allreduce"));
  // 2^62 B moved 3 times fits (3 * 2^62 < 2^64).
  REQUIRE_NOTHROW(workload::all_gather(4, Bytes{uint64_t{1} << 62}));
}

TEST_CASE("core::Workload: the flows' total and compute chains are checked") {
  SECTION("flow bytes summing past 2^64 - 1") {
    Workload w(2);
    const uint32_t tag = w.add_tag(Tag{"matrix", "", -1, -1});
    w.add_flow(0, 1, Bytes{UINT64_MAX - 1}, tag);
    REQUIRE(w.total_bytes() == Bytes{UINT64_MAX - 1});
    // (2^64 - 2) + 2 = 2^64: one too many.
    REQUIRE_THAT(input_error([&] { w.add_flow(1, 0, Bytes{2}, tag); }),
                 Contains("matrix: flow 1 (host 1 -> host 0, 2B) takes the workload's total"));
  }
  SECTION("a chain of compute tasks longer than kMaxRunTime") {
    // 5 dependent tasks of 10^6 s (the most an option allows) = 5e18 ps > 2^62 ps = 4.6e18.
    Workload w(1);
    const uint32_t tag = w.add_tag(Tag{"moe", "compute", 0, 0});
    uint32_t prev = w.add_compute(0, kMaxInputTime, tag);
    for (int i = 1; i < 5; ++i) {
      const uint32_t next = w.add_compute(0, kMaxInputTime, tag);
      w.add_dependency(prev, next);
      prev = next;
    }
    REQUIRE_THAT(input_error([&] { w.finalize(); }),
                 Contains("moe compute: compute task 4 on GPU 0"));
  }
  SECTION("the same tasks side by side are fine") {
    // Independent tasks run in parallel: the chain is 10^6 s.
    Workload w(5);
    const uint32_t tag = w.add_tag(Tag{"moe", "compute", 0, 0});
    for (uint32_t g = 0; g < 5; ++g)
      w.add_compute(g, kMaxInputTime, tag);
    w.finalize();
    REQUIRE(w.compute_critical_path() == kMaxInputTime);
  }
  SECTION("a compute duration of INT64_MAX ps") {
    // What --attention-time 9223372036854775807ps made: it exited 0 with a CCT of 9.2e12 us.
    Workload w(1);
    w.add_compute(0, TimePs{INT64_MAX}, w.add_tag(Tag{"moe", "attention", 0, 0}));
    REQUIRE_THAT(input_error([&] { w.finalize(); }), Contains("more than 2^62 ps"));
  }
}

TEST_CASE("topo::Topology: link latencies that could overflow a path are refused") {
  // 5 links of 10^6 s: 5e18 ps > kMaxRunTime = 2^62 ps = 4.6e18 ps.
  topo::Topology t("chain");
  topo::Vertex prev = t.add_vertex(topo::VertexKind::Host, "h0");
  std::string msg;
  for (int i = 1; i <= 5 && msg.empty(); ++i) {
    const topo::Vertex next = t.add_vertex(topo::VertexKind::Switch, fmt::format("s{}", i));
    try {
      t.add_link(prev, next, topo::LinkKind::Fabric, 100_Gbps, kMaxInputTime, 1_MiB);
    } catch (const InputError& e) {
      msg = e.what();
      REQUIRE(i == 5);
    }
    prev = next;
  }
  REQUIRE_THAT(msg, Contains("chain: link s4-s5 (1000000s): the latencies of all links add up"));
}
