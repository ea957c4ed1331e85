// Unit tests of the sweep library: value lists and ranges, grid expansion (cross product, zip,
// seeds), grid files, point ids and shards, the sweep's own options, and the repair of a
// results.csv torn by a kill.
#include <fstream>
#include <set>

#include <catch2/catch.hpp>

#include "experiments/sweep_args.hpp"
#include "experiments/sweep_grid.hpp"
#include "experiments/sweep_plan.hpp"
#include "experiments/sweep_results.hpp"
#include "sim/core/error.hpp"
#include "tests/sweep_util.hpp"

using moesim::InputError;
using namespace moesim::cli;
using moesim::sweep_test::ScratchDir;
using Strings = std::vector<std::string>;

namespace {

std::string values_of(const GridPoint& p) {
  std::string s;
  for (const auto& [k, v] : p.values)
    s += k + "=" + v + " ";
  return s;
}

SweepArgs args_of(const Strings& a) {
  Strings all = {"--out", "unused"};
  all.insert(all.end(), a.begin(), a.end());
  return parse_sweep_args(all);
}

}  // namespace

TEST_CASE("sweep::grid: value lists and inclusive ranges") {
  CHECK(parse_values("ecmp, split:4 ,ideal", "t") == Strings{"ecmp", "split:4", "ideal"});
  CHECK(parse_values("1:3:0.5", "t") == Strings{"1", "1.5", "2", "2.5", "3"});
  // 0.1 is not exact in binary: ten steps still end on 1, printed as "1".
  const Strings tenths = parse_values("0:1:0.1", "t");
  REQUIRE(tenths.size() == 11);
  CHECK(tenths[3] == "0.3");
  CHECK(tenths.back() == "1");
  CHECK(parse_values("64KiB:256KiB:64KiB", "t") == Strings{"64KiB", "128KiB", "192KiB", "256KiB"});
  CHECK(parse_values("1:3:1us", "t") == Strings{"1us", "2us", "3us"});
  CHECK(parse_values("3:1:-1,7", "t") == Strings{"3", "2", "1", "7"});
  CHECK(parse_values("1:2:0.75", "t") == Strings{"1", "1.75"});  // 2.5 would pass the end
}

TEST_CASE("sweep::grid: bad value lists are rejected") {
  SECTION("range without step") {
    REQUIRE_THROWS_AS(parse_values("1:3", "t"), InputError);
  }
  SECTION("zero step") {
    REQUIRE_THROWS_AS(parse_values("1:3:0", "t"), InputError);
  }
  SECTION("step away from the end") {
    REQUIRE_THROWS_AS(parse_values("1:3:-1", "t"), InputError);
  }
  SECTION("mixed units") {
    REQUIRE_THROWS_AS(parse_values("1KiB:2MiB:1KiB", "t"), InputError);
  }
  SECTION("step not a number") {
    REQUIRE_THROWS_AS(parse_values("1:3:x", "t"), InputError);
  }
  SECTION("empty item") {
    REQUIRE_THROWS_AS(parse_values("a,,b", "t"), InputError);
  }
}

TEST_CASE("sweep::grid: the cross product varies the first axis slowest") {
  GridSpec g;
  g.add_set("transport=ecmp,ideal", "--set");
  g.add_set("oversubscription=1:2:0.5", "--set");
  const auto points = expand(g);
  REQUIRE(points.size() == 2 * 3);
  CHECK(values_of(points[0]) == "transport=ecmp oversubscription=1 ");
  CHECK(values_of(points[1]) == "transport=ecmp oversubscription=1.5 ");
  CHECK(values_of(points[3]) == "transport=ideal oversubscription=1 ");
  CHECK(values_of(points[5]) == "transport=ideal oversubscription=2 ");
  for (size_t i = 0; i < points.size(); ++i)
    CHECK(points[i].index == i);
}

TEST_CASE("sweep::grid: zipped keys move together and seeds vary fastest") {
  GridSpec g;
  g.add_set("leaves=2,4,8", "--set");
  g.add_set("transport=ecmp,ideal", "--set");
  g.add_set("spines=4,8,16", "--set");
  g.add_zip("leaves,spines", "--zip");
  g.set_seeds("2", "--seeds");
  g.seed_base = 5;
  const auto points = expand(g);
  // The zip group counts once (3 rows) at the position of leaves: 3 x 2 transports x 2 seeds.
  REQUIRE(points.size() == 3 * 2 * 2);
  CHECK(values_of(points[0]) == "leaves=2 spines=4 transport=ecmp seed=5 ");
  CHECK(values_of(points[1]) == "leaves=2 spines=4 transport=ecmp seed=6 ");
  CHECK(values_of(points[2]) == "leaves=2 spines=4 transport=ideal seed=5 ");
  CHECK(values_of(points[11]) == "leaves=8 spines=16 transport=ideal seed=6 ");
}

TEST_CASE("sweep::grid: bad axes are rejected") {
  GridSpec g;
  g.add_set("leaves=2,4", "--set");
  SECTION("unknown option") {
    REQUIRE_THROWS_AS(g.add_set("warp=1", "--set"), InputError);
  }
  SECTION("out is per point") {
    REQUIRE_THROWS_AS(g.add_set("out=a,b", "--set"), InputError);
  }
  SECTION("key twice") {
    REQUIRE_THROWS_AS(g.add_set("leaves=8", "--set"), InputError);
  }
  SECTION("value twice") {
    REQUIRE_THROWS_AS(g.add_set("spines=2,2", "--set"), InputError);
  }
  SECTION("no equals sign") {
    REQUIRE_THROWS_AS(g.add_set("spines", "--set"), InputError);
  }
  SECTION("zip of unequal lists") {
    g.add_set("spines=2,4,8", "--set");
    g.add_zip("leaves,spines", "--zip");
    REQUIRE_THROWS_AS(expand(g), InputError);
  }
  SECTION("zip of a key that is not varied") {
    g.add_zip("leaves,spines", "--zip");
    REQUIRE_THROWS_AS(expand(g), InputError);
  }
  SECTION("zip of one key") {
    REQUIRE_THROWS_AS(g.add_zip("leaves", "--zip"), InputError);
  }
  SECTION("seeds and a seed axis") {
    g.add_set("seed=1,2", "--set");
    REQUIRE_THROWS_AS(g.set_seeds("3", "--seeds"), InputError);
  }
  SECTION("zero seeds") {
    REQUIRE_THROWS_AS(g.set_seeds("0", "--seeds"), InputError);
  }
}

TEST_CASE("sweep::grid: grid files hold axes zips and seeds and name file and line") {
  ScratchDir dir;
  const auto path = (dir.path / "grid.ini").string();
  std::ofstream(path) << "# a grid\ntransport = ecmp,ideal\n\nleaves = 2,4\nspines = 2:4:2\n"
                         "zip = leaves,spines\nseeds = 3\n";
  GridSpec g;
  read_grid_file(path, g);
  CHECK(g.axes.size() == 3);
  CHECK(g.seeds == 3);
  CHECK(expand(g).size() == 2 * 2 * 3);

  std::ofstream(dir.path / "bad.ini") << "leaves = 2\n# fine so far\nwarp = 9\n";
  GridSpec bad;
  try {
    read_grid_file((dir.path / "bad.ini").string(), bad);
    FAIL("no error");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()).find("bad.ini:3") != std::string::npos);
    CHECK(std::string(e.what()).find("warp") != std::string::npos);
  }
  std::ofstream(dir.path / "noeq.ini") << "leaves 2\n";
  GridSpec noeq;
  REQUIRE_THROWS_AS(read_grid_file((dir.path / "noeq.ini").string(), noeq), InputError);
}

TEST_CASE("sweep::plan: point ids are stable hashes that ignore explicit defaults") {
  // --leaves 8 is the default: giving it changes neither the runs nor their ids.
  const SweepPlan a = make_plan(args_of({"--set", "spines=2,4", "--seeds", "2"}), {});
  const SweepPlan b =
      make_plan(args_of({"--set", "spines=2,4", "--seeds", "2", "--leaves", "8"}), {});
  REQUIRE(a.points.size() == 4);
  std::set<std::string> ids;
  for (size_t i = 0; i < a.points.size(); ++i) {
    CHECK(a.points[i].id == b.points[i].id);
    CHECK(a.points[i].id.size() == 16);
    ids.insert(a.points[i].id);
  }
  CHECK(ids.size() == 4);
  // The seeds start at the fixed --seed.
  const SweepPlan c = make_plan(args_of({"--seeds", "2", "--seed", "7"}), {});
  CHECK(c.points[0].values.back() == std::make_pair(std::string("seed"), std::string("7")));
  CHECK(c.points[1].values.back().second == "8");
  // The child command: fixed options as given, then the point's values, then its directory.
  const ChildJob job = make_job(a, a.points[1], "/bin/moesim", "sw");
  CHECK(job.exe == "/bin/moesim");
  CHECK(job.argv ==
        Strings{"moesim", "run", "--spines=2", "--seed=2", "--out", "sw/points/" + a.points[1].id});
}

TEST_CASE("sweep::plan: bad plans are rejected") {
  SECTION("varied and fixed") {
    REQUIRE_THROWS_AS(make_plan(args_of({"--set", "leaves=2,4", "--leaves", "4"}), {}), InputError);
  }
  SECTION("unknown fixed option") {
    REQUIRE_THROWS_AS(make_plan(args_of({"--warp", "9"}), {}), InputError);
  }
}

TEST_CASE("sweep::plan: shards partition the points exactly") {
  const SweepPlan plan = make_plan(args_of({"--set", "spines=1:7:1", "--seeds", "3"}), {});
  REQUIRE(plan.points.size() == 21);
  for (uint32_t n : {1u, 2u, 4u, 21u, 25u}) {
    std::vector<int> owners(plan.points.size(), 0);
    for (uint32_t i = 0; i < n; ++i) {
      SweepArgs a = args_of({"--shard", fmt::format("{}/{}", i, n)});
      for (const auto& p : plan.points)
        owners[p.index] += in_shard(p, a) ? 1 : 0;
    }
    INFO("shards: " << n);
    CHECK(std::all_of(owners.begin(), owners.end(), [](int o) { return o == 1; }));
  }
}

TEST_CASE("sweep::args: sweep options and run options are told apart") {
  const SweepArgs a = args_of({"--seed", "3", "--seeds", "2", "--jobs", "3", "--timeout", "1.5s",
                               "--shard", "1/4", "--leaves", "2", "--", "--spines", "4"});
  CHECK(a.fixed_args == Strings{"--seed", "3", "--leaves", "2", "--spines", "4"});
  CHECK(a.grid.seeds == 2);
  CHECK(a.jobs == 3);
  CHECK(*a.timeout_s == Approx(1.5));
  CHECK(a.shard_index == 1);
  CHECK(a.shard_count == 4);
  SECTION("bad shard") {
    REQUIRE_THROWS_AS(args_of({"--shard", "4/4"}), InputError);
  }
  SECTION("bad shard form") {
    REQUIRE_THROWS_AS(args_of({"--shard", "1"}), InputError);
  }
  SECTION("zero jobs") {
    REQUIRE_THROWS_AS(args_of({"--jobs", "0"}), InputError);
  }
  SECTION("timeout without unit") {
    REQUIRE_THROWS_AS(args_of({"--timeout", "5"}), InputError);
  }
  SECTION("no out") {
    REQUIRE_THROWS_AS(parse_sweep_args({"--seeds", "2"}), InputError);
  }
}

TEST_CASE("sweep::results: a torn last line is cut with the point before it") {
  ScratchDir dir;
  const Strings cols = {"leaves", "cct_us", "point", "status", "message", "wall_s"};
  // Point b's two rows are complete, then the sweep died inside the write of point c.
  std::ofstream(dir.path / "results.csv")
      << "leaves,cct_us,point,status,message,wall_s\n2,1.0,a,ok,,0.1\n4,2.0,b,ok,,0.1\n"
         "4,2.5,b,ok,,0.1\n8,3.0,c,o";
  {
    ResultsFile r(dir.path, cols, false);
    // b cannot be told from a block cut after its first row: it runs again, as does c.
    CHECK(r.done().size() == 1);
    CHECK(r.done().count("a") == 1);
    CHECK(r.dropped_rows() == 3);
    r.append("4,2.0,b,ok,,0.2\n4,2.5,b,ok,,0.2\n");
    // A second sweep in the same directory is refused while this one runs.
    REQUIRE_THROWS_AS(ResultsFile(dir.path, cols, false), InputError);
  }
  CHECK(moesim::sweep_test::slurp(dir.path / "results.csv") ==
        "leaves,cct_us,point,status,message,wall_s\n2,1.0,a,ok,,0.1\n4,2.0,b,ok,,0.2\n"
        "4,2.5,b,ok,,0.2\n");
  SECTION("failed points count as done without retry-failed") {
    {
      ResultsFile r(dir.path, cols, false);
      r.append("16,,d,failed,\"moesim: error: --leaves: '16', too many\",0.1\n");
    }
    ResultsFile again(dir.path, cols, false);
    CHECK(again.done().at("d") == "failed");
  }
  SECTION("other columns are refused") {
    REQUIRE_THROWS_AS(ResultsFile(dir.path, Strings{"leaves", "point"}, false), InputError);
  }
}

TEST_CASE("sweep::results: --retry-failed forgets failed points") {
  ScratchDir dir;
  const Strings cols = {"leaves", "point", "status", "message", "wall_s"};
  std::ofstream(dir.path / "results.csv")
      << "leaves,point,status,message,wall_s\n2,a,ok,,0.1\nx,b,failed,bad,0.1\n4,c,timeout,t,9\n";
  ResultsFile r(dir.path, cols, true);
  CHECK(r.done().size() == 1);
  CHECK(r.dropped_rows() == 2);
  CHECK(moesim::sweep_test::slurp(dir.path / "results.csv") ==
        "leaves,point,status,message,wall_s\n2,a,ok,,0.1\n");
}
