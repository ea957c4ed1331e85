// End-to-end hardening (issue 16): the commands that used to die with std::bad_alloc, give a
// wrong answer with exit 0, print a message over several lines, or leave directories behind
// now exit 2 with one line on stderr and leave nothing.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <string>
#include <thread>

#include <catch2/catch.hpp>

#include "cli_util.hpp"

using namespace moesim::test;
using Catch::Matchers::Contains;

namespace {

// stderr of the last run_moesim in `dir`: exactly one line (with its '\n').
std::string one_line_stderr(const TempDir& dir) {
  const std::string err = slurp(dir.path / "stderr.txt");
  INFO(err);
  REQUIRE(!err.empty());
  REQUIRE(err.find('\n') == err.size() - 1);
  return err;
}

// Entries of `dir` whose name contains "staging".
int staging_entries(const fs::path& dir) {
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir))
    n += e.path().filename().string().find("staging") != std::string::npos;
  return n;
}

constexpr const char* kTwoHosts = "run --leaves 1 --spines 1 --hosts-per-leaf 2";

}  // namespace

TEST_CASE("cli::trace: a 36-byte .mtrace claiming 2^30 tokens exits 2, not bad_alloc") {
  TempDir dir;
  {
    // "MOETRACE", version 1, 8 experts, top-2, no flags; a batch (0, 0) of 2^30 tokens.
    std::ofstream f(dir.path / "t.mtrace", std::ios::binary);
    f << "MOETRACE";
    for (const uint32_t v : {1u, 8u, 2u, 0u, 0u, 0u, 1u << 30})
      f.write(reinterpret_cast<const char*>(&v), sizeof v);
  }
  REQUIRE(fs::file_size(dir.path / "t.mtrace") == 36);
  REQUIRE(run_moesim(dir, "trace stats t.mtrace --experts 8") == 2);
  REQUIRE_THAT(one_line_stderr(dir), Contains("claims 1073741824 tokens"));
}

TEST_CASE("cli::run: sizes and times beyond the integer types exit 2") {
  TempDir dir;
  struct Case {
    std::string args;
    std::string expected;
  };
  for (const Case& c : {
           // 4032 B * (2^32 + 1): the packet model numbered 1 packet and said 2.164 us.
           Case{"--model analytic,fluid,packet --transport ecmp --size 17317308141504B",
                "4294967297 packets"},
           // Two flows of 2^64 - 1 B: the total wrapped and cct_us was 0.
           Case{"--size 18446744073709551615B", "18446744073709551615B moved 2 times"},
           // INT64_MAX ps of attention: exited 0 with a CCT of 9.2e12 us.
           Case{"--workload moe --attention-time 9223372036854775807ps",
                "--attention-time: '9223372036854775807ps' is too large"},
           // 2^62 ps per link: two links overflowed a path's latency.
           Case{"--latency 4611686018427387904ps",
                "--latency: '4611686018427387904ps' is too large"},
           // 10^18 B at 1 bps: 8e18 s; fluid cast it to int64 and failed on a negative time.
           Case{"--host-rate 1bps --size 1000000TB --model fluid", "needs 8e+18 s at 1 bps"},
       }) {
    INFO(c.args);
    CHECK(run_moesim(dir, fmt::format("{} {} --out res", kTwoHosts, c.args)) == 2);
    CHECK_THAT(one_line_stderr(dir), Contains(c.expected));
    CHECK(!fs::exists(dir.path / "res"));
    CHECK(staging_entries(dir.path) == 0);
  }
}

TEST_CASE("cli::balance: llep counts of 2^64 - 1 exit 2") {
  TempDir dir;
  std::ofstream(dir.path / "counts.csv") << "expert,count\n0,18446744073709551615\n1,"
                                            "18446744073709551615\n";
  REQUIRE(run_moesim(dir,
                     "balance --policy llep --counts counts.csv --gpus 2 --local-experts 1 "
                     "--out plan.csv") == 2);
  REQUIRE_THAT(one_line_stderr(dir), Contains("counts.csv:2: field count"));
  REQUIRE(!fs::exists(dir.path / "plan.csv"));
}

TEST_CASE("cli::run: a failed run with --out a/b/c leaves no directory behind") {
  TempDir dir;
  // The packet model refuses this size after the output directory was staged.
  REQUIRE(run_moesim(dir, fmt::format("{} --model packet --size 17317308141504B --out a/b/c",
                                      kTwoHosts)) == 2);
  CHECK(!fs::exists(dir.path / "a"));
  // An existing parent is kept: only what the run made goes.
  fs::create_directories(dir.path / "keep");
  REQUIRE(run_moesim(dir, fmt::format("{} --model packet --size 17317308141504B --out keep/b/c",
                                      kTwoHosts)) == 2);
  CHECK(fs::exists(dir.path / "keep"));
  CHECK(!fs::exists(dir.path / "keep" / "b"));
}

TEST_CASE("cli::run: SIGTERM or SIGINT during a run removes its staging directory") {
  for (const int sig : {SIGTERM, SIGINT}) {
    INFO("signal " << sig);
    TempDir dir;
    // A packet-level all-to-all of 1 GiB per pair on 8 hosts takes minutes: the signal
    // arrives while it runs, once the staging directory exists.
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      if (::chdir(dir.path.c_str()) != 0) ::_exit(127);
      const int null = ::open("/dev/null", O_WRONLY);
      ::dup2(null, 1);
      ::dup2(null, 2);
      // A shell may have started the test runner with SIGINT ignored; a child inherits
      // that, and a run keeps what it inherits. This run is meant to hear it.
      ::signal(SIGINT, SIG_DFL);
      ::execl(MOESIM_BINARY, MOESIM_BINARY, "run", "--leaves", "2", "--spines", "2",
              "--hosts-per-leaf", "4", "--model", "packet", "--size", "1GiB", "--out", "x/res",
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    bool staged = false;
    for (int i = 0; i < 600 && !staged; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      staged = fs::exists(dir.path / "x") && staging_entries(dir.path / "x") > 0;
    }
    ::kill(pid, sig);
    int status = 0;
    ::waitpid(pid, &status, 0);
    REQUIRE(staged);
    // Killed by the signal itself (the handler re-raises it), and nothing left: not the
    // staging directory, not the x/ made for it.
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == sig);
    CHECK(!fs::exists(dir.path / "x"));
  }
}
