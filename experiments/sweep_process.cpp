#include "experiments/sweep_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "sim/core/error.hpp"

namespace fs = std::filesystem;

namespace moesim::cli {
namespace {

constexpr size_t kMaxMessage = 500;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string first_line(const std::string& text) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    const size_t b = line.find_first_not_of(" \t\r");
    if (b == std::string::npos) continue;
    line = line.substr(b, line.find_last_not_of(" \t\r") - b + 1);
    if (line.size() > kMaxMessage) line = line.substr(0, kMaxMessage) + "...";
    return line;
  }
  return "";
}

// argv as the char* array execv wants; the strings must outlive the call.
std::vector<char*> c_argv(const std::vector<std::string>& argv) {
  std::vector<char*> out;
  for (const auto& a : argv)
    out.push_back(const_cast<char*>(a.c_str()));
  out.push_back(nullptr);
  return out;
}

// In the child after fork: only async-signal-safe calls until exec. `failed` is the start of
// the message written when exec fails; the errno number follows it.
[[noreturn]] void exec_child(const char* exe, char* const* argv, pid_t parent, int out_fd,
                             int err_fd, const std::string& failed) {
  ::setpgid(0, 0);
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // the sweep died: stop, a resume will redo the point
  if (::getppid() != parent) ::_exit(126);
  if (out_fd >= 0) ::dup2(out_fd, STDOUT_FILENO);
  if (err_fd >= 0) ::dup2(err_fd, STDERR_FILENO);
  ::execv(exe, argv);
  char digits[16];
  int n = 0;
  for (int e = errno; n == 0 || e > 0; e /= 10)
    digits[n++] = static_cast<char>('0' + e % 10);
  [[maybe_unused]] ssize_t w = ::write(STDERR_FILENO, failed.data(), failed.size());
  while (n > 0)
    w = ::write(STDERR_FILENO, &digits[--n], 1);
  w = ::write(STDERR_FILENO, ")\n", 2);
  ::_exit(127);
}

int open_log(const fs::path& p) {
  const int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw Error(fmt::format("cannot create '{}': {}", p.string(), std::strerror(errno)));
  return fd;
}

}  // namespace

const char* to_string(PointStatus s) {
  switch (s) {
    case PointStatus::Ok:
      return "ok";
    case PointStatus::Failed:
      return "failed";
    case PointStatus::Timeout:
      return "timeout";
    case PointStatus::Crashed:
      return "crashed";
  }
  return "?";
}

ProcessPool::ProcessPool(std::optional<double> timeout_s, std::string timeout_text)
    : timeout_s_(timeout_s), timeout_text_(std::move(timeout_text)) {}

ProcessPool::~ProcessPool() {
  for (const Child& c : children_) {
    ::kill(-c.pid, SIGKILL);
    int status = 0;
    ::waitpid(c.pid, &status, 0);
  }
}

void ProcessPool::start(const ChildJob& job) {
  std::error_code ec;
  fs::remove_all(job.dir, ec);  // a stale attempt never recorded in results.csv
  // ... and the staging directories a killed `moesim run` left beside it (OutputDir names
  // them .<dir name>.staging-<pid>).
  const std::string staging = fmt::format(".{}.staging-", job.dir.filename().string());
  for (fs::directory_iterator it(job.dir.parent_path(), ec), end; !ec && it != end;
       it.increment(ec)) {
    if (it->path().filename().string().rfind(staging, 0) == 0) fs::remove_all(it->path(), ec);
  }
  ec.clear();
  fs::create_directories(job.dir, ec);
  if (ec) {
    throw Error(fmt::format("cannot create '{}': {}", job.dir.string(), ec.message()));
  }
  const int out_fd = open_log(job.dir / "stdout.txt");
  const int err_fd = open_log(job.dir / "stderr.txt");
  std::vector<char*> argv = c_argv(job.argv);
  const pid_t parent = ::getpid();
  const std::string failed = fmt::format("moesim sweep: cannot execute '{}' (errno ", job.exe);
  const auto t0 = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid == 0) exec_child(job.exe.c_str(), argv.data(), parent, out_fd, err_fd, failed);
  ::close(out_fd);
  ::close(err_fd);
  if (pid < 0) throw Error(fmt::format("fork failed: {}", std::strerror(errno)));
  ::setpgid(pid, pid);  // also done by the child; whichever runs first wins the race
  children_.push_back({pid, job, t0});
}

ChildResult ProcessPool::finish(const Child& c, int wait_status) const {
  ChildResult r;
  r.index = c.job.index;
  r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - c.start).count();
  const std::string err = first_line(read_file(c.job.dir / "stderr.txt"));
  if (c.timed_out) {
    r.status = PointStatus::Timeout;
    r.message = fmt::format("killed after --timeout {}", timeout_text_);
  } else if (WIFSIGNALED(wait_status)) {
    const int sig = WTERMSIG(wait_status);
    r.status = PointStatus::Crashed;
    r.message = fmt::format("killed by signal {} ({}){}{}", sig, ::strsignal(sig),
                            err.empty() ? "" : ": ", err);
  } else if (WEXITSTATUS(wait_status) != 0) {
    r.status = PointStatus::Failed;
    r.message = err.empty() ? fmt::format("exit code {}", WEXITSTATUS(wait_status)) : err;
  } else if (!fs::exists(c.job.dir / "results.csv")) {
    r.status = PointStatus::Failed;
    r.message = "exit code 0 but no results.csv";
  } else {
    r.status = PointStatus::Ok;
    r.results_csv = read_file(c.job.dir / "results.csv");
  }
  return r;
}

std::vector<ChildResult> ProcessPool::wait(int max_ms) {
  std::vector<ChildResult> done;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(max_ms);
  while (true) {
    const auto now = std::chrono::steady_clock::now();
    for (size_t i = 0; i < children_.size();) {
      Child& c = children_[i];
      if (timeout_s_ && !c.timed_out &&
          std::chrono::duration<double>(now - c.start).count() > *timeout_s_) {
        ::kill(-c.pid, SIGKILL);  // the whole group, in case the child started others
        c.timed_out = true;
      }
      int status = 0;
      const pid_t got = ::waitpid(c.pid, &status, WNOHANG);
      if (got == c.pid) {
        done.push_back(finish(c, status));
        children_.erase(children_.begin() + static_cast<std::ptrdiff_t>(i));
      } else {
        ++i;
      }
    }
    if (!done.empty() || children_.empty() || now >= deadline) return done;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::string self_exe() {
  std::error_code ec;
  const fs::path p = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw Error(fmt::format("cannot read /proc/self/exe: {}", ec.message()));
  return p.string();
}

int run_and_wait(const std::vector<std::string>& argv) {
  std::vector<char*> args = c_argv(argv);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  if (pid < 0) return -1;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

std::string run_and_capture(const std::vector<std::string>& argv) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw Error("pipe failed");
  std::vector<char*> args = c_argv(argv);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  while (pid > 0 && ::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw Error(fmt::format("'{}' failed", fmt::join(argv, " ")));
  }
  return out;
}

}  // namespace moesim::cli
