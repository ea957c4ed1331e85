// Tests for the collective workload builders and the traffic-matrix reader: flow counts, bytes
// per host, dependency depth, determinism of the random permutation, and every input error.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "sim/core/error.hpp"
#include "sim/core/rng.hpp"
#include "workloads/collectives.hpp"
#include "workloads/traffic_matrix.hpp"

namespace {

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using moesim::Bytes;
using moesim::InputError;
using moesim::Workload;
namespace wl = moesim::workload;

// Length in nodes of the longest dependency chain: DP in Kahn order, depth(v) = 1 + max over
// predecessors. Independent of node id order, so it checks the DAG, not the builder's loops.
uint32_t longest_chain(const Workload& w) {
  std::vector<uint32_t> waiting(w.size());
  std::vector<uint32_t> depth(w.size(), 1);
  std::vector<uint32_t> ready;
  for (uint32_t v = 0; v < w.size(); ++v) {
    waiting[v] = w.num_predecessors(v);
    if (waiting[v] == 0) ready.push_back(v);
  }
  uint32_t longest = 0;
  while (!ready.empty()) {
    const uint32_t v = ready.back();
    ready.pop_back();
    longest = std::max(longest, depth[v]);
    for (const uint32_t u : w.successors(v)) {
      depth[u] = std::max(depth[u], depth[v] + 1);
      if (--waiting[u] == 0) ready.push_back(u);
    }
  }
  return longest;
}

std::vector<uint64_t> bytes_sent(const Workload& w) {
  std::vector<uint64_t> sent(w.num_hosts());
  for (const auto& node : w.nodes())
    sent[node.src] += node.size.count;
  return sent;
}

std::vector<uint64_t> bytes_received(const Workload& w) {
  std::vector<uint64_t> received(w.num_hosts());
  for (const auto& node : w.nodes())
    received[node.dst] += node.size.count;
  return received;
}

uint64_t total_bytes(const Workload& w) {
  uint64_t total = 0;
  for (const auto& node : w.nodes())
    total += node.size.count;
  return total;
}

std::vector<uint32_t> destinations(const Workload& w) {
  std::vector<uint32_t> dst;
  for (const auto& node : w.nodes())
    dst.push_back(node.dst);
  return dst;
}

// In a ring every flow goes to the next host, and a flow's predecessor (if any) is the flow
// that brought it its chunk, i.e. one whose destination is this flow's source.
void check_ring_structure(const Workload& w) {
  const uint32_t n = w.num_hosts();
  uint32_t num_first_step = 0;
  for (uint32_t v = 0; v < w.size(); ++v) {
    const auto& node = w.node(v);
    REQUIRE(node.dst == (node.src + 1) % n);
    REQUIRE(w.num_predecessors(v) <= 1);
    if (w.num_predecessors(v) == 0) ++num_first_step;
    for (const uint32_t u : w.successors(v))
      REQUIRE(w.node(u).src == node.dst);
  }
  REQUIRE(num_first_step == n);  // only step 0 starts at once, one flow per host
}

// A fresh directory under the system temp dir, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    for (int i = 0;; ++i) {
      path_ = fs::temp_directory_path() / ("moesim_collectives_test_" + std::to_string(i));
      if (fs::create_directory(path_)) return;
    }
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  std::string write(const std::string& name, const std::string& text) const {
    const fs::path file = path_ / name;
    std::ofstream(file) << text;
    return file.string();
  }

 private:
  fs::path path_;
};

}  // namespace

TEST_CASE("workload::all_to_all: n(n-1) flows - (n-1) times size out of and into every host") {
  // 5 hosts: 5*4 = 20 ordered pairs; each host sends to and receives from 4 others.
  constexpr uint32_t n = 5;
  const Workload w = wl::all_to_all(n, Bytes{1 << 20});
  REQUIRE(w.num_flows() == n * (n - 1));
  CHECK(bytes_sent(w) == std::vector<uint64_t>(n, 4ull << 20));
  CHECK(bytes_received(w) == std::vector<uint64_t>(n, 4ull << 20));
  CHECK(longest_chain(w) == 1);  // no dependencies: all flows start together
  // Source-major, each source's peers in shifted order: node 0 is 0->1, node n-1 (the
  // fifth) is 1->2, and node 2(n-1)-1 (host 1's last) is 1->0.
  CHECK(w.node(0).src == 0);
  CHECK(w.node(0).dst == 1);
  CHECK(w.node(n - 1).src == 1);
  CHECK(w.node(n - 1).dst == 2);
  CHECK(w.node(2 * (n - 1) - 1).src == 1);
  CHECK(w.node(2 * (n - 1) - 1).dst == 0);
  REQUIRE(w.tags().size() == 1);
  CHECK(w.tags()[0].collective == "all-to-all");
}

TEST_CASE("workload::permutation: sends once from and to every host - never to itself") {
  constexpr uint32_t n = 8;
  for (uint64_t seed = 1; seed <= 50; ++seed) {
    moesim::Rng rng = moesim::make_stream(seed, "workload");
    const Workload w = wl::permutation(n, Bytes{100}, rng);
    REQUIRE(w.num_flows() == n);
    // A permutation: every host receives exactly once; flow i leaves host i.
    CHECK(bytes_received(w) == std::vector<uint64_t>(n, 100));
    for (uint32_t i = 0; i < n; ++i) {
      REQUIRE(w.node(i).src == i);
      REQUIRE(w.node(i).dst != i);
    }
  }
}

TEST_CASE("workload::permutation: deterministic for a seed - different for another") {
  // 16 hosts have ~7.7e12 derangements, so two seeds agreeing by chance is negligible.
  constexpr uint32_t n = 16;
  const auto draw = [](uint64_t seed) {
    wl::CollectiveSpec spec{"permutation", n, Bytes{1}, "", 0, seed};
    return destinations(wl::make_collective(spec));
  };
  CHECK(draw(7) == draw(7));
  CHECK(draw(7) != draw(8));
}

TEST_CASE("workload::permutation: uniform over the derangements of 3 hosts") {
  // 3 hosts have exactly 2 derangements, the two 3-cycles (1,2,0) and (2,0,1). Over 2000
  // draws each should appear 1000 +- 22 (binomial s.d. sqrt(2000/4)); allow 4.5 s.d. A sampler
  // that rejected wrongly or shuffled with bias would skew this.
  moesim::Rng rng = moesim::make_stream(3, "workload");
  std::map<std::vector<uint32_t>, int> seen;
  for (int i = 0; i < 2000; ++i)
    ++seen[destinations(wl::permutation(3, Bytes{1}, rng))];
  REQUIRE(seen.size() == 2);
  CHECK(seen[{1, 2, 0}] > 900);
  CHECK(seen[{2, 0, 1}] > 900);
}

TEST_CASE("workload::ring_allreduce: has 2(n-1) dependent steps") {
  // 8 hosts, 1 MiB: 2(n-1) = 14 steps of n = 8 flows each, 112 flows, each step waiting for
  // the previous one into its host: the longest chain is all 14 steps.
  constexpr uint32_t n = 8;
  const Workload w = wl::ring_allreduce(n, Bytes{1 << 20});
  REQUIRE(w.num_flows() == 2 * n * (n - 1));
  CHECK(longest_chain(w) == 2 * (n - 1));
  check_ring_structure(w);
  // Each host sends one chunk of 1MiB/8 = 131072 B per step: 14 * 131072 = 1835008 B,
  // i.e. 2(n-1)/n * size; in total 2(n-1) * size = 14 MiB crosses the ring.
  CHECK(bytes_sent(w) == std::vector<uint64_t>(n, 14 * 131072));
  CHECK(total_bytes(w) == 14ull << 20);
  // Two tags, one per half: the first n(n-1) flows reduce-scatter, the rest all-gather.
  REQUIRE(w.tags().size() == 2);
  for (uint32_t v = 0; v < w.size(); ++v) {
    const auto& tag = w.tags()[w.node(v).tag];
    REQUIRE(tag.collective == "ring-allreduce");
    REQUIRE(tag.phase == (v < n * (n - 1) ? "reduce-scatter" : "all-gather"));
  }
}

TEST_CASE("workload::ring_allreduce: conserves bytes when size is not divisible by n") {
  // 4 hosts, 10 B: chunks 0..3 have 3, 3, 2, 2 B. In reduce-scatter host i sends every chunk
  // but (i+1) mod 4, in all-gather every chunk but (i+2) mod 4:
  //   host 0: (10-3) + (10-2) = 15   host 1: (10-2) + (10-2) = 16
  //   host 2: (10-2) + (10-3) = 15   host 3: (10-3) + (10-3) = 14
  // Sum 60 = 2(n-1) * size exactly; each host is within one byte per step of 2(n-1)*size/n = 15.
  const Workload w = wl::ring_allreduce(4, Bytes{10});
  CHECK(bytes_sent(w) == std::vector<uint64_t>{15, 16, 15, 14});
  CHECK(total_bytes(w) == 2 * 3 * 10);
  // Chunk sizes are size/n or one more, never zero.
  for (const auto& node : w.nodes())
    REQUIRE((node.size.count == 2 || node.size.count == 3));
}

TEST_CASE("workload::all_gather and reduce_scatter: n-1 dependent steps of one chunk") {
  // 6 hosts, 6 KiB: chunks of 1 KiB; n-1 = 5 steps of 6 flows; each host sends 5 KiB and in
  // total (n-1) * size = 30 KiB moves.
  constexpr uint32_t n = 6;
  for (const auto& [name, w] :
       {std::pair{"all-gather", wl::all_gather(n, Bytes{6 << 10})},
        std::pair{"reduce-scatter", wl::reduce_scatter(n, Bytes{6 << 10})}}) {
    INFO(name);
    REQUIRE(w.num_flows() == n * (n - 1));
    CHECK(longest_chain(w) == n - 1);
    check_ring_structure(w);
    CHECK(bytes_sent(w) == std::vector<uint64_t>(n, 5 << 10));
    CHECK(total_bytes(w) == 30 << 10);
    REQUIRE(w.tags().size() == 1);
    CHECK(w.tags()[0].collective == name);
  }
}

TEST_CASE("workload::incast: every other host sends size to the target at once") {
  // 5 hosts into host 2: 4 flows, 4 * 1000 B arrive at host 2, nothing anywhere else.
  const Workload w = wl::incast(5, Bytes{1000}, 2);
  REQUIRE(w.num_flows() == 4);
  CHECK(bytes_received(w) == std::vector<uint64_t>{0, 0, 4000, 0, 0});
  CHECK(bytes_sent(w) == std::vector<uint64_t>{1000, 1000, 0, 1000, 1000});
  CHECK(longest_chain(w) == 1);
}

TEST_CASE("workload::make_collective: rejects bad parameters") {
  wl::CollectiveSpec spec{"all-to-all", 8, Bytes{1 << 20}, "", 0, 1};
  SECTION("unknown kind lists the valid ones") {
    spec.kind = "all2all";
    REQUIRE_THROWS_AS(wl::make_collective(spec), InputError);
    REQUIRE_THROWS_WITH(wl::make_collective(spec),
                        Contains("'all2all'") && Contains("ring-allreduce") && Contains("incast"));
  }
  SECTION("fewer than 2 hosts") {
    for (const char* kind : {"all-to-all", "permutation", "ring-allreduce", "incast"}) {
      spec.kind = kind;
      spec.num_hosts = 1;
      REQUIRE_THROWS_AS(wl::make_collective(spec), InputError);
    }
  }
  SECTION("zero size") {
    for (const char* kind : {"all-to-all", "permutation", "ring-allreduce", "all-gather",
                             "reduce-scatter", "incast"}) {
      spec.kind = kind;
      spec.size = Bytes{0};
      REQUIRE_THROWS_AS(wl::make_collective(spec), InputError);
    }
  }
  SECTION("ring buffer smaller than the ring") {
    spec.kind = "ring-allreduce";
    spec.size = Bytes{3};
    REQUIRE_THROWS_AS(wl::make_collective(spec), InputError);
    REQUIRE_THROWS_WITH(wl::make_collective(spec),
                        Contains("3B is smaller than the 8 hosts of the ring"));
  }
  SECTION("incast target out of range") {
    spec.kind = "incast";
    spec.incast_target = 8;  // hosts are 0..7
    REQUIRE_THROWS_AS(wl::make_collective(spec), InputError);
    REQUIRE_THROWS_WITH(wl::make_collective(spec), Contains("8"));
  }
  SECTION("all-to-allv without a matrix file") {
    spec.kind = "all-to-allv";
    REQUIRE_THROWS_AS(wl::make_collective(spec), InputError);
  }
}

TEST_CASE("workload::all_to_allv: flows from a matrix file - on the first m of n hosts") {
  TempDir dir;
  // Comment, blank line, spaces and a unit are all accepted. Nonzero off-diagonal entries
  // make flows, source-major, each source's peers in shifted order (i+1, i+2, ... mod 3):
  // 0->1 (100), 1->2 (7), 1->0 (4KiB = 4096), 2->0 (5).
  const std::string path = dir.write("tm.csv",
                                     "# bytes from row host to column host\n"
                                     "0, 100, 0\n"
                                     "\n"
                                     " 4KiB ,0,7\n"
                                     "5,0,0\n");
  const wl::TrafficMatrix tm = wl::read_traffic_matrix(path);
  REQUIRE(tm.rows() == 3);
  CHECK(tm(1, 0) == 4096);

  const Workload w = wl::make_collective({"all-to-allv", 4, Bytes{}, path, 0, 1});
  CHECK(w.num_hosts() == 4);  // host 3 is in the topology but outside the matrix
  REQUIRE(w.num_flows() == 4);
  const std::vector<std::vector<uint64_t>> expected{
      {0, 1, 100}, {1, 2, 7}, {1, 0, 4096}, {2, 0, 5}};
  for (uint32_t v = 0; v < 4; ++v) {
    CHECK(std::vector<uint64_t>{w.node(v).src, w.node(v).dst, w.node(v).size.count} == expected[v]);
  }
  CHECK(longest_chain(w) == 1);

  SECTION("a matrix larger than the hosts is rejected") {
    REQUIRE_THROWS_AS(wl::make_collective({"all-to-allv", 2, Bytes{}, path, 0, 1}), InputError);
    REQUIRE_THROWS_WITH(wl::make_collective({"all-to-allv", 2, Bytes{}, path, 0, 1}),
                        Contains("tm.csv") && Contains("3x3"));
  }
  SECTION("a matrix without a flow (a 1x1 matrix, or all zeros) is rejected") {
    // Such a run would report CCT 0 and CCT/bound 0, which the results define as >= 1.
    for (const std::string text : {"0\n", "0,0\n0,0\n"}) {
      const std::string zero = dir.write("zero.csv", text);
      REQUIRE_THROWS_WITH(wl::make_collective({"all-to-allv", 4, Bytes{}, zero, 0, 1}),
                          Contains("zero.csv") && Contains("no nonzero entry"));
    }
  }
}

TEST_CASE("workload::read_traffic_matrix: rejects bad files naming file:line") {
  TempDir dir;
  const auto require_error = [](const std::string& path, const std::string& where) {
    REQUIRE_THROWS_AS(wl::read_traffic_matrix(path), InputError);
    REQUIRE_THROWS_WITH(wl::read_traffic_matrix(path), Contains(where));
  };
  SECTION("a value that is not a byte count") {
    // Line 1 is a comment, so line 3 is the second row; its column 1 holds x1.
    require_error(dir.write("tm.csv", "# m\n0,1\nx1,0\n"), "tm.csv:3: column 1: value 'x1'");
  }
  SECTION("a negative value") {
    require_error(dir.write("tm.csv", "0,-1\n1,0\n"), "tm.csv:1: column 2: value '-1'");
  }
  SECTION("an empty field") {
    require_error(dir.write("tm.csv", "0,\n1,0\n"), "tm.csv:1: column 2: value ''");
  }
  SECTION("a row with the wrong number of columns") {
    require_error(dir.write("tm.csv", "0,1,1,1\n1,0,1,1\n\n1,1,0\n"),
                  "tm.csv:4: 3 columns, expected 4 (the matrix must be square)");
  }
  SECTION("no rows") {
    require_error(dir.write("tm.csv", "# only a comment\n\n"), "tm.csv: no rows");
  }
  SECTION("a missing file") {
    require_error((fs::temp_directory_path() / "moesim_no_such_dir" / "tm.csv").string(),
                  "tm.csv: cannot open: No such file or directory");
  }
  SECTION("a nonzero diagonal entry") {
    require_error(dir.write("tm.csv", "0,1\n1,5\n"),
                  "tm.csv:2: column 2: diagonal entry must be 0, got 5");
  }
  SECTION("fewer rows than columns") {
    require_error(dir.write("tm.csv", "0,1,1\n1,0,1\n"), "tm.csv: 2 rows, expected 3");
  }
  SECTION("more rows than columns") {
    require_error(dir.write("tm.csv", "0,1\n1,0\n1,1\n"), "tm.csv:3: row 3 of a 2-column matrix");
  }
}
