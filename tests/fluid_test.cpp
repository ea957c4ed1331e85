// The analytic and fluid models on leaf-spines: closed-form completion times, orderings that
// must hold between transports and models, conservation of bytes, and determinism.
#include <algorithm>
#include <cmath>
#include <sstream>

#include <catch2/catch.hpp>

#include "sim/model.hpp"
#include "tests/fixtures.hpp"
#include "topologies/file_import.hpp"
#include "topologies/rail.hpp"
#include "topologies/routing.hpp"
#include "workloads/collectives.hpp"

using namespace moesim;

namespace {

sim::RunResult simulate(const topo::Topology& t, const Workload& w, const std::string& transport,
                        const std::string& model, uint64_t seed = 1) {
  const topo::Routing r(t);
  const sim::PathSet p = sim::assign_paths(r, w, sim::parse_transport(transport), seed);
  return sim::make_model(model)->run(r, w, p);
}

}  // namespace

TEST_CASE("sim::fluid: a lone flow finishes at its drain time plus path latency") {
  // Host 0 -> host 1 under the same leaf: 2 links of 100 Gb/s and 1 us each.
  // 1 MiB drains in 8 * 1048576 / 100e9 s = 83.88608 us, then 2 us of propagation: 85.88608 us.
  const topo::Topology t = topo::build_leaf_spine(test::tiny_leaf_spine());
  Workload w(t.num_hosts());
  w.add_flow(0, 1, 1_MiB, w.add_tag({"test", "", -1, -1}));
  w.finalize();
  const sim::RunResult r = simulate(t, w, "ecmp", "fluid");
  CHECK(r.makespan == TimePs{85'886'080});
}

TEST_CASE("sim::fluid: uniform all-to-all under ideal completes at the NIC bound plus latency") {
  // 4 leaves x 4 hosts, 2 spines at 2 x 100 Gb/s (1:1). Every host sends n-1 = 15 flows of
  // 1 MiB through its one 100 Gb/s NIC and receives as many. Under ideal multipath every
  // uplink carries 4 hosts' inter-leaf bytes (4 * 12 MiB) over 2 spines at 200 Gb/s, i.e. less
  // than the NIC per unit of capacity (12/15), so the NICs are the bottleneck: every flow gets
  // 100/15 Gb/s and all drain together at 15 * 8 * 1048576 / 100e9 s = 1258.2912 us. The last
  // arrivals come over 4 links of 1 us: CCT = 1262.2912 us.
  const topo::Topology t = topo::build_leaf_spine(test::nonblocking(4, 2, 4));
  const Workload w = workload::all_to_all(t.num_hosts(), 1_MiB);
  const sim::RunResult r = simulate(t, w, "ideal", "fluid");
  CHECK(r.makespan.ps == Approx(1'262'291'200).epsilon(1e-9));
  // The analytic link bound is the drain time alone.
  CHECK(r.link_bound_s == Approx(1258.2912e-6).epsilon(1e-12));
}

TEST_CASE("sim::fluid: a ring all-reduce on one leaf takes 2(n-1) steps of chunk time") {
  // 4 hosts on one leaf, 100 Gb/s, 1 us links. Each step every host sends one chunk of
  // 4 MiB / 4 = 1 MiB to its neighbour over disjoint links: 83.88608 us to drain plus 2 us
  // to arrive. A step starts when the previous chunk arrived: 2(n-1) = 6 steps in series,
  // CCT = 6 * 85.88608 us = 515.31648 us.
  topo::LeafSpineParams p = test::tiny_leaf_spine();
  p.leaves = 1;
  p.hosts_per_leaf = 4;
  const topo::Topology t = topo::build_leaf_spine(p);
  const Workload w = workload::ring_allreduce(4, 4_MiB);
  const sim::RunResult r = simulate(t, w, "ecmp", "fluid");
  CHECK(r.makespan == TimePs{6 * 85'886'080});
}

TEST_CASE("sim::analytic: equals fluid on a ring whose flows never share a link") {
  // 2 leaves x 2 hosts, 2 spines, 100 Gb/s, 1 us links; ring 0 -> 1 -> 2 -> 3 -> 0 with a
  // 4 MiB buffer: 1 MiB chunks. In every step the two intra-leaf flows and the two cross-leaf
  // flows (1 -> 2 and 3 -> 0, opposite directions) use disjoint links, so each flow runs
  // alone: the critical path is exact. Under split:2 a cross-leaf flow's two 512 KiB subflows
  // still share the sender's NIC, so it drains in 8 * 1048576 / 100e9 s = 83.88608 us like
  // an unsplit one. An intra-leaf flow arrives after 2 links (85.88608 us), a cross-leaf one
  // after 4 (87.88608 us). A host's next send waits for the chunk from its predecessor, and
  // around the ring the hops alternate intra, cross, intra, ...: every chain of 2(n-1) = 6
  // steps has 3 of each, 3 * 85.88608 + 3 * 87.88608 = 521.31648 us.
  const topo::Topology t = topo::build_leaf_spine(test::tiny_leaf_spine());
  const Workload w = workload::ring_allreduce(4, 4_MiB);
  for (const std::string transport : {"ecmp", "split:2"}) {
    INFO(transport);
    CHECK(simulate(t, w, transport, "fluid").makespan == TimePs{521'316'480});
    CHECK(simulate(t, w, transport, "analytic").makespan == TimePs{521'316'480});
  }
}

TEST_CASE("sim::fluid: ecmp is never faster than ideal") {
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    for (const auto& shape : {test::nonblocking(4, 4, 4), test::nonblocking(8, 4, 8)}) {
      const topo::Topology t = topo::build_leaf_spine(shape);
      Rng rng = make_stream(seed, "workload");
      for (const Workload& w : {workload::all_to_all(t.num_hosts(), 256_KiB),
                                workload::permutation(t.num_hosts(), 1_MiB, rng)}) {
        const auto ecmp = simulate(t, w, "ecmp", "fluid", seed);
        const auto ideal = simulate(t, w, "ideal", "fluid", seed);
        INFO("seed " << seed << " hosts " << t.num_hosts());
        CHECK(ecmp.makespan >= ideal.makespan);
      }
    }
  }
}

TEST_CASE("sim::analytic: the bound never exceeds the fluid completion time") {
  const topo::Topology t = topo::build_leaf_spine(test::nonblocking(4, 2, 4));
  const uint32_t n = t.num_hosts();
  Rng rng = make_stream(3, "workload");
  const std::vector<Workload> workloads = {
      workload::all_to_all(n, 64_KiB),    workload::permutation(n, 1_MiB, rng),
      workload::ring_allreduce(n, 1_MiB), workload::all_gather(n, 1_MiB),
      workload::reduce_scatter(n, 1_MiB), workload::incast(n, 256_KiB, 3)};
  for (const Workload& w : workloads) {
    for (const std::string transport : {"ecmp", "split:2", "ideal"}) {
      const auto bound = simulate(t, w, transport, "analytic");
      const auto fluid = simulate(t, w, transport, "fluid");
      INFO(w.tags().front().collective << " " << transport);
      CHECK(bound.makespan <= fluid.makespan);
      CHECK(bound.link_bound_s == Approx(fluid.link_bound_s));
    }
  }
}

TEST_CASE("sim::paths: bytes are conserved on every link and subflow") {
  // Every byte a host sends crosses its NIC uplink once, whatever the transport; subflows of a
  // flow add up to its size; and summed over links each byte is counted once per hop.
  const topo::Topology t = topo::build_leaf_spine(test::nonblocking(4, 4, 2));
  const topo::Routing r(t);
  Rng rng = make_stream(5, "workload");
  const Workload w = workload::permutation(t.num_hosts(), 3_MiB + 7_B, rng);
  for (const std::string transport : {"ecmp", "split:3", "ideal"}) {
    const sim::PathSet p = sim::assign_paths(r, w, sim::parse_transport(transport), 1);
    const std::vector<double> bytes = sim::link_bytes(p, t.num_links());
    for (uint32_t h = 0; h < t.num_hosts(); ++h) {
      const uint32_t uplink = t.out_links(t.host_vertex(h)).front();
      CHECK(bytes[uplink] == Approx(static_cast<double>((3_MiB + 7_B).count)));
    }
    double total = 0, expect = 0;
    for (uint32_t n = 0; n < w.size(); ++n) {
      uint64_t sum = 0;
      for (uint32_t s = p.node_begin[n]; s < p.node_begin[n + 1]; ++s)
        sum += p.bytes[s];
      CHECK(sum == w.node(n).size.count);
      // 2 hops under one leaf, 4 across leaves (hosts 2i, 2i+1 share leaf i).
      const bool same_leaf = w.node(n).src / 2 == w.node(n).dst / 2;
      expect += static_cast<double>(w.node(n).size.count) * (same_leaf ? 2 : 4);
    }
    for (double b : bytes)
      total += b;
    CHECK(total == Approx(expect));
  }
}

TEST_CASE("sim::paths: split:K places min(K - paths) subflows on distinct spines") {
  const topo::Topology t = topo::build_leaf_spine(test::nonblocking(2, 4, 2));
  const topo::Routing r(t);
  Workload w(t.num_hosts());
  const uint32_t tag = w.add_tag({"test", "", -1, -1});
  const uint32_t across = w.add_flow(0, 2, 1_MiB, tag);  // leaf 0 -> leaf 1: 4 paths
  const uint32_t local = w.add_flow(0, 1, 1_MiB, tag);   // same leaf: 1 path
  w.finalize();
  const sim::PathSet p = sim::assign_paths(r, w, sim::parse_transport("split:3"), 1);
  CHECK(p.node_begin[across + 1] - p.node_begin[across] == 3);
  CHECK(p.node_begin[local + 1] - p.node_begin[local] == 1);
  std::vector<uint32_t> uplinks;  // the second link of each subflow: leaf -> spine
  for (uint32_t s = p.node_begin[across]; s < p.node_begin[across + 1]; ++s) {
    uplinks.push_back(p.sub_links(s)[1]);
  }
  std::sort(uplinks.begin(), uplinks.end());
  CHECK(std::adjacent_find(uplinks.begin(), uplinks.end()) == uplinks.end());
}

TEST_CASE("sim::paths: split:K tops up scarce equal-cost paths with the next-shortest ones") {
  // The graph of a 3 leaves x 2 spines x 1 host leaf-spine read from an edge list, so its
  // switches are flat (no tiers, no up-down structure). host0 -> host1 has 2 equal-cost paths
  // of 4 links (one per spine); the next-shortest simple paths detour through sw_c (host, sw_a,
  // spine a, sw_c, spine b, sw_b, host: 6 links). split:3 therefore takes both 4-link paths and
  // one 6-link detour, each carrying a third of the bytes; ecmp-only enumeration would give 2.
  std::istringstream csv(
      "u,v,rate,latency\n"
      "host0,sw_a,100Gbps,1us\nhost1,sw_b,100Gbps,1us\nhost2,sw_c,100Gbps,1us\n"
      "sw_a,spine0,100Gbps,1us\nsw_a,spine1,100Gbps,1us\nsw_b,spine0,100Gbps,1us\n"
      "sw_b,spine1,100Gbps,1us\nsw_c,spine0,100Gbps,1us\nsw_c,spine1,100Gbps,1us\n");
  const topo::Topology t = topo::read_edge_list(csv, "<string>");
  for (const topo::RouteCost metric : {topo::RouteCost::Latency, topo::RouteCost::Hops}) {
    const topo::Routing r(t, metric);
    Workload w(t.num_hosts());
    const uint32_t f = w.add_flow(0, 1, 3_MiB, w.add_tag({"test", "", -1, -1}));
    w.finalize();
    const sim::PathSet p = sim::assign_paths(r, w, sim::parse_transport("split:3"), 1);
    REQUIRE(p.node_begin[f + 1] - p.node_begin[f] == 3);
    std::vector<size_t> lengths;
    std::vector<std::vector<uint32_t>> distinct;
    for (uint32_t s = p.node_begin[f]; s < p.node_begin[f + 1]; ++s) {
      lengths.push_back(p.sub_links(s).size());
      distinct.emplace_back(p.sub_links(s).begin(), p.sub_links(s).end());
      CHECK(p.bytes[s] == (1_MiB).count);
      // The detour's latency is its 6 links of 1 us; the others 4.
      CHECK(p.latency[s] == TimePs{static_cast<int64_t>(p.sub_links(s).size()) * 1'000'000});
    }
    std::sort(lengths.begin(), lengths.end());
    CHECK(lengths == std::vector<size_t>{4, 4, 6});
    std::sort(distinct.begin(), distinct.end());
    CHECK(std::adjacent_find(distinct.begin(), distinct.end()) == distinct.end());
    CHECK(sim::num_split_flows(p) == 1);
    CHECK(p.split_cap.flows == 0);  // no tiers: nothing capped
  }
}

TEST_CASE("sim::paths: split:K on the same graph built as a leaf-spine stops at its 2 spines") {
  // The builder's leaf-spine has tiers: the 6-link detour above goes down to leaf 2 and back
  // up, a valley, so split:3 keeps the 2 up-down paths, half the bytes each, and the note
  // counts the one flow.
  const topo::Topology t = topo::build_leaf_spine(test::nonblocking(3, 2, 1));
  const topo::Routing r(t);
  Workload w(t.num_hosts());
  const uint32_t f = w.add_flow(0, 1, 3_MiB, w.add_tag({"test", "", -1, -1}));
  w.finalize();
  const sim::PathSet p = sim::assign_paths(r, w, sim::parse_transport("split:3"), 1);
  REQUIRE(p.node_begin[f + 1] - p.node_begin[f] == 2);
  for (uint32_t s = p.node_begin[f]; s < p.node_begin[f + 1]; ++s) {
    CHECK(p.sub_links(s).size() == 4);
    CHECK(p.bytes[s] == (3_MiB).count / 2);
  }
  CHECK(p.split_cap.flows == 1);
  CHECK(p.split_cap.max_paths == 2);
}

TEST_CASE("sim::paths: split:K keeps an NVLink-only pair on NVLink") {
  // Rail-optimised: 2 servers x 2 GPUs, 2 spines. GPU pairs of one server meet over their
  // NvSwitch (2 NVLink links); a network detour exists (GPU, rail leaf, spine, other rail leaf,
  // GPU) but the scale-up pair is not split onto it. Pairs across servers use the network and
  // are split as far as paths exist.
  topo::RailParams rp;
  rp.servers = 2;
  rp.gpus_per_server = 2;
  rp.spines = 2;
  const topo::Topology t = topo::build_rail(rp);
  const topo::Routing r(t);
  const Workload w = workload::all_to_all(t.num_hosts(), 1_MiB);
  const sim::PathSet p = sim::assign_paths(r, w, sim::parse_transport("split:4"), 1);
  uint32_t nvlink_pairs = 0;
  for (uint32_t n = 0; n < w.size(); ++n) {
    if (w.node(n).kind != NodeKind::Flow) continue;
    const auto first = p.sub_links(p.node_begin[n]);
    const bool nvlink = std::all_of(first.begin(), first.end(), [&](uint32_t l) {
      return t.link(l).kind == topo::LinkKind::NvLink;
    });
    if (!nvlink) continue;
    ++nvlink_pairs;
    CHECK(p.node_begin[n + 1] - p.node_begin[n] == 1);
  }
  CHECK(nvlink_pairs == 4);  // 2 servers x 2 ordered GPU pairs
}

TEST_CASE("sim::fluid: the same seed gives the same flow times") {
  const topo::Topology t = topo::build_leaf_spine(test::nonblocking(4, 4, 4));
  const Workload w = workload::all_to_all(t.num_hosts(), 100_KiB);
  const auto a = simulate(t, w, "ecmp", "fluid", 9);
  const auto b = simulate(t, w, "ecmp", "fluid", 9);
  REQUIRE(a.nodes.size() == b.nodes.size());
  for (size_t n = 0; n < a.nodes.size(); ++n) {
    REQUIRE(a.nodes[n].start == b.nodes[n].start);
    REQUIRE(a.nodes[n].finish == b.nodes[n].finish);
  }
}
