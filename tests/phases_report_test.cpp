// phases.csv (`--detail phases`, experiments/phases_report.hpp) and its Gantt chart
// (`moesim plot --kind timeline`).
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "cli_util.hpp"
#include "experiments/phases_report.hpp"
#include "sim/core/error.hpp"
#include "sim/core/workload_dag.hpp"
#include "sim/results.hpp"
#include "workloads/parallel_layout.hpp"

using namespace moesim;

namespace {

constexpr int64_t kUs = 1'000'000;  // ps per us

// TP 1 x PP 2 x DP 4 (EP 2) on GPUs 0..7 in rank order tp,ep,dp,pp: GPU g has EP rank g % 2,
// expert-DP index (g / 2) % 2 and stage g / 4, so its DP rank is g % 4, its EP group g / 2,
// its DP group g / 4, its TP group (alone, TP 1) 4 x stage + DP rank = g and its expert-DP
// group 2 x (g / 4) + g % 2.
workload::ParallelLayout two_stage_layout() {
  return workload::ParallelLayout({.pp = 2, .dp = 4, .ep = 2}, std::vector<int32_t>(8, -1));
}

Tag step_tag(const char* phase, const char* pass) {
  return Tag{"moe", phase, 0, 0, 0, 0, pass};
}

struct Fixture {
  Workload w{8};
  sim::RunResult r;
  void node(uint32_t id, int64_t start_us, int64_t finish_us) {
    r.nodes.resize(id + 1);
    r.nodes[id].start = TimePs{start_us * kUs};
    r.nodes[id].finish = TimePs{finish_us * kUs};
  }
  void compute(uint32_t gpu, uint32_t tag, int64_t start_us, int64_t finish_us) {
    node(w.add_compute(gpu, TimePs{(finish_us - start_us) * kUs}, tag), start_us, finish_us);
  }
  void flow(uint32_t src, uint32_t dst, uint64_t bytes, uint32_t tag, int64_t start_us,
            int64_t finish_us) {
    node(w.add_flow(src, dst, Bytes{bytes}, tag), start_us, finish_us);
  }
};

// A hand-made step: each phase's nodes on GPUs of known groups, with known times.
Fixture hand_made_step() {
  Fixture f;
  const uint32_t attn = f.w.add_tag(step_tag("attention", "fwd"));                 // 0
  const uint32_t disp = f.w.add_tag(step_tag("dispatch", "fwd"));                  // 1
  const uint32_t egrad = f.w.add_tag(step_tag("expert-grad", "bwd"));              // 2
  const uint32_t tp = f.w.add_tag(Tag{"moe", "tp-allreduce", 2, 0, 0, 1, "fwd"});  // 3
  const uint32_t opt = f.w.add_tag(Tag{"moe", "optimizer", -1, 0});                // 4
  const uint32_t pp = f.w.add_tag(step_tag("pp-send", "fwd"));                     // 5
  f.w.add_tag(step_tag("combine", "fwd"));  // 6: no nodes, no row
  f.compute(0, attn, 0, 10);
  f.compute(1, attn, 0, 12);
  f.compute(2, attn, 1, 11);
  f.flow(0, 1, 1000, disp, 12, 20);
  f.flow(1, 0, 500, disp, 12, 18);
  f.flow(2, 3, 700, disp, 11, 15);
  f.flow(0, 4, 4096, pp, 20, 25);
  f.flow(1, 5, 4096, pp, 20, 26);
  f.flow(5, 4, 64, tp, 20, 27);
  f.flow(0, 2, 300, egrad, 30, 31);
  f.flow(2, 0, 300, egrad, 31, 32);
  f.flow(1, 3, 300, egrad, 30, 33);
  f.compute(0, opt, 40, 41);
  f.compute(4, opt, 40, 42);
  f.compute(5, opt, 41, 43);
  f.w.finalize();
  return f;
}

struct Expected {
  uint32_t tag, group;
  int32_t stage;
  uint32_t gpus;
  uint64_t bytes;
  int64_t start_us, finish_us;
};

}  // namespace

TEST_CASE("cli::phase_rows: one row per tag and group with its GPUs, bytes and span") {
  const Fixture f = hand_made_step();
  const workload::ParallelLayout layout = two_stage_layout();
  // The coordinates the expected groups are derived from (see two_stage_layout).
  REQUIRE(layout.coord(2).ep_group == 1);
  REQUIRE(layout.coord(5).dp_group == 1);
  REQUIRE(layout.coord(5).dp == 1);
  REQUIRE(layout.coord(3).ep == 1);
  const std::vector<cli::PhaseRow> rows = cli::phase_rows(f.w, f.r, layout);
  // attention: EP group 0 = GPUs 0, 1 over [0, 12]; group 1 = GPU 2 over [1, 11].
  // dispatch: group 0 holds 0 -> 1 and 1 -> 0 (1000 + 500 B over [12, 20]); group 1 holds
  // 2 -> 3 (700 B over [11, 15]).
  // pp-send: both flows leave stage 0's DP group 0: GPUs 0, 1, 4, 5 and 2 x 4096 B.
  // tp-allreduce: 5 -> 4, the TP group of GPU 5: 4 x stage 1 + DP rank 1 = 5; the tag's stage.
  // expert-grad: 0 -> 2 and 2 -> 0 are expert-DP group 2 x 0 + 0 = 0 (600 B over [30, 32]);
  // 1 -> 3 is group 1 (300 B over [30, 33]).
  // optimizer: stage 0 (GPU 0, [40, 41]) and stage 1 (GPUs 4, 5, [40, 43]); the tag has no
  // stage, so the row's is its GPUs'.
  // Sorted by start, then tag: tp-allreduce (tag 3, group 5) before pp-send (tag 5, group 0)
  // at 20 us; then group: expert-grad 0 before 1 at 30 us, optimizer 0 before 1 at 40 us.
  const std::vector<Expected> expected = {
      {0, 0, 0, 2, 0, 0, 12},     {0, 1, 0, 1, 0, 1, 11},    {1, 1, 0, 2, 700, 11, 15},
      {1, 0, 0, 2, 1500, 12, 20}, {3, 5, 1, 2, 64, 20, 27},  {5, 0, 0, 4, 8192, 20, 26},
      {2, 0, 0, 2, 600, 30, 32},  {2, 1, 0, 2, 300, 30, 33}, {4, 0, 0, 1, 0, 40, 41},
      {4, 1, 1, 2, 0, 40, 43},
  };
  REQUIRE(rows.size() == expected.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    INFO("row " << i);
    CHECK(rows[i].tag == expected[i].tag);
    CHECK(rows[i].group == expected[i].group);
    CHECK(rows[i].stage == expected[i].stage);
    CHECK(rows[i].gpus == expected[i].gpus);
    CHECK(rows[i].bytes == expected[i].bytes);
    CHECK(rows[i].start == TimePs{expected[i].start_us * kUs});
    CHECK(rows[i].finish == TimePs{expected[i].finish_us * kUs});
  }
}

TEST_CASE("cli::write_phases_csv: the header and rows with the tag's fields") {
  const Fixture f = hand_made_step();
  std::ostringstream os;
  cli::write_phases_csv(os, "ecmp/fluid", f.w, f.r, two_stage_layout(), true);
  const std::vector<std::string> lines = test::split(os.str(), '\n');
  REQUIRE(lines.size() == 11);
  CHECK(lines[0] ==
        "run,iteration,stage,micro_batch,layer,pass,phase,group,gpus,bytes,start_us,finish_us");
  CHECK(lines[1] == "ecmp/fluid,0,0,0,0,fwd,attention,0,2,0,0.000000,12.000000");
  CHECK(lines[5] == "ecmp/fluid,0,1,0,2,fwd,tp-allreduce,5,2,64,20.000000,27.000000");
  // The optimizer's tag: iteration 0, no micro-batch, layer or pass.
  CHECK(lines[10] == "ecmp/fluid,0,1,-1,-1,,optimizer,1,2,0,40.000000,43.000000");
  std::ostringstream more;
  cli::write_phases_csv(more, "ideal/fluid", f.w, f.r, two_stage_layout(), false);
  CHECK(test::split(more.str(), '\n').size() == 10);  // no header for a later run
}

TEST_CASE("cli::phase_rows: a phase without a group rule is an internal error") {
  Workload w(8);
  w.add_compute(0, TimePs{1}, w.add_tag(Tag{"all-to-all", "", -1, -1}));
  w.finalize();
  sim::RunResult r;
  r.nodes.resize(1);
  CHECK_THROWS_AS(cli::phase_rows(w, r, two_stage_layout()), InternalError);
}

namespace {

const std::string kTrain =
    "run --workload moe --moe-layers 2 --tokens-per-gpu 16 --leaves 2 --hosts-per-leaf 4 "
    "--spines 2 --model fluid --step train --micro-batches 2 --ep 4 ";

struct Csv {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  size_t col(const std::string& name) const {
    const auto it = std::find(header.begin(), header.end(), name);
    REQUIRE(it != header.end());
    return static_cast<size_t>(it - header.begin());
  }
};

Csv read_csv(const test::fs::path& p) {
  const std::vector<std::string> lines = test::split(test::slurp(p), '\n');
  Csv c;
  REQUIRE(!lines.empty());
  c.header = test::split(lines[0], ',');
  for (size_t i = 1; i < lines.size(); ++i)
    c.rows.push_back(test::split(lines[i] + ",", ','));  // a trailing empty field stays
  return c;
}

}  // namespace

TEST_CASE("cli::run: --detail phases writes a phase per tag and group of a training step") {
  test::TempDir dir;
  REQUIRE(test::run_moesim(dir, kTrain + "--transport ecmp,ideal --detail phases,flows --out r") ==
          0);
  const std::string csv = test::slurp(dir.path / "r" / "phases.csv");
  CHECK(csv.substr(0, csv.find('\n')) ==
        "run,iteration,stage,micro_batch,layer,pass,phase,group,gpus,bytes,start_us,finish_us");
  const Csv c = read_csv(dir.path / "r" / "phases.csv");
  const size_t run = c.col("run"), pass = c.col("pass"), phase = c.col("phase");
  const size_t group = c.col("group"), gpus = c.col("gpus");
  const size_t start = c.col("start_us"), finish = c.col("finish_us");
  std::set<std::string> seen, runs;
  std::set<std::string> dispatch_groups;
  double last_start = 0;
  std::string last_run;
  for (const auto& row : c.rows) {
    seen.insert(row[phase] + "/" + row[pass]);
    runs.insert(row[run]);
    if (row[run] != last_run) last_start = 0;  // each run's rows sorted by start
    CHECK(std::stod(row[start]) >= last_start);
    CHECK(std::stod(row[finish]) >= std::stod(row[start]));
    last_start = std::stod(row[start]);
    last_run = row[run];
    // 8 GPUs in EP groups of 4: an all-to-all row spans at most its group's 4 GPUs.
    if (row[phase] == "dispatch") {
      dispatch_groups.insert(row[group]);
      CHECK(std::stoi(row[gpus]) <= 4);
    }
  }
  CHECK(seen.count("dispatch/fwd") == 1);
  CHECK(seen.count("combine-grad/bwd") == 1);
  CHECK(seen.count("optimizer/") == 1);
  CHECK(runs == std::set<std::string>{"ecmp/fluid", "ideal/fluid"});
  CHECK(dispatch_groups == std::set<std::string>{"0", "1"});
  // Every flow is in exactly one row: the bytes of phases.csv are those of flows.csv.
  const std::string flows = test::slurp(dir.path / "r" / "flows.csv");
  CHECK(test::column_sum(csv, "bytes") == test::column_sum(flows, "bytes"));
  CHECK(test::column_sum(csv, "bytes") > 0);
}

TEST_CASE("cli::run: --detail phases is refused without --workload moe") {
  test::TempDir dir;
  CHECK(test::run_moesim(dir,
                         "run --leaves 2 --hosts-per-leaf 2 --spines 1 --detail phases "
                         "--out r") == 2);
  const std::string err = test::slurp(dir.path / "stderr.txt");
  CHECK(err.find("phases is only written for --workload moe") != std::string::npos);
  CHECK(std::count(err.begin(), err.end(), '\n') == 1);
  CHECK(!test::fs::exists(dir.path / "r"));
}

TEST_CASE("cli::plot: --kind timeline draws phases.csv, one panel per run") {
  test::TempDir dir;
  REQUIRE(test::run_moesim(dir, kTrain + "--transport ecmp,ideal --detail phases --out r") == 0);
  REQUIRE(test::run_moesim(dir, "plot r/phases.csv --kind timeline --out fig/tl") == 0);
  const std::string out = test::slurp(dir.path / "stdout.txt");
  CHECK(out.find("series: 2") != std::string::npos);  // two runs: ecmp/fluid, ideal/fluid
  const std::string png = test::slurp(dir.path / "fig" / "tl.png");
  CHECK(png.size() > 1000);
  CHECK(png.rfind("\x89PNG", 0) == 0);
  CHECK(test::slurp(dir.path / "fig" / "tl.svg").find("<svg") != std::string::npos);
  // The default name: beside the CSV, after it and the kind.
  REQUIRE(test::run_moesim(dir, "plot r/phases.csv --kind timeline --where run=ecmp/fluid") == 0);
  CHECK(test::slurp(dir.path / "stdout.txt").find("series: 1") != std::string::npos);
  CHECK(test::fs::exists(dir.path / "r" / "phases-timeline.png"));
}

TEST_CASE("cli::plot: --kind timeline names a missing or bad column and its file") {
  test::TempDir dir;
  std::ofstream(dir.path / "no_finish.csv") << "run,stage,phase,start_us\na,0,attention,0\n";
  std::ofstream(dir.path / "bad_start.csv")
      << "run,stage,phase,start_us,finish_us\na,0,attention,soon,1\n";
  for (const auto& [file, column] :
       {std::pair<std::string, std::string>{"no_finish.csv", "finish_us"},
        {"bad_start.csv", "start_us"}}) {
    INFO(file);
    CHECK(test::run_moesim(dir, "plot " + file + " --kind timeline --out f") == 2);
    const std::string err = test::slurp(dir.path / "stderr.txt");
    CHECK(err.find(file) != std::string::npos);
    CHECK(err.find("'" + column + "'") != std::string::npos);
    CHECK(std::count(err.begin(), err.end(), '\n') == 1);
    CHECK(!test::fs::exists(dir.path / "f.png"));
  }
}
