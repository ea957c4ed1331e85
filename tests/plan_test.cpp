// The `plan` path policy: on a 2-tier leaf-spine its single-path assignment reaches the ideal
// (per-hop equal split) maximum fabric-link load, splitting no flow when sizes are equal and
// the leaf degree allows it, and only a few otherwise; every subflow is a least-cost path.
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <catch2/catch.hpp>

#include "sim/core/error.hpp"
#include "sim/core/rng.hpp"
#include "sim/paths.hpp"
#include "sim/plan.hpp"
#include "tests/fixtures.hpp"
#include "topologies/routing.hpp"
#include "workloads/collectives.hpp"

using namespace moesim;

namespace {

sim::PathSet plan(const topo::Routing& r, const Workload& w) {
  return sim::assign_paths(r, w, sim::parse_transport("plan"), 1);
}

// Largest bytes on a link, over the links of kind `kind` or over all links.
double max_load(const topo::Topology& t, const sim::PathSet& p, const topo::LinkKind* kind) {
  const std::vector<double> bytes = sim::link_bytes(p, t.num_links());
  double m = 0;
  for (uint32_t l = 0; l < t.num_links(); ++l) {
    if (kind == nullptr || t.link(l).kind == *kind) m = std::max(m, bytes[l]);
  }
  return m;
}

double max_fabric_load(const topo::Topology& t, const sim::PathSet& p) {
  const topo::LinkKind fabric = topo::LinkKind::Fabric;
  return max_load(t, p, &fabric);
}

double max_any_load(const topo::Topology& t, const sim::PathSet& p) {
  return max_load(t, p, nullptr);
}

sim::PathSet ideal(const topo::Routing& r, const Workload& w) {
  return sim::assign_paths(r, w, sim::parse_transport("ideal"), 1);
}

// Distinct flows crossing each directed link.
std::vector<std::set<uint32_t>> flows_per_link(const topo::Topology& t, const sim::PathSet& p) {
  std::vector<std::set<uint32_t>> flows(t.num_links());
  for (uint32_t s = 0; s < p.num_subflows(); ++s) {
    for (uint32_t l : p.sub_links(s))
      flows[l].insert(p.owner[s]);
  }
  return flows;
}

// Every flow's subflows are non-empty least-cost paths from its source host to its
// destination host with coefficient 1, their bytes add up to its size, and the latency is the
// sum of the links'.
void check_paths(const topo::Routing& r, const Workload& w, const sim::PathSet& p) {
  const topo::Topology& t = r.topology();
  REQUIRE(p.node_begin.size() == w.size() + 1);
  for (uint32_t n = 0; n < w.size(); ++n) {
    const DagNode& d = w.node(n);
    uint64_t sum = 0;
    for (uint32_t s = p.node_begin[n]; s < p.node_begin[n + 1]; ++s) {
      INFO("node " << n << " subflow " << s);
      CHECK(p.owner[s] == n);
      CHECK(p.bytes[s] > 0);
      sum += p.bytes[s];
      const auto links = p.sub_links(s);
      REQUIRE(!links.empty());
      CHECK(t.link(links.front()).from == t.host_vertex(d.src));
      CHECK(t.link(links.back()).to == t.host_vertex(d.dst));
      uint64_t cost = 0;
      TimePs latency;
      for (size_t i = 0; i < links.size(); ++i) {
        if (i > 0) CHECK(t.link(links[i - 1]).to == t.link(links[i]).from);
        cost += static_cast<uint64_t>(t.link(links[i]).latency.ps) + 1;  // routing's link cost
        latency += t.link(links[i]).latency;
      }
      CHECK(cost == r.cost(t.host_vertex(d.src), d.dst));
      CHECK(p.latency[s] == latency);
      for (double c : p.sub_coefs(s))
        CHECK(c == 1.0);
    }
    CHECK(sum == d.size.count);
  }
}

}  // namespace

TEST_CASE("sim::plan: permutations on a 1:1 leaf-spine are planned whole at the ideal maximum",
          "[plan]") {
  // Hosts per leaf = spines, so a leaf sends and receives at most S inter-leaf flows of equal
  // size g: König's theorem colours them with S spines, one flow per fabric link, nothing
  // split. Every host sends and receives exactly g, so under both plan and ideal the busiest
  // link carries g (a NIC; fabric links carry at most g under plan).
  for (const auto& shape : {test::nonblocking(4, 4, 4), test::nonblocking(8, 4, 4)}) {
    const topo::Topology t = topo::build_leaf_spine(shape);
    const topo::Routing r(t);
    for (uint64_t seed = 1; seed <= 5; ++seed) {
      Rng rng = make_stream(seed, "workload");
      const Workload w = workload::permutation(t.num_hosts(), 1_MiB, rng);
      const sim::PathSet p = plan(r, w);
      INFO(t.description() << " seed " << seed);
      check_paths(r, w, p);
      CHECK(sim::num_split_flows(p) == 0);
      CHECK(max_any_load(t, p) == Approx(max_any_load(t, ideal(r, w))).margin(1));
      CHECK(max_any_load(t, p) == Approx(static_cast<double>((1_MiB).count)));
      const auto flows = flows_per_link(t, p);
      for (uint32_t l = 0; l < t.num_links(); ++l) {
        if (t.link(l).kind == topo::LinkKind::Fabric) CHECK(flows[l].size() <= 1);
      }
    }
  }
}

TEST_CASE("sim::plan: all-to-all on a 1:1 leaf-spine reaches the ideal maximum unsplit", "[plan]") {
  // 4 leaves x 4 spines x 4 hosts, 1 MiB per pair: a leaf sends 4 hosts x 12 remote hosts =
  // 48 MiB across the fabric, 16 MiB to each other leaf. Ideal puts 48/4 = 12 MiB on every
  // uplink and downlink; plan's per-spine budget is the same 12 MiB, every cut of the
  // Birkhoff-von Neumann time axis falls on a whole MiB, so no flow is split. NICs carry
  // 15 MiB under both. With 8 leaves: 4 x 28 = 112 MiB per leaf, 28 MiB per fabric link,
  // 31 MiB per NIC.
  const struct {
    topo::LeafSpineParams shape;
    double fabric_mib, nic_mib;
  } cases[] = {{test::nonblocking(4, 4, 4), 12, 15}, {test::nonblocking(8, 4, 4), 28, 31}};
  for (const auto& c : cases) {
    const topo::Topology t = topo::build_leaf_spine(c.shape);
    const topo::Routing r(t);
    const Workload w = workload::all_to_all(t.num_hosts(), 1_MiB);
    const sim::PathSet p = plan(r, w);
    const sim::PathSet q = ideal(r, w);
    INFO(t.description());
    check_paths(r, w, p);
    CHECK(sim::num_split_flows(p) == 0);
    const double mib = static_cast<double>((1_MiB).count);
    CHECK(max_fabric_load(t, p) == Approx(c.fabric_mib * mib).margin(1));
    CHECK(max_fabric_load(t, q) == Approx(c.fabric_mib * mib).margin(1));
    CHECK(max_any_load(t, p) == Approx(c.nic_mib * mib).margin(1));
    CHECK(max_any_load(t, p) == Approx(max_any_load(t, q)).margin(1));
  }
}

TEST_CASE("sim::plan: a random all-to-allv reaches the ideal maximum fabric load", "[plan]") {
  // 8 leaves x 4 spines x 4 hosts; pair sizes uniform in 1 B .. 1 MiB, a quarter of them 0.
  // The busiest leaf sends or receives T0 bytes over S = 4 links, so ideal's busiest fabric
  // link carries T0/4 and no assignment can do better; plan's budget is ceil(T0/4): the two
  // agree within a byte. A leaf pair pours the flows that fit no spine whole over its spines'
  // leftovers in spine order, so each leaf pair adds at most (spines it uses - 1) subflows
  // beyond one per flow, and a flow is split only there.
  const topo::Topology t = topo::build_leaf_spine(test::nonblocking(8, 4, 4));
  const topo::Routing r(t);
  const uint32_t n = t.num_hosts(), hosts_per_leaf = 4;
  uint32_t total_splits = 0;
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    Rng rng = make_stream(seed, "workload");
    workload::TrafficMatrix tm = workload::TrafficMatrix::Zero(n, n);
    for (uint32_t i = 0; i < n; ++i) {
      for (uint32_t j = 0; j < n; ++j) {
        if (i != j && rng.below(4) != 0) tm(i, j) = 1 + rng.below((1_MiB).count);
      }
    }
    const Workload w = workload::all_to_allv(tm);
    const sim::PathSet p = plan(r, w);
    INFO("seed " << seed);
    check_paths(r, w, p);
    const double want = max_fabric_load(t, ideal(r, w));
    CHECK(max_fabric_load(t, p) >= want - 1e-6 * want);
    CHECK(max_fabric_load(t, p) <= want + 1);

    // Leaf pair -> spines its subflows use; count the subflows beyond one per flow.
    std::vector<std::set<uint32_t>> spines(64);
    uint64_t extra = 0;
    for (uint32_t f = 0; f < w.size(); ++f) {
      extra += p.node_begin[f + 1] - p.node_begin[f] - 1;
      const uint32_t a = w.node(f).src / hosts_per_leaf, b = w.node(f).dst / hosts_per_leaf;
      for (uint32_t s = p.node_begin[f]; s < p.node_begin[f + 1]; ++s) {
        if (a != b) spines[a * 8 + b].insert(p.sub_links(s)[1]);
      }
    }
    uint64_t bound = 0;
    for (const auto& used : spines)
      bound += used.empty() ? 0 : used.size() - 1;
    CHECK(extra <= bound);
    CHECK(bound <= 56 * 3);  // 56 leaf pairs, at most 4 spines each
    const uint32_t splits = sim::num_split_flows(p);
    CHECK(splits <= extra);
    total_splits += splits;
  }
  // Random sizes almost never fill a spine's share exactly: some flows must be split.
  CHECK(total_splits > 0);
}

TEST_CASE("sim::plan: equal flows with a leaf degree above the spines split minimally", "[plan]") {
  // 4 leaves x 2 spines x 3 hosts, all-to-all of 1 MiB: a leaf sends 3 x 9 = 27 MiB, 9 MiB to
  // each other leaf. Ideal: 27/2 = 13.5 MiB per fabric link, and plan's budget is the same.
  // Unsplit flows would put 14 MiB on some uplink of every leaf, so every leaf must split at
  // least one of its flows: at least 4 splits. The decomposition is 3 matchings of 9 MiB
  // (every entry is 9 MiB); the spine boundary at 13.5 MiB cuts the second one in half, so
  // its 4 leaf pairs get 4.5 MiB on each spine: 4 whole flows on each and one split flow.
  topo::LeafSpineParams shape = test::nonblocking(4, 2, 3);
  const topo::Topology t = topo::build_leaf_spine(shape);
  const topo::Routing r(t);
  const Workload w = workload::all_to_all(t.num_hosts(), 1_MiB);
  const sim::PathSet p = plan(r, w);
  check_paths(r, w, p);
  const double mib = static_cast<double>((1_MiB).count);
  CHECK(max_fabric_load(t, ideal(r, w)) == Approx(13.5 * mib));
  CHECK(max_fabric_load(t, p) == Approx(13.5 * mib).margin(1));
  CHECK(sim::num_split_flows(p) == 4);
  CHECK(p.num_subflows() == w.num_flows() + 4);
}

TEST_CASE("sim::plan: intra-server flows stay on NVLink unsplit", "[plan]") {
  // 4 leaves x 4 spines x 4 GPUs per leaf in servers of 2: GPU pairs of a server talk over
  // their NVSwitch (2 NVLink hops, 50 ns, cheaper than 2 us through the leaf), other pairs of
  // a leaf over the leaf, and inter-leaf pairs from NIC to NIC through one spine. The fabric
  // sees the same 48 MiB per leaf as without NVLink: 12 MiB per link, nothing split.
  topo::LeafSpineParams shape = test::nonblocking(4, 4, 4);
  shape.gpus_per_server = 2;
  const topo::Topology t = topo::build_leaf_spine(shape);
  const topo::Routing r(t);
  const Workload w = workload::all_to_all(t.num_hosts(), 1_MiB);
  const sim::PathSet p = plan(r, w);
  check_paths(r, w, p);
  CHECK(sim::num_split_flows(p) == 0);
  CHECK(max_fabric_load(t, p) == Approx(max_fabric_load(t, ideal(r, w))).margin(1));
  uint32_t nvlink_flows = 0;
  for (uint32_t f = 0; f < w.size(); ++f) {
    const DagNode& d = w.node(f);
    const uint32_t s = p.node_begin[f];
    const auto links = p.sub_links(s);
    INFO(d.src << " -> " << d.dst);
    if (d.src / 2 == d.dst / 2) {
      ++nvlink_flows;
      REQUIRE(links.size() == 2);
      CHECK(t.link(links[0]).kind == topo::LinkKind::NvLink);
      CHECK(t.link(links[1]).kind == topo::LinkKind::NvLink);
    } else {
      CHECK(t.link(links.front()).kind == topo::LinkKind::HostLink);
      CHECK(t.link(links.back()).kind == topo::LinkKind::HostLink);
      CHECK(links.size() == (d.src / 4 == d.dst / 4 ? 2u : 4u));
    }
  }
  CHECK(nvlink_flows == 16);  // 8 servers x 2 ordered pairs
}

TEST_CASE("sim::plan: a topology that is not a leaf-spine is rejected", "[plan]") {
  // One leaf without spines: nothing to colour with.
  topo::LeafSpineParams one_leaf = test::tiny_leaf_spine();
  one_leaf.leaves = 1;
  one_leaf.spines = 0;
  const topo::Topology single = topo::build_leaf_spine(one_leaf);
  const topo::Routing r1(single);
  const Workload w1 = workload::all_to_all(single.num_hosts(), 1_MiB);
  CHECK_THROWS_AS(plan(r1, w1), InputError);
  CHECK_THROWS_WITH(plan(r1, w1),
                    Catch::Contains("--transport plan: needs a 2-tier leaf-spine topology") &&
                        Catch::Contains("has no spine switches"));

  // Two leaves, two spines, but leaf 1 reaches only spine 0.
  topo::Topology t("custom");
  const auto h0 = t.add_vertex(topo::VertexKind::Host, "h0");
  const auto h1 = t.add_vertex(topo::VertexKind::Host, "h1");
  const auto l0 = t.add_vertex(topo::VertexKind::Leaf, "l0");
  const auto l1 = t.add_vertex(topo::VertexKind::Leaf, "l1");
  const auto s0 = t.add_vertex(topo::VertexKind::Spine, "s0");
  const auto s1 = t.add_vertex(topo::VertexKind::Spine, "s1");
  const auto link = [&](topo::Vertex a, topo::Vertex b, topo::LinkKind k) {
    t.add_link(a, b, k, 100_Gbps, 1_us, 1_MiB);
  };
  link(h0, l0, topo::LinkKind::HostLink);
  link(h1, l1, topo::LinkKind::HostLink);
  link(l0, s0, topo::LinkKind::Fabric);
  link(l0, s1, topo::LinkKind::Fabric);
  link(l1, s0, topo::LinkKind::Fabric);
  const topo::Routing r2(t);
  const Workload w2 = workload::all_to_all(2, 1_MiB);
  CHECK_THROWS_WITH(plan(r2, w2), Catch::Contains("'custom' has no link between l1 and s1"));

  // Mending that with a host link to the spine is no better: host links end at leaves.
  link(h1, s1, topo::LinkKind::HostLink);
  const topo::Routing r3(t);
  CHECK_THROWS_WITH(plan(r3, w2),
                    Catch::Contains("'custom' has a host link h1->s1 joining a host and a spine"));
}

TEST_CASE("sim::plan: each step of a ring all-reduce is planned as its own wave", "[plan]") {
  // 16 hosts on 4 leaves x 4 spines, 16 MiB: 30 dependent steps of 1 MiB chunks. In a step
  // only host 4a+3 -> host 4a+4 crosses the fabric, so each leaf sends and receives one flow:
  // nothing to split. Planned as one wave, a leaf would send 30 flows over 4 spines (7.5 MiB
  // each), which forces splits.
  const topo::Topology t = topo::build_leaf_spine(test::nonblocking(4, 4, 4));
  const topo::Routing r(t);
  const Workload w = workload::ring_allreduce(t.num_hosts(), 16_MiB);
  const sim::PathSet p = plan(r, w);
  check_paths(r, w, p);
  CHECK(sim::num_split_flows(p) == 0);
  CHECK(p.num_subflows() == w.num_flows());
}

TEST_CASE("sim::plan: two calls give identical path sets", "[plan]") {
  const topo::Topology t = topo::build_leaf_spine(test::nonblocking(8, 4, 4));
  const topo::Routing r(t);
  Rng rng = make_stream(7, "workload");
  workload::TrafficMatrix tm = workload::TrafficMatrix::Zero(t.num_hosts(), t.num_hosts());
  for (uint32_t i = 0; i < t.num_hosts(); ++i) {
    for (uint32_t j = 0; j < t.num_hosts(); ++j) {
      if (i != j) tm(i, j) = 1 + rng.below((1_MiB).count);
    }
  }
  const Workload w = workload::all_to_allv(tm);
  const sim::PathSet a = sim::plan_paths(r, w);
  const sim::PathSet b = sim::plan_paths(r, w);
  CHECK(a.node_begin == b.node_begin);
  CHECK(a.link_begin == b.link_begin);
  CHECK(a.links == b.links);
  CHECK(a.coefs == b.coefs);
  CHECK(a.bytes == b.bytes);
  CHECK(a.latency == b.latency);
  CHECK(a.owner == b.owner);
  CHECK(plan(r, w).transport.policy == sim::PathPolicy::Plan);
}

TEST_CASE("sim::plan: an all-to-all on a 2:1 leaf-spine gives every spine the same mix", "[plan]") {
  // 4 leaves x 4 spines x 8 hosts, fabric links at the host rate: 8 NICs over 4 uplinks, 2:1.
  // A leaf pair has 8 x 8 = 64 flows of g = 1 MiB; a leaf sends 3 x 64 g = 192 g, so ideal
  // puts T0/S = 48 g on every fabric link, 16 g from each leaf pair. Dealt out evenly, each
  // pair puts 64/4 = 16 flows on every spine (remainder 0, nothing split), so a spine's
  // downlink to a leaf carries 16 flows from each of the 3 other leaves; in diagonal order each
  // run of 16 is 2 diagonals, so every host sends 2 of its 8 flows to a leaf on each spine.
  // (The matchings alone laid 48 flows of one leaf on spine 0's downlink, 16 + 32 from two
  // leaves on spine 1's, and one host's 8 flows to a leaf on one spine: 10-27 % slower in the
  // packet model, README.)
  topo::LeafSpineParams shape = test::nonblocking(4, 4, 8);
  shape.fabric_rate = shape.host_rate;
  const topo::Topology t = topo::build_leaf_spine(shape);
  const topo::Routing r(t);
  const Workload w = workload::all_to_all(t.num_hosts(), 1_MiB);
  const sim::PathSet p = plan(r, w);
  check_paths(r, w, p);
  CHECK(sim::num_split_flows(p) == 0);
  const double mib = static_cast<double>((1_MiB).count);
  CHECK(max_fabric_load(t, p) == Approx(48 * mib));
  // flows[downlink][source leaf], sent[source host][destination leaf][uplink]
  std::map<uint32_t, std::map<uint32_t, uint32_t>> flows;
  std::map<std::tuple<uint32_t, uint32_t, uint32_t>, uint32_t> sent;
  for (uint32_t f = 0; f < w.size(); ++f) {
    const DagNode& d = w.node(f);
    const auto links = p.sub_links(p.node_begin[f]);
    if (d.src / 8 == d.dst / 8) continue;
    ++flows[links[2]][d.src / 8];
    ++sent[{d.src, d.dst / 8, links[1]}];
  }
  CHECK(flows.size() == 16);  // 4 spines x 4 leaves
  for (const auto& [downlink, by_leaf] : flows) {
    INFO(t.link_name(downlink));
    CHECK(by_leaf.size() == 3);
    for (const auto& [leaf, count] : by_leaf)
      CHECK(count == 16);
  }
  CHECK(sent.size() == 32 * 3 * 4);  // every host reaches every other leaf on every spine
  for (const auto& [key, count] : sent)
    CHECK(count == 2);
}
