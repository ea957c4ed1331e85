// Hardening of the non-trace readers (traffic matrices, policy CSVs, edge lists, GraphML) and
// of LLEP against hostile input: a UTF-8 byte-order mark at the start of a file is skipped;
// file text echoed into an error stays on one printable line; sums that would wrap are
// refused.
#include <catch2/catch.hpp>

#include <cstdint>
#include <sstream>
#include <string>

#include "sim/core/error.hpp"
#include "tests/input_error.hpp"
#include "tests/trace_fixtures.hpp"
#include "topologies/file_import.hpp"
#include "workloads/llep.hpp"
#include "workloads/policy_csv.hpp"
#include "workloads/traffic_matrix.hpp"

namespace {

namespace wl = moesim::workload;
using Catch::Matchers::Contains;
using moesim::InputError;
using moesim::test::input_error;
using moesim::test::one_printable_line;
using moesim::test::TraceTempDir;

const std::string kBom = "\xEF\xBB\xBF";

std::string graphml(const std::string& node1_name, const std::string& edge_latency) {
  return R"(<?xml version="1.0" encoding="UTF-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key id="k0" for="node" attr.name="name" attr.type="string"/>
  <key id="k1" for="edge" attr.name="rate" attr.type="string"/>
  <key id="k2" for="edge" attr.name="latency" attr.type="string"/>
  <graph id="G" edgedefault="undirected">
    <node id="n0"><data key="k0">host0</data></node>
    <node id="n1"><data key="k0">)" +
         node1_name + R"(</data></node>
    <edge source="n0" target="n1"><data key="k1">100Gbps</data><data key="k2">)" +
         edge_latency + R"(</data></edge>
  </graph>
</graphml>
)";
}

}  // namespace

TEST_CASE("workload::TrafficMatrix: a byte-order mark is skipped, entries may not wrap") {
  TraceTempDir dir;
  SECTION("a mark before the first row") {
    const wl::TrafficMatrix tm = wl::read_traffic_matrix(dir.write("m.csv", kBom + "0,5\n7,0\n"));
    REQUIRE(tm(0, 1) == 5);
    REQUIRE(tm(1, 0) == 7);
  }
  SECTION("entries summing past 2^64 - 1") {
    // 2^64 - 1 + 1 = 2^64 at line 2, column 1: all-to-allv would have totalled 0 bytes.
    const std::string msg = input_error(
        [&] { wl::read_traffic_matrix(dir.write("m.csv", "0,18446744073709551615\n1,0\n")); });
    REQUIRE_THAT(msg, Contains("m.csv:2: column 1: value '1': the matrix's entries sum past"));
  }
  SECTION("a bad entry with a control character is quoted") {
    const std::string msg =
        input_error([&] { wl::read_traffic_matrix(dir.write("m.csv", "0,4\x1b[0m\n1,0\n")); });
    REQUIRE_THAT(msg, Contains("value '4\\x1b[0m'"));
    REQUIRE(one_printable_line(msg));
  }
}

TEST_CASE("workload::PolicyCsv: a byte-order mark is skipped, counts may not wrap") {
  SECTION("a mark before the header") {
    std::istringstream in(kBom + "expert,count\n0,3\n1,4\n");
    REQUIRE(wl::read_expert_counts_csv(in, "c.csv") == std::vector<uint64_t>{3, 4});
    std::istringstream loads(kBom + "layer,expert,load\n0,0,1.5\n");
    REQUIRE(wl::read_expert_loads_csv(loads, "l.csv") == wl::ExpertLoads{{1.5}});
  }
  SECTION("a count of 2^64 - 1") {
    // The balancing policies hold counts in int64: 2^64 - 1 does not fit at all.
    std::istringstream in("expert,count\n0,18446744073709551615\n1,1\n");
    REQUIRE_THAT(input_error([&] { wl::read_expert_counts_csv(in, "c.csv"); }),
                 Contains("c.csv:2: field count: value '18446744073709551615'"));
  }
  SECTION("counts whose sum passes 2^63 - 1") {
    // (2^63 - 1) + 1 = 2^63 at line 3.
    std::istringstream in("expert,count\n0,9223372036854775807\n1,1\n");
    REQUIRE_THAT(input_error([&] { wl::read_expert_counts_csv(in, "c.csv"); }),
                 Contains("c.csv:3: field count: value '1': the counts sum past"));
  }
  SECTION("a 2 MB header line is cut") {
    std::istringstream in(std::string(2 << 20, 'h') + "\n0,1\n");
    const std::string msg = input_error([&] { wl::read_expert_counts_csv(in, "c.csv"); });
    REQUIRE(msg.size() < 300);
    REQUIRE_THAT(msg, Contains("hhh...': expected 'expert,count'"));
  }
}

TEST_CASE("workload::llep: counts whose sum passes 2^63 - 1 are refused") {
  // Two GPUs, one expert each; 2^63 - 1 and 1 sum to 2^63, which the int64 loads would wrap.
  const wl::LlepConfig c{2, 1, 1.0, 1};
  const std::vector<uint64_t> counts = {uint64_t{INT64_MAX}, 1};
  REQUIRE_THAT(input_error([&] { wl::llep_plan(counts, c); }),
               Contains("llep: the expert counts sum past 9223372036854775807"));
  REQUIRE_THROWS_AS(wl::native_plan(counts, c), InputError);
  REQUIRE_THROWS_AS(wl::llep_should_rebalance(counts, c, 1.5), InputError);
  // Just below: (2^62) + (2^62 - 1) = 2^63 - 1 plans, with a huge alpha held at the int64 cap.
  const std::vector<uint64_t> fits = {uint64_t{1} << 62, (uint64_t{1} << 62) - 1};
  const wl::LlepPlan plan = wl::llep_plan(fits, wl::LlepConfig{2, 1, 1e300, 1});
  REQUIRE(plan.capacity == uint64_t{INT64_MAX});
  REQUIRE(plan.gpu_loads == fits);  // everything fits at home
}

TEST_CASE("topo::File: a byte-order mark is skipped, quoted text stays on one line") {
  SECTION("edge list with a mark") {
    std::istringstream in(kBom + "u,v,rate,latency\nhost0,sw,100Gbps,1us\nhost1,sw,100Gbps,1us\n");
    REQUIRE(moesim::topo::read_edge_list(in, "e.csv").num_hosts() == 2);
  }
  SECTION("edge list: a 2 MB header and a control character in a value") {
    std::istringstream big(std::string(2 << 20, 'u') + "\n");
    const std::string msg = input_error([&] { moesim::topo::read_edge_list(big, "e.csv"); });
    REQUIRE(msg.size() < 300);
    std::istringstream esc("u,v,rate,latency\nhost0,sw,0\x1b]0;x\x07,1us\n");
    const std::string msg2 = input_error([&] { moesim::topo::read_edge_list(esc, "e.csv"); });
    REQUIRE(one_printable_line(msg2));
  }
  SECTION("GraphML with a mark") {
    std::istringstream in(kBom + graphml("host1", "1us"));
    REQUIRE(moesim::topo::read_graphml(in, "g.graphml").num_hosts() == 2);
  }
  SECTION("GraphML: an attribute value with a newline") {
    // A vertex kind "host\nswitch" is not a kind; the message shows it with \n. (&#10; is a
    // newline the XML reader keeps; a raw one in text it turns into a space.)
    std::istringstream in(R"(<?xml version="1.0"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key id="k1" for="node" attr.name="kind" attr.type="string"/>
  <graph id="G" edgedefault="undirected">
    <node id="n0"><data key="k1">host&#10;switch</data></node>
  </graph>
</graphml>
)");
    const std::string msg = input_error([&] { moesim::topo::read_graphml(in, "g.graphml"); });
    REQUIRE_THAT(msg, Contains("kind: value 'host\\nswitch'"));
    REQUIRE(one_printable_line(msg));
  }
  SECTION("GraphML: a node name with a newline and an escape in an error") {
    // A node named with a newline and ESC is a valid name, but a bad latency names the edge
    // by its endpoints.
    std::istringstream in(graphml("sw&#10;\x1b[31mred", "-1us"));
    const std::string msg = input_error([&] { moesim::topo::read_graphml(in, "g.graphml"); });
    REQUIRE_THAT(msg, Contains("'host0'-'sw\\n\\x1b[31mred'"));
    REQUIRE(one_printable_line(msg));
  }
  SECTION("GraphML: latency_ps above 10^6 s") {
    std::istringstream in(R"(<?xml version="1.0"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key id="k2" for="edge" attr.name="rate_bps" attr.type="long"/>
  <key id="k3" for="edge" attr.name="latency_ps" attr.type="long"/>
  <graph id="G" edgedefault="undirected">
    <node id="host0"/><node id="host1"/>
    <edge source="host0" target="host1"><data key="k2">100</data><data key="k3">9223372036854775807</data></edge>
  </graph>
</graphml>
)");
    REQUIRE_THAT(input_error([&] { moesim::topo::read_graphml(in, "g.graphml"); }),
                 Contains("latency_ps: value '9223372036854775807'"));
  }
}
