// The step columns of results.csv: compute_us, exposed_comm_us, nic_bytes, nvlink_bytes.
#include <catch2/catch.hpp>

#include "analysis/metrics.hpp"
#include "sim/model.hpp"
#include "tests/fixtures.hpp"
#include "topologies/leaf_spine.hpp"
#include "topologies/routing.hpp"

using namespace moesim;

TEST_CASE("analysis::summarize: step, compute and NIC versus NVLink bytes") {
  // 2 leaves x 2 hosts in servers of 2 GPUs: hosts 0 and 1 share a server (NVLink), host 2 is
  // on the other leaf. Host 0 computes 5 us, then sends 1000 B to host 1 (NVLink) and 3000 B
  // to host 2 (its NIC); host 1 computes 2 us. The busiest GPU computes 5 us; the models carry
  // exactly the flows' bytes out of the hosts: 3000 over NICs, 1000 over NVLink.
  topo::LeafSpineParams lp = test::tiny_leaf_spine();
  lp.gpus_per_server = 2;
  const topo::Topology t = topo::build_leaf_spine(lp);
  const topo::Routing r(t);
  Workload w(t.num_hosts());
  const uint32_t tag = w.add_tag(Tag{"test", "", -1, -1});
  const uint32_t c0 = w.add_compute(0, TimePs{5'000'000}, tag);
  const uint32_t f1 = w.add_flow(0, 1, Bytes{1000}, tag);
  const uint32_t f2 = w.add_flow(0, 2, Bytes{3000}, tag);
  w.add_compute(1, TimePs{2'000'000}, tag);
  w.add_dependency(c0, f1);
  w.add_dependency(c0, f2);
  w.finalize();
  const sim::PathSet p = sim::assign_paths(r, w, sim::parse_transport("ecmp", "test"), 1);
  for (const auto& run : {sim::run_analytic(t, w, p), sim::run_fluid(t, w, p)}) {
    const analysis::Summary s = analysis::summarize(t, w, run);
    CHECK(s.nic_bytes == 3000);
    CHECK(s.nvlink_bytes == 1000);
    CHECK(s.compute_us == Approx(5.0));
    CHECK(s.step_us == s.cct_us);
    CHECK(s.exposed_comm_us == Approx(s.cct_us - 5.0));
    CHECK(s.exposed_comm_us > 0);  // the flows run after the compute
  }
}
