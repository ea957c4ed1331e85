// Chakra export -> import: `moesim chakra export` then `moesim run --workload chakra` must run
// the very DAG the original options build (same node ids, sizes, durations, dependencies and
// tags), so every detail file is byte-identical and results.csv differs only in the option
// columns that name the workload. Also the import of a small hand-built trace, checked node by
// node against what et_def.proto's fields say.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "sim/core/error.hpp"
#include "tests/chakra_util.hpp"
#include "workloads/chakra/chakra_attrs.hpp"
#include "workloads/chakra/chakra_import.hpp"

namespace {

using moesim::test::metric_rows;
using moesim::test::run_moesim;
using moesim::test::slurp;
using moesim::test::TempDir;
namespace chakra = moesim::workload::chakra;

// Runs the workload of `workload_args` on `fabric` directly and through a Chakra export;
// requires the detail files to be byte-identical and the metrics equal.
void check_round_trip(const std::string& workload_args, const std::string& fabric) {
  TempDir d;
  const std::string run = fabric +
                          " --model analytic,fluid --transport ecmp,plan,ideal "
                          "--detail flows,links,collectives";
  REQUIRE(run_moesim(d, fmt::format("run {} {} --out direct", workload_args, run)) == 0);
  REQUIRE(run_moesim(d, fmt::format("chakra export et/w {} {}", workload_args, fabric)) == 0);
  REQUIRE(run_moesim(
              d, fmt::format("run --workload chakra --chakra et/w {} --out imported", run)) == 0);
  for (const char* f : {"flows.csv", "links.csv", "collectives.csv"}) {
    INFO(f);
    const std::string direct = slurp(d.path / "direct" / f);
    CHECK(std::count(direct.begin(), direct.end(), '\n') > 6);  // a header and real rows
    CHECK(slurp(d.path / "imported" / f) == direct);
  }
  CHECK(metric_rows(d.path / "direct" / "results.csv") ==
        metric_rows(d.path / "imported" / "results.csv"));
}

chakra::RankTrace rank(const std::string& path) {
  chakra::RankTrace r;
  r.path = path;
  r.meta.set_version("0.0.4");
  return r;
}

ChakraProtoMsg::Node& add(chakra::RankTrace& r, uint64_t id, ChakraProtoMsg::NodeType type) {
  ChakraProtoMsg::Node& n = r.nodes.emplace_back();
  n.set_id(id);
  n.set_type(type);
  return n;
}

}  // namespace

TEST_CASE("chakra: export then import of a collective gives identical results") {
  check_round_trip("--workload ring-allreduce --size 3MiB",
                   "--leaves 2 --hosts-per-leaf 3 "
                   "--spines 2");
  check_round_trip("--workload all-to-all --size 64KiB",
                   "--leaves 2 --hosts-per-leaf 4 "
                   "--spines 2");
}

TEST_CASE("chakra: export then import of an MoE forward step gives identical results") {
  check_round_trip("--workload moe --tokens-per-gpu 128 --moe-layers 2",
                   "--leaves 2 --hosts-per-leaf 4 --spines 2");
}

TEST_CASE("chakra: export then import of an MoE training step gives identical results") {
  // Pipeline stages, micro-batches, TP all-reduces inside servers and gradient rings: every
  // kind of dependency the step DAG has.
  check_round_trip(
      "--workload moe --tokens-per-gpu 64 --moe-layers 4 --step train --pp 2 --tp 2 "
      "--micro-batches 2",
      "--topology rail --servers 2 --gpus-per-server 4 --spines 2");
}

TEST_CASE("chakra: a hand-built trace imports node by node") {
  // Rank 0: compute 5 us (id 10), then a 4 KiB send to rank 1 (id 11, data dep on 10).
  // Rank 1: a recv from rank 0 (id 20), then compute 2 us with a ctrl dep on the recv (id 21).
  std::vector<chakra::RankTrace> ranks = {rank("h.0.et"), rank("h.1.et")};
  add(ranks[0], 10, ChakraProtoMsg::COMP_NODE).set_duration_micros(5);
  ChakraProtoMsg::Node& send = add(ranks[0], 11, ChakraProtoMsg::COMM_SEND_NODE);
  send.add_data_deps(10);
  chakra::add_int_attr(*send.mutable_attr(), "comm_dst", 1);
  chakra::add_int_attr(*send.mutable_attr(), "comm_size", 4096);
  ChakraProtoMsg::Node& recv = add(ranks[1], 20, ChakraProtoMsg::COMM_RECV_NODE);
  chakra::add_int_attr(*recv.mutable_attr(), "comm_src", 0);
  add(ranks[1], 21, ChakraProtoMsg::COMP_NODE).set_duration_micros(2);
  ranks[1].nodes[1].add_ctrl_deps(20);
  // Order: rank 0's nodes first, in file order (compute 0, flow 1), then rank 1's compute (2).
  const moesim::Workload w = chakra::import_workload(ranks, 3, "test");
  REQUIRE(w.size() == 3);
  CHECK(w.num_hosts() == 3);
  CHECK(w.node(0).kind == moesim::NodeKind::Compute);
  CHECK(w.node(0).duration.ps == 5'000'000);  // 5 us
  CHECK(w.node(1).kind == moesim::NodeKind::Flow);
  CHECK((w.node(1).src == 0 && w.node(1).dst == 1 && w.node(1).size.count == 4096));
  CHECK(w.node(2).src == 1);
  CHECK(w.node(2).duration.ps == 2'000'000);
  CHECK(std::vector<uint32_t>(w.successors(0).begin(), w.successors(0).end()) ==
        std::vector<uint32_t>{1});
  CHECK(std::vector<uint32_t>(w.successors(1).begin(), w.successors(1).end()) ==
        std::vector<uint32_t>{2});
  CHECK(w.num_predecessors(0) == 0);
  SECTION("a recv without its send is refused") {
    ranks[0].nodes.pop_back();
    CHECK_THROWS_WITH(chakra::import_workload(ranks, 3, "test"),
                      Catch::Contains("h.1.et: node 20 (COMM_RECV_NODE): no matching "
                                      "COMM_SEND_NODE from rank 0"));
  }
  SECTION("a dependency on a node the rank does not have is refused") {
    ranks[1].nodes[1].add_data_deps(99);
    CHECK_THROWS_WITH(chakra::import_workload(ranks, 3, "test"),
                      Catch::Contains("h.1.et: node 21 (COMP_NODE): depends on node 99"));
  }
  SECTION("a cycle through the send/recv pair is refused") {
    ranks[0].nodes[0].add_data_deps(11);  // compute 10 now waits for the send that waits for it
    CHECK_THROWS_WITH(chakra::import_workload(ranks, 3, "test"), Catch::Contains("not a DAG"));
  }
}
