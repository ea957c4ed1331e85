// Tests for topology files: edge-list CSV (good files, host declaration by name, and one SECTION
// per kind of bad file, each naming file:line:field and value) and GraphML (export then import
// gives the same Topology for every builder; bad files are rejected).
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <unistd.h>

#include <catch2/catch.hpp>

#include "sim/core/error.hpp"
#include "tests/topo_checks.hpp"
#include "topologies/export.hpp"
#include "topologies/fat_tree.hpp"
#include "topologies/file_import.hpp"
#include "topologies/jellyfish.hpp"
#include "topologies/leaf_spine.hpp"
#include "topologies/rail.hpp"
#include "topologies/rsn.hpp"

namespace {

using Catch::Matchers::Contains;
using moesim::InputError;
using moesim::operator""_Gbps;
using namespace moesim::topo;
namespace fs = std::filesystem;

// A file under the temporary directory, removed when the test ends. The process id keeps
// concurrent test runs apart.
class TempFile {
 public:
  TempFile(const std::string& name, const std::string& text)
      : path_(fs::temp_directory_path() /
              ("moesim_topo_file_test_" + std::to_string(::getpid()) + "_" + name)) {
    std::ofstream(path_) << text;
  }
  ~TempFile() { fs::remove(path_); }
  const fs::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

 private:
  fs::path path_;
};

// Two hosts on switch a, one on switch b, and a GPU server (nvs0) hanging off b.
const char* const kGood =
    "# a small network\n"
    "u,v,rate,latency\n"
    "host0, a, 100Gbps, 1us\n"
    "host1,a,100Gbps,1us\n"
    "\n"
    "a,b,400Gbps,2.5us\n"
    "b,host2,100G,500ns\n"
    "gpu0,nvs0,2.88Tbps,25ns\n"
    "gpu1,nvs0,2.88Tbps,25ns\n"
    "gpu0,b,400Gbps,1us\n"
    "gpu1,b,400Gbps,1us\n";

void check_same(const Topology& a, const Topology& b) {
  CHECK(a.description() == b.description());
  REQUIRE(a.num_vertices() == b.num_vertices());
  REQUIRE(a.num_links() == b.num_links());
  CHECK(a.num_hosts() == b.num_hosts());
  for (uint32_t v = 0; v < a.num_vertices(); ++v) {
    CHECK(a.graph()[v].name == b.graph()[v].name);
    CHECK(a.graph()[v].kind == b.graph()[v].kind);
    CHECK(a.graph()[v].host == b.graph()[v].host);
    CHECK(a.graph()[v].server == b.graph()[v].server);
  }
  for (uint32_t l = 0; l < a.num_links(); ++l) {
    CHECK(a.link(l).from == b.link(l).from);
    CHECK(a.link(l).to == b.link(l).to);
    CHECK(a.link(l).rate == b.link(l).rate);
    CHECK(a.link(l).latency == b.link(l).latency);
    CHECK(a.link(l).kind == b.link(l).kind);
  }
  for (auto [it, end] = boost::edges(a.graph()); it != end; ++it) {
    const EdgeProps& e = a.graph()[*it];
    auto [jt, jend] = boost::edges(b.graph());
    std::advance(jt, e.id);
    CHECK(b.graph()[*jt].id == e.id);
    CHECK(b.graph()[*jt].buffer == e.buffer);
  }
}

Topology round_trip(const Topology& t) {
  std::stringstream ss;
  write_graphml(ss, t);
  return read_graphml(ss, "<memory>");
}

}  // namespace

TEST_CASE("topo::File: reads an edge list and declares hosts by name") {
  const TempFile f("good.csv", kGood);
  const Topology t = load_edge_list(f.path());
  // Hosts host0, host1, host2, gpu0, gpu1 first (first appearance), then a, b, nvs0.
  REQUIRE(t.num_hosts() == 5);
  CHECK(t.num_vertices() == 8);
  CHECK(t.num_links() == 2 * 8);
  const Graph& g = t.graph();
  CHECK(g[0].name == "host0");
  CHECK(g[3].name == "gpu0");
  CHECK(g[5].name == "a");
  CHECK(g[5].kind == VertexKind::Switch);
  CHECK(g[7].kind == VertexKind::NvSwitch);
  CHECK(g[3].server == 0);  // gpu0 hangs off nvs0, server 0
  CHECK(g[0].server == -1);
  // Row 3 (a-b) is edge 2; its rate and latency parse with units.
  CHECK(t.link_name(2 * 2) == "a->b");
  CHECK(t.link(2 * 2).rate == 400_Gbps);
  CHECK(t.link(2 * 2).latency == moesim::TimePs{2'500'000});
  CHECK(t.link(2 * 2).kind == LinkKind::Fabric);
  CHECK(t.link(2 * 3).latency == moesim::TimePs{500'000});
  CHECK(t.link(0).kind == LinkKind::HostLink);
  CHECK(t.link(2 * 4).kind == LinkKind::NvLink);
  CHECK(moesim::test::every_host_pair_reachable(t));
  CHECK(load_topology_file(f.path()).num_vertices() == 8);  // by extension
}

TEST_CASE("topo::File: reads an optional buffer column and custom host prefixes") {
  const TempFile f("buffer.csv",
                   "u,v,rate,latency,buffer\n"
                   "n1,s,100Gbps,1us,4MiB\n"
                   "n2,s,100Gbps,1us,2MB\n");
  FileImportParams p;
  p.host_prefixes = {"n"};
  const Topology t = load_edge_list(f.path(), p);
  CHECK(t.num_hosts() == 2);
  for (auto [it, end] = boost::edges(t.graph()); it != end; ++it) {
    const moesim::Bytes b = t.graph()[*it].buffer;
    CHECK(b == (t.graph()[*it].id == 0 ? moesim::Bytes{4u << 20} : moesim::Bytes{2'000'000}));
  }
}

TEST_CASE("topo::File: rejects bad edge lists naming file - line - field and value") {
  std::string text;
  std::string expected;
  SECTION("a wrong header") {
    text = "src,dst,rate,latency\nh1,s,1G,1us\n";
    expected = ":1: header 'src,dst,rate,latency'";
  }
  SECTION("an empty file") {
    text = "# nothing\n";
    expected = "empty";
  }
  SECTION("a missing field") {
    text = "u,v,rate,latency\nhost1,s,1G\n";
    expected = ":2: value 'host1,s,1G': expected 4 fields";
  }
  SECTION("an empty vertex name") {
    text = "u,v,rate,latency\nhost1,,1G,1us\n";
    expected = ":2:v: value ''";
  }
  SECTION("a rate without a unit") {
    text = "u,v,rate,latency\nhost1,s,1G,1us\nhost2,s,400,1us\n";
    expected = ":3:rate: '400' has no unit";
  }
  SECTION("a zero rate") {
    text = "u,v,rate,latency\nhost1,s,0Gbps,1us\n";
    expected = ":2:rate: value '0Gbps': expected a rate > 0";
  }
  SECTION("a negative latency") {
    text = "u,v,rate,latency\nhost1,s,1G,-1us\n";
    expected = ":2:latency: '-1us' is negative";
  }
  SECTION("a bad buffer") {
    text = "u,v,rate,latency,buffer\nhost1,s,1G,1us,4K\n";
    expected = ":2:buffer: '4K' has ambiguous unit";
  }
  SECTION("a self-loop") {
    text = "u,v,rate,latency\nhost1,s,1G,1us\ns,s,1G,1us\n";
    expected = ":3: value 's': expected two different endpoints";
  }
  SECTION("a repeated link") {
    text = "u,v,rate,latency\nhost1,s,1G,1us\ns,host1,1G,1us\n";
    expected = ":3: link 's'-'host1' repeats";
  }
  SECTION("no hosts") {
    text = "u,v,rate,latency\nx,y,1G,1us\n";
    expected = "no hosts";
  }
  SECTION("hosts that cannot reach each other") {
    text = "u,v,rate,latency\nhost1,s,1G,1us\nhost2,t,1G,1us\n";
    expected = "host 'host2' (";
  }
  const TempFile f("bad.csv", text);
  REQUIRE_THROWS_AS(load_edge_list(f.path()), InputError);
  REQUIRE_THROWS_WITH(load_edge_list(f.path()), Contains(f.str()) && Contains(expected));
}

TEST_CASE("topo::File: rejects a missing file and an unknown extension") {
  REQUIRE_THROWS_WITH(load_edge_list("/nonexistent/net.csv"),
                      Contains("/nonexistent/net.csv") && Contains("cannot open"));
  REQUIRE_THROWS_WITH(load_topology_file("net.json"), Contains("'.json'"));
}

TEST_CASE("topo::File: GraphML export then import gives the same topology") {
  SECTION("leaf-spine with NVLink servers") {
    LeafSpineParams p;
    p.leaves = 2;
    p.spines = 3;
    p.hosts_per_leaf = 4;
    p.gpus_per_server = 2;
    const Topology t = build_leaf_spine(p);
    check_same(t, round_trip(t));
  }
  SECTION("fat-tree k = 4") {
    FatTreeParams p;
    p.oversubscription = 3;  // a fabric rate that is not a round number
    const Topology t = build_fat_tree(p);
    check_same(t, round_trip(t));
  }
  SECTION("rail") {
    const Topology t = build_rail(RailParams{});
    check_same(t, round_trip(t));
  }
  SECTION("jellyfish") {
    const Topology t = build_jellyfish(JellyfishParams{});
    check_same(t, round_trip(t));
  }
  SECTION("RSN with length-dependent latencies") {
    RsnParams p;
    p.switches = 60;
    p.keep_giant = true;
    const Topology t = build_rsn(p).topology;
    check_same(t, round_trip(t));
  }
  SECTION("an edge list, through a file") {
    const TempFile csv("rt.csv", kGood);
    const Topology t = load_edge_list(csv.path());
    std::ostringstream os;
    write_graphml(os, t);
    const TempFile xml("rt.graphml", os.str());
    check_same(t, load_topology_file(xml.path()));
  }
}

TEST_CASE("topo::File: reads hand-written GraphML with unit-text attributes") {
  const TempFile f("hand.graphml", R"(<?xml version="1.0" encoding="UTF-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key id="k0" for="node" attr.name="name" attr.type="string"/>
  <key id="k1" for="edge" attr.name="rate" attr.type="string"/>
  <key id="k2" for="edge" attr.name="latency" attr.type="string"/>
  <graph id="G" edgedefault="undirected">
    <node id="n0"><data key="k0">host0</data></node>
    <node id="n1"><data key="k0">tor</data></node>
    <node id="n2"><data key="k0">host1</data></node>
    <edge source="n0" target="n1"><data key="k1">100Gbps</data><data key="k2">1us</data></edge>
    <edge source="n1" target="n2"><data key="k1">25G</data><data key="k2">300ns</data></edge>
  </graph>
</graphml>
)");
  const Topology t = load_graphml(f.path());
  CHECK(t.num_hosts() == 2);
  CHECK(t.graph()[1].kind == VertexKind::Switch);  // by name: no kind attribute
  CHECK(t.link(2).rate == moesim::BitsPerSec{25'000'000'000});
  CHECK(t.link(2).latency == moesim::TimePs{300'000});
  CHECK(t.link(0).kind == LinkKind::HostLink);
}

TEST_CASE("topo::File: rejects bad GraphML") {
  const std::string head = R"(<?xml version="1.0"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key id="k0" for="node" attr.name="name" attr.type="string"/>
  <key id="k1" for="node" attr.name="kind" attr.type="string"/>
  <key id="k2" for="edge" attr.name="rate_bps" attr.type="long"/>
  <key id="k3" for="edge" attr.name="latency_ps" attr.type="long"/>
  <graph id="G" edgedefault="undirected">
    <node id="n0"><data key="k0">h</data><data key="k1">host</data></node>
)";
  const std::string tail = "</graph></graphml>\n";
  std::string text;
  std::string expected;
  SECTION("not XML") {
    text = "<graphml><graph";
    expected = "expected an undirected GraphML graph";
  }
  SECTION("an unknown vertex kind") {
    text =
        head + R"(<node id="n1"><data key="k0">s</data><data key="k1">router</data></node>)" + tail;
    expected = "node 1 ('s'): kind: value 'router'";
  }
  SECTION("a missing rate") {
    text = head + R"(<node id="n1"><data key="k0">s</data><data key="k1">switch</data></node>
      <edge source="n0" target="n1"><data key="k3">5</data></edge>)" +
           tail;
    expected = "edge 0 ('h'-'s'): rate_bps: missing";
  }
  SECTION("a negative latency") {
    text = head + R"(<node id="n1"><data key="k0">s</data><data key="k1">switch</data></node>
      <edge source="n0" target="n1"><data key="k2">100</data><data key="k3">-5</data></edge>)" +
           tail;
    expected = "latency_ps: value '-5'";
  }
  SECTION("a duplicate name") {
    text =
        head + R"(<node id="n1"><data key="k0">h</data><data key="k1">switch</data></node>)" + tail;
    expected = "value 'h': expected a name not already used";
  }
  const TempFile f("bad.graphml", text);
  REQUIRE_THROWS_AS(load_graphml(f.path()), InputError);
  REQUIRE_THROWS_WITH(load_graphml(f.path()), Contains(f.str()) && Contains(expected));
}
