// The simgrid network model (sim/simgrid/): closed-form times on small fabrics that a wrong
// configuration breaks (LV08 factors, cross-traffic, latency-weighted sharing, padded latencies
// paid in full), compute tasks, and runs following each other in one process. Every run forks
// its own SimGrid process, so several runs per TEST_CASE are fine.
#include <cstdlib>

#include <catch2/catch.hpp>

#include "sim/core/error.hpp"
#include "sim/model.hpp"
#include "sim/simgrid/simgrid_model.hpp"
#include "tests/fixtures.hpp"
#include "topologies/routing.hpp"
#include "workloads/collectives.hpp"

using namespace moesim;
using sim::simgrid::SimgridMode;

namespace {

sim::RunResult simulate(const topo::Topology& t, const Workload& w, const std::string& transport,
                        SimgridMode mode = SimgridMode::MaxMin) {
  const topo::Routing r(t);
  const sim::PathSet p = sim::assign_paths(r, w, sim::parse_transport(transport), 1);
  return sim::simgrid::make_simgrid_model(mode)->run(r, w, p);
}

// Two hosts joined by one 100 Gb/s link of 1 us.
topo::Topology two_hosts_one_link() {
  topo::Topology t("two hosts, one link");
  const topo::Vertex a = t.add_vertex(topo::VertexKind::Host, "h0");
  const topo::Vertex b = t.add_vertex(topo::VertexKind::Host, "h1");
  t.add_link(a, b, topo::LinkKind::HostLink, 100_Gbps, 1_us, 1_MiB);
  return t;
}

Workload flows(uint32_t hosts, std::initializer_list<std::pair<uint32_t, uint32_t>> pairs,
               Bytes size) {
  Workload w(hosts);
  const uint32_t tag = w.add_tag({"test", "", -1, -1});
  for (const auto& [src, dst] : pairs)
    w.add_flow(src, dst, size, tag);
  w.finalize();
  return w;
}

}  // namespace

TEST_CASE("sim::simgrid: a lone transfer on one link finishes at latency plus size over rate") {
  // 1.25e9 B over 100 Gb/s with 1 us: 1e-6 s + 1.25e9 * 8 / 100e9 s = 0.100001 s. LV08 would
  // give 13.01 us of latency and 0.103 s of transfer; cross-traffic does not touch a
  // split-duplex link's other direction.
  const topo::Topology t = two_hosts_one_link();
  const Workload w = flows(2, {{0, 1}}, Bytes{1'250'000'000});
  for (const SimgridMode mode : {SimgridMode::MaxMin, SimgridMode::LatencyFirst}) {
    INFO(sim::simgrid::model_name(mode));
    const sim::RunResult r = simulate(t, w, "ecmp", mode);
    CHECK(std::abs(r.makespan.ps - 100'001'000'000) <= 1);
    CHECK(r.nodes[0].start == TimePs{0});
  }
}

TEST_CASE("sim::simgrid: a route pays its own latency whatever the padding") {
  // Tiny leaf-spine, 100 Gb/s, 1 us links. 1 MiB drains in 8 * 1048576 / 100e9 s =
  // 83.88608 us; intra-leaf 0 -> 1 crosses 2 links (+2 us), inter-leaf 0 -> 2 crosses 4
  // (+4 us). The intra-leaf route is padded to 4 us for equal sharing; the latency callback
  // must take the padding off again.
  const topo::Topology t = topo::build_leaf_spine(test::tiny_leaf_spine());
  for (const SimgridMode mode : {SimgridMode::MaxMin, SimgridMode::LatencyFirst}) {
    INFO(sim::simgrid::model_name(mode));
    CHECK(std::abs(simulate(t, flows(4, {{0, 1}}, 1_MiB), "ecmp", mode).makespan.ps - 85'886'080) <=
          1);
    CHECK(std::abs(simulate(t, flows(4, {{0, 2}}, 1_MiB), "ecmp", mode).makespan.ps - 87'886'080) <=
          1);
  }
}

TEST_CASE("sim::simgrid: flows on routes of different lengths share a link equally") {
  // 0 -> 1 (2 links) and 0 -> 2 (4 links) share host 0's 100 Gb/s NIC. Max-min gives each
  // 50 Gb/s, so both drain 1 MiB at 2 * 83.88608 = 167.77216 us and arrive 2 us and 4 us
  // later: 169.77216 us and 171.77216 us. SimGrid's default weighting by route latency
  // would give the short route 2/3 of the NIC and finish it at 127.8 us.
  const topo::Topology t = topo::build_leaf_spine(test::tiny_leaf_spine());
  const sim::RunResult r = simulate(t, flows(4, {{0, 1}, {0, 2}}, 1_MiB), "ecmp");
  CHECK(std::abs(r.nodes[0].finish.ps - 169'772'160) <= 1);
  CHECK(std::abs(r.nodes[1].finish.ps - 171'772'160) <= 1);
}

TEST_CASE("sim::simgrid: the paths of an ideal flow together claim one flow's share") {
  // 0 -> 2 under ideal splits over 2 spines (two transfers of weight 1/2); 0 -> 1 stays on
  // its leaf. They share host 0's NIC, so each flow gets 50 Gb/s as in the fluid model, not
  // 2/3 for the split flow. Times as in the test above.
  const topo::Topology t = topo::build_leaf_spine(test::tiny_leaf_spine());
  const Workload w = flows(4, {{0, 1}, {0, 2}}, 1_MiB);
  const sim::RunResult r = simulate(t, w, "ideal");
  CHECK(std::abs(r.nodes[0].finish.ps - 169'772'160) <= 1);
  CHECK(std::abs(r.nodes[1].finish.ps - 171'772'160) <= 1);
  CHECK(r.nodes[1].subflows == 1);  // one fractional subflow in the PathSet
}

TEST_CASE("sim::simgrid: compute tasks take their duration and run side by side on a GPU") {
  // Two 10 us tasks on GPU 0 start together (a GPU host has one core per task) and end at
  // 10 us; a 1 MiB flow 0 -> 1 after both drains 83.88608 us and arrives 2 us later:
  // 10 + 85.88608 = 95.88608 us. A third task on GPU 1 after the flow ends 5 us later.
  const topo::Topology t = topo::build_leaf_spine(test::tiny_leaf_spine());
  Workload w(4);
  const uint32_t tag = w.add_tag({"test", "", -1, -1});
  const uint32_t a = w.add_compute(0, 10_us, tag);
  const uint32_t b = w.add_compute(0, 10_us, tag);
  const uint32_t f = w.add_flow(0, 1, 1_MiB, tag);
  const uint32_t c = w.add_compute(1, 5_us, tag);
  w.add_dependency(a, f);
  w.add_dependency(b, f);
  w.add_dependency(f, c);
  w.finalize();
  const sim::RunResult r = simulate(t, w, "ecmp");
  CHECK(r.nodes[a].finish == 10_us);
  CHECK(r.nodes[b].finish == 10_us);
  CHECK(r.nodes[f].start == 10_us);
  CHECK(std::abs(r.nodes[f].finish.ps - 95'886'080) <= 1);
  CHECK(std::abs(r.nodes[c].finish.ps - 100'886'080) <= 1);
}

TEST_CASE("sim::simgrid: runs following each other in one process do not disturb each other") {
  // As in a sweep: several SimGrid runs in one process. SimGrid 3.32 keeps its clock across
  // Engines (a second run in-process would start at the first one's end), so each run must
  // get a fresh process: the same run before and after another gives the same times.
  const topo::Topology t = topo::build_leaf_spine(test::nonblocking(4, 2, 4));
  const Workload lone = flows(t.num_hosts(), {{0, 1}}, 1_MiB);
  const Workload a2a = workload::all_to_all(t.num_hosts(), 256_KiB);
  const sim::RunResult first = simulate(t, lone, "ecmp");
  const sim::RunResult other = simulate(t, a2a, "ideal");
  const sim::RunResult again = simulate(t, lone, "ecmp");
  CHECK(std::abs(first.makespan.ps - 85'886'080) <= 1);
  CHECK(again.makespan == first.makespan);
  CHECK(again.nodes[0].start == TimePs{0});
  // The all-to-all in between: every host's NIC carries 15 flows of 256 KiB at 100 Gb/s,
  // 15 * 8 * 262144 / 100e9 s = 314.57280 us, plus 4 us for the last inter-leaf arrivals.
  CHECK(std::abs(other.makespan.ps - 318'572'800) <= 2);
}

TEST_CASE("sim::simgrid: model names parse and bad ones are one-line input errors") {
  const sim::ModelRegistry models = sim::simgrid::all_models();
  CHECK(models.make("simgrid")->name() == "simgrid");
  CHECK(models.make("simgrid:CM02")->name() == "simgrid");
  CHECK(models.make("simgrid:latency-first")->name() == "simgrid:latency-first");
  CHECK(models.make("simgrid:LV08")->name() == "simgrid:LV08");
  SECTION("an unknown SimGrid model") {
    REQUIRE_THROWS_AS(models.make("simgrid:ns-3"), InputError);
  }
  SECTION("a misspelt name") {
    REQUIRE_THROWS_AS(models.make("simgridd"), InputError);
  }
  SECTION("the built-in registry alone has no simgrid") {
    REQUIRE_THROWS_AS(sim::builtin_models().make("simgrid"), InputError);
  }
}
