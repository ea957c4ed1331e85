// OutputDir: staging, commit by rename, and removal of everything a failed or interrupted run
// made (see the header).
#include "experiments/output_dir.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

#include <fmt/format.h>

#include "sim/core/error.hpp"

namespace fs = std::filesystem;

namespace moesim::cli {
namespace {

// ---- Cleanup on SIGINT and SIGTERM ----
// A run stopped by Ctrl-C or `kill` must not leave .<dir>.staging-<pid> behind, but no
// destructor runs when a signal ends the process, and a signal handler may only make
// async-signal-safe calls: no std::filesystem, no allocation, no opendir. So the paths to
// remove are written in advance, with the two signals blocked, into one fixed-size record:
// each file the staging directory may hold ('U': unlink), then the staging directory and the
// directories made for it, deepest first ('R': rmdir, which leaves a non-empty directory
// alone). The handler walks the record, then re-raises the signal under its default action,
// so the exit status still says "killed by SIGINT". The record is moesim's one mutable global
// (DESIGN.md §2 allows no others): a signal handler can reach nothing else. One OutputDir is
// armed at a time; paths that do not fit the record are not armed (the sweep runner also
// removes leftover staging directories before it reruns a point).
struct SignalCleanup {
  std::atomic<bool> armed{false};
  const void* holder = nullptr;  // the armed OutputDir
  pid_t owner = 0;               // the process that armed it: a forked child must not clean
  size_t used = 0;
  char ops[32768];
};
static_assert(std::atomic<bool>::is_always_lock_free, "the handler reads `armed`");
SignalCleanup g_signal_cleanup;

constexpr int kCleanSignals[] = {SIGINT, SIGTERM};

extern "C" void clean_on_signal(int sig) {
  SignalCleanup& c = g_signal_cleanup;
  if (c.armed.load() && c.owner == ::getpid()) {
    const char* p = c.ops;
    const char* const end = c.ops + c.used;
    while (p < end) {
      const char op = *p++;
      if (op == 'U') {
        ::unlink(p);
      } else {
        ::rmdir(p);
      }
      while (*p != '\0')
        ++p;
      ++p;
    }
  }
  // SA_RESETHAND restored the default action on entry; the signal is delivered again as soon
  // as this handler returns.
  ::raise(sig);
}

// Blocks SIGINT and SIGTERM in this thread while the record changes.
class SignalsBlocked {
 public:
  SignalsBlocked() {
    sigset_t set;
    sigemptyset(&set);
    for (const int sig : kCleanSignals)
      sigaddset(&set, sig);
    pthread_sigmask(SIG_BLOCK, &set, &old_);
  }
  ~SignalsBlocked() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }
  SignalsBlocked(const SignalsBlocked&) = delete;
  SignalsBlocked& operator=(const SignalsBlocked&) = delete;

 private:
  sigset_t old_;
};

// Arms the record for `holder`: the files of `staging`, then `staging`, then `dirs`. Installs
// the handler for each signal that still has its default action (a shell starts background
// jobs with SIGINT ignored, and that choice stays).
void arm_signal_cleanup(const void* holder, const fs::path& staging,
                        const std::vector<std::string>& files, const std::vector<fs::path>& dirs) {
  SignalsBlocked blocked;
  SignalCleanup& c = g_signal_cleanup;
  if (c.armed.load()) return;  // another OutputDir holds it
  c.used = 0;
  bool fits = true;
  const auto add = [&](char op, const std::string& path) {
    if (!fits || c.used + path.size() + 2 > sizeof c.ops) {
      fits = false;
      return;
    }
    c.ops[c.used++] = op;
    std::memcpy(c.ops + c.used, path.c_str(), path.size() + 1);
    c.used += path.size() + 1;
  };
  for (const auto& f : files)
    add('U', (staging / f).string());
  add('R', staging.string());
  for (const auto& d : dirs)
    add('R', d.string());
  if (!fits) return;
  c.holder = holder;
  c.owner = ::getpid();
  c.armed.store(true);
  for (const int sig : kCleanSignals) {
    struct sigaction old {};
    if (sigaction(sig, nullptr, &old) != 0 || old.sa_handler != SIG_DFL) continue;
    struct sigaction sa {};
    sa.sa_handler = clean_on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND;
    sigaction(sig, &sa, nullptr);
  }
}

void disarm_signal_cleanup(const void* holder) {
  SignalsBlocked blocked;
  SignalCleanup& c = g_signal_cleanup;
  if (!c.armed.load() || c.holder != holder) return;
  c.armed.store(false);
  c.holder = nullptr;
}

// Removes each of `dirs` (deepest first) that exists and is empty.
void remove_empty(const std::vector<fs::path>& dirs) {
  std::error_code ec;
  for (const auto& d : dirs) {
    if (fs::is_directory(d, ec) && fs::is_empty(d, ec)) fs::remove(d, ec);
  }
}

fs::path next_free_run_dir() {
  for (int i = 1; i < 100000; ++i) {
    fs::path p = fs::path("moesim-out") / fmt::format("run-{:03d}", i);
    if (!fs::exists(p)) return p;
  }
  throw InputError("--out: moesim-out holds 99999 runs: expected --out to name a directory");
}

}  // namespace

OutputDir::OutputDir(const std::string& requested, const std::vector<std::string>& files,
                     const std::string& what)
    : target_(requested.empty() ? next_free_run_dir() : fs::path(requested)) {
  std::error_code ec;
  if (fs::exists(target_, ec) && !fs::is_directory(target_, ec)) {
    throw InputError(fmt::format("{}: '{}' exists and is not a directory: expected a directory",
                                 what, target_.string()));
  }
  for (const auto& f : files) {
    if (fs::exists(target_ / f, ec)) {
      throw InputError(
          fmt::format("{}: '{}' already holds {}: expected a new or empty directory "
                      "(results are never overwritten)",
                      what, target_.string(), f));
    }
  }
  fs::path parent = target_.parent_path().empty() ? fs::path(".") : target_.parent_path();
  staging_ = parent / fmt::format(".{}.staging-{}", target_.filename().string(), ::getpid());
  // What this run makes and must remove if it fails: the target (made by commit), and each
  // missing ancestor of the staging directory, deepest first (--out a/b/c makes a/b and a).
  if (!fs::exists(target_, ec)) created_.push_back(target_);
  for (fs::path p = parent; !p.empty() && !fs::exists(p, ec); p = p.parent_path())
    created_.push_back(p);
  fs::create_directories(staging_, ec);
  if (ec) {
    const std::string reason = ec.message();
    remove_empty(created_);  // create_directories may have made some before it failed
    throw InputError(fmt::format("{}: cannot create '{}': {}: expected a writable location", what,
                                 staging_.string(), reason));
  }
  for (const auto& f : files)
    streams_[f];  // declares the allowed names
  arm_signal_cleanup(this, staging_, files, created_);
}

OutputDir::~OutputDir() {
  if (!committed_) discard();
}

void OutputDir::discard() {
  streams_.clear();
  std::error_code ec;
  fs::remove_all(staging_, ec);  // a failed run leaves nothing behind
  remove_empty(created_);
  disarm_signal_cleanup(this);
}

std::ofstream& OutputDir::open(const std::string& name) {
  std::ofstream& s = streams_.at(name);
  if (!s.is_open()) {
    s.open(staging_ / name, std::ios::binary);
    if (!s) throw Error(fmt::format("cannot write '{}'", (staging_ / name).string()));
  }
  return s;
}

void OutputDir::commit() {
  for (auto& [name, s] : streams_) {
    if (!s.is_open()) continue;
    s.close();
    if (!s) throw Error(fmt::format("writing '{}' failed", (staging_ / name).string()));
  }
  fs::create_directories(target_);
  for (auto& [name, s] : streams_) {
    if (fs::exists(staging_ / name)) fs::rename(staging_ / name, target_ / name);
  }
  fs::remove_all(staging_);
  committed_ = true;
  disarm_signal_cleanup(this);
}

void write_new_file(const std::string& path, const std::string& content, const std::string& what) {
  const fs::path target(path);
  std::error_code ec;
  if (fs::exists(target, ec)) {
    throw InputError(
        fmt::format("{}: '{}' exists: expected a new file (results are never "
                    "overwritten)",
                    what, path));
  }
  const fs::path tmp =
      target.parent_path() / fmt::format(".{}.tmp-{}", target.filename().string(), ::getpid());
  {
    std::ofstream out(tmp);
    out << content;
    if (!out) {
      fs::remove(tmp, ec);
      throw InputError(
          fmt::format("{}: cannot write '{}': expected a writable location", what, path));
    }
  }
  fs::rename(tmp, target, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw InputError(
        fmt::format("{}: cannot create '{}': expected a writable location", what, path));
  }
}

}  // namespace moesim::cli
