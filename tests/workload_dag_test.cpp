// Tests for the Workload DAG: validation of nodes and edges, CSR successor lists, predecessor
// counts and cycle detection in finalize().
#include <catch2/catch.hpp>

#include <vector>

#include "sim/core/error.hpp"
#include "sim/core/workload_dag.hpp"

namespace {

using moesim::Bytes;
using moesim::InternalError;
using moesim::Tag;
using moesim::TimePs;
using moesim::Workload;

std::vector<uint32_t> successors_of(const Workload& w, uint32_t id) {
  const auto s = w.successors(id);
  return {s.begin(), s.end()};
}

}  // namespace

TEST_CASE("core::Workload: finalize sorts successors by id and counts predecessors") {
  // Diamond 0 -> {1, 2} -> 3, with edges added out of order and one duplicated.
  Workload w(3);
  const uint32_t tag = w.add_tag(Tag{"test", "", -1, -1});
  const uint32_t a = w.add_flow(0, 1, Bytes{10}, tag);
  const uint32_t b = w.add_flow(1, 2, Bytes{20}, tag);
  const uint32_t c = w.add_compute(2, TimePs{5}, tag);
  const uint32_t d = w.add_flow(2, 0, Bytes{30}, tag);
  w.add_dependency(a, c);
  w.add_dependency(a, b);
  w.add_dependency(c, d);
  w.add_dependency(b, d);
  w.add_dependency(b, d);  // a duplicate must not make d wait for b twice
  w.finalize();

  REQUIRE(w.finalized());
  REQUIRE(w.size() == 4);
  REQUIRE(w.num_flows() == 3);  // the compute task is not a flow
  CHECK(successors_of(w, a) == std::vector<uint32_t>{b, c});
  CHECK(successors_of(w, b) == std::vector<uint32_t>{d});
  CHECK(successors_of(w, c) == std::vector<uint32_t>{d});
  CHECK(successors_of(w, d).empty());
  CHECK(w.num_predecessors(a) == 0);
  CHECK(w.num_predecessors(b) == 1);
  CHECK(w.num_predecessors(c) == 1);
  CHECK(w.num_predecessors(d) == 2);
  CHECK(w.node(c).kind == moesim::NodeKind::Compute);
  CHECK(w.node(c).dst == 2);  // a compute task's dst is its gpu
}

TEST_CASE("core::Workload: finalize rejects a dependency cycle") {
  // 0 -> 1 -> 2 -> 1: node 0 is fine, 1 and 2 wait for each other forever.
  Workload w(2);
  const uint32_t tag = w.add_tag(Tag{"test", "", -1, -1});
  for (int i = 0; i < 3; ++i)
    w.add_flow(0, 1, Bytes{1}, tag);
  w.add_dependency(0, 1);
  w.add_dependency(1, 2);
  w.add_dependency(2, 1);
  REQUIRE_THROWS_AS(w.finalize(), InternalError);
  REQUIRE_FALSE(w.finalized());
}

TEST_CASE("core::Workload: accepts a long chain without a cycle") {
  // A chain added in reverse id order: still acyclic, each link one predecessor.
  Workload w(2);
  const uint32_t tag = w.add_tag(Tag{"test", "", -1, -1});
  constexpr uint32_t kLen = 100;
  for (uint32_t i = 0; i < kLen; ++i)
    w.add_flow(i % 2, 1 - i % 2, Bytes{1}, tag);
  for (uint32_t i = kLen - 1; i > 0; --i)
    w.add_dependency(i, i - 1);
  REQUIRE_NOTHROW(w.finalize());
  CHECK(w.num_predecessors(kLen - 1) == 0);
  CHECK(w.num_predecessors(0) == 1);
}

TEST_CASE("core::Workload: rejects bad nodes - edges and late changes") {
  Workload w(4);
  const uint32_t tag = w.add_tag(Tag{"test", "", -1, -1});
  const uint32_t f = w.add_flow(0, 1, Bytes{1}, tag);

  SECTION("flow to itself") {
    REQUIRE_THROWS_AS(w.add_flow(2, 2, Bytes{1}, tag), InternalError);
  }
  SECTION("flow source out of range") {
    REQUIRE_THROWS_AS(w.add_flow(4, 0, Bytes{1}, tag), InternalError);
  }
  SECTION("flow destination out of range") {
    REQUIRE_THROWS_AS(w.add_flow(0, 4, Bytes{1}, tag), InternalError);
  }
  SECTION("empty flow") {
    REQUIRE_THROWS_AS(w.add_flow(0, 1, Bytes{0}, tag), InternalError);
  }
  SECTION("unknown tag") {
    REQUIRE_THROWS_AS(w.add_flow(0, 1, Bytes{1}, tag + 1), InternalError);
  }
  SECTION("compute on a missing gpu") {
    REQUIRE_THROWS_AS(w.add_compute(4, TimePs{1}, tag), InternalError);
  }
  SECTION("negative compute time") {
    REQUIRE_THROWS_AS(w.add_compute(0, TimePs{-1}, tag), InternalError);
  }
  SECTION("dependency on a missing node") {
    REQUIRE_THROWS_AS(w.add_dependency(f, f + 1), InternalError);
  }
  SECTION("dependency on itself") {
    REQUIRE_THROWS_AS(w.add_dependency(f, f), InternalError);
  }
  SECTION("successors before finalize") {
    REQUIRE_THROWS_AS(w.successors(f), InternalError);
  }
  SECTION("predecessors before finalize") {
    REQUIRE_THROWS_AS(w.num_predecessors(f), InternalError);
  }
  SECTION("changes after finalize") {
    w.finalize();
    REQUIRE_THROWS_AS(w.add_flow(1, 0, Bytes{1}, tag), InternalError);
    REQUIRE_THROWS_AS(w.add_compute(0, TimePs{1}, tag), InternalError);
    REQUIRE_THROWS_AS(w.add_tag(Tag{}), InternalError);
    REQUIRE_THROWS_AS(w.add_dependency(f, f), InternalError);
    REQUIRE_THROWS_AS(w.finalize(), InternalError);
  }
}
