// End-to-end tests of `moesim sweep` and `moesim-mpi sweep`: rows and columns, failures that
// stay local, timeouts, resume after SIGKILL, shards, merge, and the same rows whatever the
// parallelism. Tiny fabrics keep each point to a few milliseconds.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <set>
#include <thread>

#include <catch2/catch.hpp>

#include "experiments/sweep_process.hpp"
#include "tests/sweep_util.hpp"

using namespace moesim::sweep_test;
using moesim::cli::ChildJob;
using moesim::cli::PointStatus;
using moesim::cli::ProcessPool;

namespace {

// A 12-point grid (2 transports x 3 oversubscriptions x 2 seeds) of two-row points.
const std::string kGrid = "--set transport=ecmp,split:2 --set oversubscription=1:2:0.5 --seeds 2";
const std::string kFixed =
    "--leaves 2 --spines 2 --hosts-per-leaf 2 --size 64KiB --model fluid,analytic";

// Starts `moesim ARGS...` in `dir` without waiting; stdout and stderr go to files there.
pid_t spawn_moesim(const ScratchDir& dir, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {MOESIM_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> c;
  for (auto& a : argv)
    c.push_back(a.data());
  c.push_back(nullptr);
  const std::string out = (dir.path / "spawn-stdout.txt").string();
  const std::string err = (dir.path / "spawn-stderr.txt").string();
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (::chdir(dir.path.c_str()) != 0) ::_exit(126);
    ::dup2(::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644), STDOUT_FILENO);
    ::dup2(::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644), STDERR_FILENO);
    ::execv(c[0], c.data());
    ::_exit(127);
  }
  return pid;
}

size_t data_lines(const fs::path& csv) {
  const std::string text = slurp(csv);
  const auto n = static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
  return n > 0 ? n - 1 : 0;
}

}  // namespace

TEST_CASE(
    "cli::sweep: every point's rows carry parameters then metrics then point status "
    "message - and its wall time goes to timings.csv") {
  ScratchDir dir;
  REQUIRE(moesim_in(dir, "sweep " + kGrid + " --jobs 2 --out sw " + kFixed) == 0);
  const Results res = read_results(dir.path / "sw" / "results.csv");
  REQUIRE(res.header.size() > 3);
  CHECK(res.header.front() == "topology");
  const std::vector<std::string> tail(res.header.end() - 3, res.header.end());
  CHECK(tail == std::vector<std::string>{"point", "status", "message"});
  const Results times = read_results(dir.path / "sw" / "timings.csv");
  CHECK(times.header == std::vector<std::string>{"point", "status", "wall_s"});
  CHECK(times.rows.size() == 12);  // one line per point run
  CHECK(res.col("cct_us") < res.col("point"));
  // 12 points, each one `moesim run` with two models: 24 rows, two per point.
  REQUIRE(res.rows.size() == 24);
  const auto per_point = res.rows_per_point();
  CHECK(per_point.size() == 12);
  for (const auto& [id, n] : per_point)
    CHECK(n == 2);
  std::set<std::string> combos;
  for (const auto& r : res.rows) {
    CHECK(r[res.col("status")] == "ok");
    CHECK(r[res.col("leaves")] == "2");
    CHECK(std::stod(r[res.col("cct_us")]) > 0);
    combos.insert(r[res.col("transport")] + "/" + r[res.col("oversubscription")] + "/" +
                  r[res.col("seed")] + "/" + r[res.col("model")]);
  }
  CHECK(combos.size() == 24);
  CHECK(combos.count("split:2/1.5/2/analytic") == 1);
  CHECK(fs::exists(dir.path / "sw" / "sweep.json"));
  CHECK(fs::exists(dir.path / "sw" / "points" / res.rows[0][res.col("point")] / "run.json"));
  // Running the same command again finds nothing to do and changes nothing.
  const std::string before = slurp(dir.path / "sw" / "results.csv");
  REQUIRE(moesim_in(dir, "sweep " + kGrid + " --jobs 2 --out sw " + kFixed) == 0);
  CHECK(slurp(dir.path / "stdout.txt").find("12 done before, 0 to run") != std::string::npos);
  CHECK(slurp(dir.path / "sw" / "results.csv") == before);
}

TEST_CASE("cli::sweep: a point with an invalid value fails alone and is recorded") {
  ScratchDir dir;
  REQUIRE(
      moesim_in(dir, "sweep --set oversubscription=1,-1,x,2 --jobs 2 --transport ecmp --out sw " +
                         kTiny) == 0);
  const Results res = read_results(dir.path / "sw" / "results.csv");
  REQUIRE(res.rows.size() == 4);
  std::map<std::string, std::vector<std::string>> by_value;
  for (const auto& r : res.rows)
    by_value[r[res.col("oversubscription")]] = r;
  REQUIRE(by_value.size() == 4);
  for (const std::string bad : {"-1", "x"}) {
    const auto& r = by_value[bad];
    CHECK(r[res.col("status")] == "failed");
    CHECK(r[res.col("message")].find("--oversubscription") != std::string::npos);
    CHECK(r[res.col("message")].find(bad) != std::string::npos);
    CHECK(r[res.col("cct_us")].empty());
    CHECK(r[res.col("leaves")] == "2");  // the parameters are still recorded
  }
  CHECK(by_value["1"][res.col("status")] == "ok");
  CHECK(by_value["2"][res.col("status")] == "ok");
  CHECK(slurp(dir.path / "stdout.txt").find("2 ok, 2 not ok") != std::string::npos);
}

TEST_CASE("cli::sweep: a point past the timeout is killed and recorded as timeout") {
  ScratchDir dir;
  // A point that never ends whatever the simulator's speed: its traffic matrix is a FIFO that
  // nobody writes, so opening it blocks. The other point reads a real 4x4 matrix (12 flows of
  // 4 KiB) and ends in milliseconds (well under a second even under ASan on a loaded 2-core
  // machine, where 2 s proved too tight). The 6 s timeout must kill the first and keep the
  // second.
  REQUIRE(::mkfifo((dir.path / "never.csv").c_str(), 0600) == 0);
  {
    std::ofstream m(dir.path / "m.csv");
    for (int r = 0; r < 4; ++r)
      m << (r == 0 ? "0" : "4096") << "," << (r == 1 ? "0" : "4096") << ","
        << (r == 2 ? "0" : "4096") << "," << (r == 3 ? "0" : "4096") << "\n";
  }
  REQUIRE(moesim_in(dir,
                    "sweep --set matrix=m.csv,never.csv --timeout 6s --jobs 2 --out sw "
                    "--workload all-to-allv --leaves 2 --spines 2 --hosts-per-leaf 2 "
                    "--model fluid --transport ecmp") == 0);
  const Results res = read_results(dir.path / "sw" / "results.csv");
  REQUIRE(res.rows.size() == 2);
  std::string never_id;
  for (const auto& r : res.rows) {
    const bool never = r[res.col("matrix")] == "never.csv";
    CHECK(r[res.col("status")] == (never ? "timeout" : "ok"));
    if (never) never_id = r[res.col("point")];
  }
  // The time it was given is in timings.csv (point,status,wall_s): killed at 6 s, not later.
  const Results times = read_results(dir.path / "sw" / "timings.csv");
  REQUIRE(times.rows.size() == 2);
  for (const auto& r : times.rows) {
    if (r[times.col("point")] != never_id) continue;
    CHECK(r[times.col("status")] == "timeout");
    CHECK(std::stod(r[times.col("wall_s")]) >= 6.0);
    CHECK(std::stod(r[times.col("wall_s")]) < 14.0);
  }
}

TEST_CASE("cli::sweep: a sweep whose every point fails exits 1 and says so") {
  ScratchDir dir;
  REQUIRE(moesim_in(dir, "sweep --set oversubscription=-1,x --jobs 2 --out sw " + kTiny) == 1);
  CHECK(slurp(dir.path / "stderr.txt").find("no point succeeded") != std::string::npos);
  CHECK(read_results(dir.path / "sw" / "results.csv").rows.size() == 2);  // still recorded
}

TEST_CASE("cli::sweep: resume after SIGKILL runs every point exactly once") {
  ScratchDir dir;
  // 24 points of about 0.1 s each (64 MiB per pair through the packet model), 2 at a time.
  const std::vector<std::string> args = {
      "sweep", "--seeds",  "24",   "--jobs",           "2", "--out",   "sw",     "--leaves",
      "2",     "--spines", "2",    "--hosts-per-leaf", "2", "--model", "packet", "--transport",
      "ecmp",  "--size",   "64MiB"};
  const pid_t pid = spawn_moesim(dir, args);
  REQUIRE(pid > 0);
  const fs::path csv = dir.path / "sw" / "results.csv";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (data_lines(csv) < 4 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  REQUIRE(::kill(pid, SIGKILL) == 0);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFSIGNALED(status));
  const size_t at_kill = data_lines(csv);
  INFO("rows when killed: " << at_kill);
  REQUIRE(at_kill >= 4);
  REQUIRE(at_kill < 24);  // killed mid-sweep, or the test shows nothing

  std::string resume;
  for (const auto& a : args)
    resume += a + " ";
  REQUIRE(moesim_in(dir, resume) == 0);
  const std::string out = slurp(dir.path / "stdout.txt");
  CHECK(out.find(fmt::format("24 points; {} done before, {} to run", at_kill, 24 - at_kill)) !=
        std::string::npos);
  const Results res = read_results(csv);
  CHECK(res.rows.size() == 24);
  const auto per_point = res.rows_per_point();
  CHECK(per_point.size() == 24);
  for (const auto& [id, n] : per_point)
    CHECK(n == 1);
  std::set<std::string> seeds;
  for (const auto& r : res.rows) {
    CHECK(r[res.col("status")] == "ok");
    seeds.insert(r[res.col("seed")]);
  }
  CHECK(seeds.size() == 24);
  // The resumed sweep wrote the same bytes as one never stopped.
  std::vector<std::string> whole = args;
  whole[6] = "whole";  // --out
  std::string again;
  for (const auto& a : whole)
    again += a + " ";
  REQUIRE(moesim_in(dir, again) == 0);
  CHECK(slurp(dir.path / "whole" / "results.csv") == slurp(csv));
}

TEST_CASE("cli::sweep: --jobs 1 and --jobs 2 give the same rows") {
  ScratchDir dir;
  REQUIRE(moesim_in(dir, "sweep " + kGrid + " --jobs 1 --out j1 " + kFixed) == 0);
  REQUIRE(moesim_in(dir, "sweep " + kGrid + " --jobs 2 --out j2 " + kFixed) == 0);
  // Byte for byte: rows in plan order whatever order the points finish in, no timings.
  const std::string a = slurp(dir.path / "j1" / "results.csv");
  CHECK(read_results(dir.path / "j1" / "results.csv").rows.size() == 24);
  CHECK(slurp(dir.path / "j2" / "results.csv") == a);
}

TEST_CASE("cli::sweep: shards partition the points and merge into the full sweep") {
  ScratchDir dir;
  REQUIRE(moesim_in(dir, "sweep " + kGrid + " --jobs 1 --out full " + kFixed) == 0);
  std::set<std::string> seen;
  size_t total = 0;
  std::string inputs;
  for (int i = 0; i < 3; ++i) {
    REQUIRE(moesim_in(dir,
                      fmt::format("sweep {} --shard {}/3 --out s{} {}", kGrid, i, i, kFixed)) == 0);
    const auto ids =
        read_results(dir.path / fmt::format("s{}", i) / "results.csv").rows_per_point();
    total += ids.size();
    for (const auto& [id, n] : ids)
      seen.insert(id);
    inputs += fmt::format("s{}/results.csv ", i);
  }
  CHECK(total == 12);        // 12 = 4 + 4 + 4: every point in some shard ...
  CHECK(seen.size() == 12);  // ... and in only one
  REQUIRE(moesim_in(dir, "sweep --merge " + inputs + "--out merged") == 0);
  CHECK(read_results(dir.path / "merged" / "results.csv").comparable() ==
        read_results(dir.path / "full" / "results.csv").comparable());
  // A merge never overwrites.
  CHECK(moesim_in(dir, "sweep --merge " + inputs + "--out merged") == 2);
}

TEST_CASE("cli::sweep: moesim-mpi with 2 ranks gives the same rows as --jobs 1") {
  // The data and tools the suite needs are installed in CI: missing is a failure.
  REQUIRE(fs::exists(MOESIM_MPIEXEC));
  ScratchDir dir;
  REQUIRE(moesim_in(dir, "sweep " + kGrid + " --jobs 1 --out j1 " + kFixed) == 0);
  REQUIRE(run_in(dir, fmt::format("'{}' -np 2 --oversubscribe --allow-run-as-root '{}' sweep {} "
                                  "--out mpi {}",
                                  MOESIM_MPIEXEC, MOESIM_MPI_BINARY, kGrid, kFixed)) == 0);
  const std::string out = slurp(dir.path / "stdout.txt");
  INFO(out << slurp(dir.path / "stderr.txt"));
  CHECK(out.find("2 ranks") != std::string::npos);
  const std::string a = slurp(dir.path / "j1" / "results.csv");
  CHECK(read_results(dir.path / "j1" / "results.csv").rows.size() == 24);
  CHECK(slurp(dir.path / "mpi" / "results.csv") == a);
  // Resume through MPI: nothing left to run, nothing added.
  REQUIRE(run_in(dir, fmt::format("'{}' -np 2 --oversubscribe --allow-run-as-root '{}' sweep {} "
                                  "--out mpi {}",
                                  MOESIM_MPIEXEC, MOESIM_MPI_BINARY, kGrid, kFixed)) == 0);
  CHECK(slurp(dir.path / "stdout.txt").find("12 done before, 0 to run") != std::string::npos);
  CHECK(read_results(dir.path / "mpi" / "results.csv").rows.size() == 24);
}

TEST_CASE("cli::sweep: bad sweep input exits with code 2 - one line and no output") {
  const std::vector<std::string> bad = {
      "sweep --set warp=1",
      "sweep --set leaves=1:3",
      "sweep --set leaves=2,4 --set spines=2 --zip leaves,spines",
      "sweep --set leaves=2,4 --leaves 4",
      "sweep --set out=a,b",
      "sweep --seeds 0",
      "sweep --shard 3/3",
      "sweep --jobs 0",
      "sweep --timeout 5",
      "sweep --grid missing.ini",
      "sweep --grid bad.ini",
      "sweep --set leaves=2,4 --no-such-flag 1",
  };
  for (const std::string& args : bad) {
    ScratchDir dir;
    std::ofstream(dir.path / "bad.ini") << "leaves = 2,4\nwarp = 9\n";
    INFO(args);
    CHECK(moesim_in(dir, args + " --out sw") == 2);
    const std::string err = slurp(dir.path / "stderr.txt");
    CHECK(err.rfind("moesim: error: ", 0) == 0);
    CHECK(std::count(err.begin(), err.end(), '\n') == 1);
    CHECK(!fs::exists(dir.path / "sw"));
    if (args == "sweep --grid bad.ini") CHECK(err.find("bad.ini:2") != std::string::npos);
  }
  ScratchDir dir;
  CHECK(moesim_in(dir, "sweep --seeds 2") == 2);  // no --out
}

TEST_CASE("sweep::process: failures crashes and timeouts of children are told apart") {
  ScratchDir dir;
  ProcessPool pool(0.3, "300ms");
  auto job = [&](size_t i, const std::string& script) {
    return ChildJob{i, "/bin/sh", {"sh", "-c", script}, dir.path / fmt::format("p{}", i)};
  };
  pool.start(job(0, fmt::format("echo fine > '{}/results.csv'", (dir.path / "p0").string())));
  pool.start(job(1, "echo 'first line' >&2; echo second >&2; exit 3"));
  pool.start(job(2, "kill -SEGV $$"));
  pool.start(job(3, "sleep 5"));
  pool.start(ChildJob{4, "/nonexistent/moesim", {"moesim"}, dir.path / "p4"});
  std::map<size_t, moesim::cli::ChildResult> done;
  while (pool.running() > 0) {
    for (auto& r : pool.wait(100))
      done[r.index] = r;
  }
  REQUIRE(done.size() == 5);
  CHECK(done[0].status == PointStatus::Ok);
  CHECK(done[0].results_csv == "fine\n");
  CHECK(done[1].status == PointStatus::Failed);
  CHECK(done[1].message == "first line");
  CHECK(done[2].status == PointStatus::Crashed);
  CHECK(done[2].message.find("signal 11") != std::string::npos);
  CHECK(done[3].status == PointStatus::Timeout);
  CHECK(done[3].wall_s < 4.0);
  CHECK(done[4].status == PointStatus::Failed);
  CHECK(done[4].message == "moesim sweep: cannot execute '/nonexistent/moesim' (errno 2)");
}
