// The memory budget (--max-memory, issue 16 item 3): sizes are estimated before anything big
// is built, the estimates track what is then built, and runs over the budget exit 2 naming
// what drives the size, leaving no output behind.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "cli_util.hpp"
#include "experiments/options.hpp"
#include "sim/core/budget.hpp"
#include "sim/core/error.hpp"
#include "tests/input_error.hpp"
#include "topologies/registry.hpp"
#include "workloads/collectives.hpp"

using namespace moesim;
using Catch::Matchers::Contains;

TEST_CASE("core::MemoryBudget: refuses only what exceeds the limit, naming it") {
  const MemoryBudget b(1000, "--max-memory");
  b.require(1000, "x", "y", "z");  // at the limit: fits
  const std::string msg = test::input_error([&] { b.require(1001, "the thing", "how", "less"); });
  CHECK_THAT(msg, Contains("the thing would need about 1001 B (how)"));
  CHECK_THAT(msg, Contains("memory budget of 1000 B (--max-memory)"));
  CHECK_THAT(msg, Contains("expected less, or a larger --max-memory"));
  CHECK(human_bytes(1536) == "1.5 KiB");
  CHECK(human_bytes(3.0 * (1ull << 30)) == "3.0 GiB");
  CHECK(physical_memory() > 0);
}

TEST_CASE("topo::registry: every size estimate matches the topology then built") {
  // Hosts and vertices are exact for the regular kinds; links too except for the random
  // kinds, whose degree is a target (jellyfish gives at most switches x degree / 2 switch
  // links, rsn about mean-degree / 2 per switch).
  const std::vector<std::vector<std::string>> cases = {
      {"--topology", "leaf-spine", "--leaves", "4", "--spines", "3", "--hosts-per-leaf", "5"},
      {"--topology", "leaf-spine", "--leaves", "2", "--spines", "2", "--hosts-per-leaf", "8",
       "--gpus-per-server", "4"},
      {"--topology", "fat-tree", "--k", "6"},
      {"--topology", "rail", "--servers", "4", "--gpus-per-server", "4", "--spines", "2"},
      {"--topology", "jellyfish", "--switches", "12", "--degree", "4", "--hosts-per-switch", "2"},
      {"--topology", "rsn", "--switches", "40", "--hosts-per-switch", "1", "--mean-degree", "8"},
  };
  for (const auto& args : cases) {
    const cli::Settings s = cli::parse_settings(args, {"topology", "output"});
    const topo::TopologyEntry* e = topo::find_topology(s.text("topology"));
    REQUIRE(e);
    REQUIRE(e->size);
    INFO(e->name << " " << args.back());
    const topo::TopologySize z = e->size(s);
    const topo::Topology t = topo::build_topology(s).topology;
    CHECK(z.hosts == t.num_hosts());
    const std::string kind = e->name;
    if (kind == "rsn") {
      // keep-giant may drop a few stray switches; links within a factor of 2.
      CHECK(z.vertices >= t.num_vertices());
      CHECK(z.links >= 0.5 * t.num_links() / 2);
      CHECK(z.links <= 2.0 * t.num_links() / 2);
    } else {
      CHECK(z.vertices == t.num_vertices());
      if (kind == "jellyfish") {
        CHECK(z.links >= t.num_links() / 2.0);
      } else {
        CHECK(z.links == t.num_links() / 2.0);
      }
    }
  }
}

TEST_CASE("workload::collective_flows: equals the flows make_collective makes") {
  // n = 5: all-to-all 5 x 4 = 20; permutation 5; ring-allreduce 2 x 4 steps x 5 = 40;
  // all-gather and reduce-scatter 4 steps x 5 = 20; incast 4.
  for (const std::string kind :
       {"all-to-all", "permutation", "ring-allreduce", "all-gather", "reduce-scatter", "incast"}) {
    INFO(kind);
    const workload::CollectiveSpec spec{kind, 5, Bytes{4096}, "", 0, 1};
    CHECK(workload::collective_flows(spec) ==
          static_cast<double>(workload::make_collective(spec).num_flows()));
  }
}

TEST_CASE("cli::budget: sizes beyond the memory budget exit 2 before anything is built") {
  test::TempDir dir;
  struct Case {
    std::string args, expect;
  };
  std::vector<Case> cases = {
      // 1000 hosts x 1,002,000 vertices x 12 B of routing costs alone is 12 GB.
      {"run --leaves 1000 --hosts-per-leaf 1 --spines 1000000 --max-memory 4GiB",
       "leaf-spine (--leaves, --hosts-per-leaf, --spines): 1000 hosts, 1002000 vertices"},
      // k = 158: 986,078 hosts; their routing tables over 1,017,283 vertices are 12 TB.
      {"topo --topology fat-tree --k 158", "fat-tree (--k): 986078 hosts"},
      {"run --topology jellyfish --switches 1000000", "jellyfish (--switches"},
      // 64 MiB holds its routing tables (22 MB) but not 1024 x 1023 flows at 100 B each.
      {"run --leaves 32 --hosts-per-leaf 32 --spines 2 --model analytic --transport ecmp "
       "--max-memory 64MiB",
       "--workload all-to-all on 1024 hosts: 1047552 flows"},
      // 1 GB per flow in 4 KiB packets is 2.6e5 packets per flow; 12 flows need ~3 MB.
      {"run --leaves 2 --hosts-per-leaf 2 --spines 2 --model packet --transport ecmp --size 1GB "
       "--max-memory 1MiB",
       "--model packet with --transport ecmp on 12 flows"},
  };
  cases.push_back({"run --workload moe --iterations 4000000000",
                   "--workload moe: 4000000000 iterations x 32 layers on 128 GPUs"});
  cases.push_back({"run --workload moe --tokens-per-gpu 4000000000", "4000000000 tokens per GPU"});
  {
    std::ofstream loads(dir.path / "l.csv");
    loads << "layer,expert,load\n0,0,5\n0,1,3\n";
  }
  cases.push_back({"place --policy eplb --loads l.csv --slots 4000000000",
                   "place: 1 layers x 4000000000 slots"});
  for (const Case& c : cases) {
    INFO(c.args);
    REQUIRE(test::run_moesim(dir, c.args + " --out o") == 2);
    const std::string err = test::slurp(dir.path / "stderr.txt");
    CHECK_THAT(err, Contains(c.expect));
    CHECK_THAT(err, Contains("more than the memory budget"));
    CHECK(err.find('\n') == err.size() - 1);
    CHECK(!test::fs::exists(dir.path / "o"));
  }
  // A run under the budget is untouched by it.
  CHECK(test::run_moesim(dir,
                         "run --leaves 2 --hosts-per-leaf 2 --spines 2 --model packet "
                         "--transport ecmp --max-memory 1GiB --out ok") == 0);
}
