// Contract tests over every registered entry: each network model (the built-in ones and
// SimGrid) under every path policy it supports, on a tiny leaf-spine, must conserve bytes,
// respect dependencies and the link bound, and repeat itself exactly for the same seed. A new
// model or path policy joins these tests by registering, with no test to write.
#include <set>

#include <catch2/catch.hpp>

#include "sim/model.hpp"
#include "sim/paths.hpp"
#include "sim/simgrid/simgrid_model.hpp"
#include "sim/transport.hpp"
#include "tests/fixtures.hpp"
#include "topologies/routing.hpp"
#include "workloads/collectives.hpp"

using namespace moesim;

namespace {

// A transport of every registered path policy (split at its smallest K).
std::vector<sim::Transport> every_transport() {
  std::vector<sim::Transport> out;
  for (const sim::PathPolicyEntry* e : sim::path_policy_registry()) {
    const std::string name =
        e->k_max > 0 ? std::string(e->name) + ":" + std::to_string(e->k_min) : e->name;
    out.push_back(sim::parse_transport(name));
  }
  return out;
}

void check_run(const topo::Topology& t, const Workload& w, const sim::RunResult& r) {
  // Every node ran, and no node started before its predecessors finished (causality).
  REQUIRE(r.nodes.size() == w.size());
  for (uint32_t n = 0; n < w.size(); ++n) {
    CHECK(r.nodes[n].finish >= r.nodes[n].start);
    for (const uint32_t s : w.successors(n))
      CHECK(r.nodes[s].start >= r.nodes[n].finish);
  }
  // Bytes are conserved: every host's uplink carries exactly the bytes of the flows it sends
  // (all flows leave through the one NIC link; no NVLink here), and the per-tag records add
  // up to the workload's bytes.
  std::vector<double> sent(t.num_hosts(), 0);
  double total = 0;
  for (uint32_t n = 0; n < w.size(); ++n) {
    if (w.node(n).kind != NodeKind::Flow) continue;
    sent[w.node(n).src] += static_cast<double>(w.node(n).size.count);
    total += static_cast<double>(w.node(n).size.count);
  }
  for (uint32_t h = 0; h < t.num_hosts(); ++h) {
    const uint32_t up = t.out_links(t.host_vertex(h))[0];
    CHECK(r.links[up].bytes == Approx(sent[h]).epsilon(1e-12));
    // The packet model puts every payload byte on the wire at least once (plus headers).
    if (r.links[up].wire_bytes > 0) CHECK(r.links[up].wire_bytes >= sent[h]);
  }
  double tagged = 0;
  for (const sim::TagRecord& tag : r.tags)
    tagged += static_cast<double>(tag.bytes);
  CHECK(tagged == total);
  // No model beats the busiest link: bytes / rate is a lower bound on the completion time.
  CHECK(r.makespan.seconds() >= r.link_bound_s * (1 - 1e-9));
}

}  // namespace

TEST_CASE("contract: every model x every path policy it supports on a tiny leaf-spine") {
  const topo::Topology t = topo::build_leaf_spine(test::tiny_leaf_spine());
  const topo::Routing routing(t);
  // An all-to-all (independent flows) and a ring all-reduce (chains of dependent steps).
  for (const char* kind : {"all-to-all", "ring-allreduce"}) {
    workload::CollectiveSpec spec;
    spec.kind = kind;
    spec.num_hosts = t.num_hosts();
    spec.size = 64_KiB;
    const Workload w = workload::make_collective(spec);
    const sim::ModelRegistry models = sim::simgrid::all_models();
    for (const sim::ModelEntry& entry : models.entries()) {
      const auto model = models.make(entry.name);
      for (const sim::Transport& tr : every_transport()) {
        if (!model->supports(tr)) continue;
        DYNAMIC_SECTION(kind << " on " << entry.name << " under " << sim::to_string(tr)) {
          const sim::PathSet paths = sim::assign_paths(routing, w, tr, 1);
          const sim::RunResult a = model->run(routing, w, paths);
          check_run(t, w, a);
          // The same inputs and seed give the same result, record for record.
          const sim::RunResult b = model->run(routing, w, sim::assign_paths(routing, w, tr, 1));
          REQUIRE(a.makespan == b.makespan);
          for (uint32_t n = 0; n < w.size(); ++n) {
            CHECK(a.nodes[n].start == b.nodes[n].start);
            CHECK(a.nodes[n].finish == b.nodes[n].finish);
          }
          CHECK(a.events == b.events);
        }
      }
    }
  }
}

TEST_CASE("contract: registry names are unique and parse back") {
  std::set<std::string> names;
  for (const sim::PathPolicyEntry* e : sim::path_policy_registry()) {
    CHECK(names.insert(e->name).second);
    if (e->k_max == 0) CHECK(sim::to_string(sim::parse_transport(e->name)) == e->name);
  }
  CHECK(sim::to_string(sim::parse_transport("split:7")) == "split:7");
  std::set<std::string> seen;
  const sim::ModelRegistry models = sim::simgrid::all_models();
  for (const sim::ModelEntry& m : models.entries())
    CHECK(seen.insert(m.name).second);
}
