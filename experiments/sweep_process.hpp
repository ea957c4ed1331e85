// Child processes of a sweep: each point is one `moesim run` in its own process (fault
// isolation, and SimGrid allows one engine per process), in its own process group, killed
// when it exceeds the timeout or when the sweep process dies (PR_SET_PDEATHSIG).
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace moesim::cli {

enum class PointStatus { Ok, Failed, Timeout, Crashed };
const char* to_string(PointStatus s);

struct ChildJob {
  size_t index = 0;               // the point's index in the plan
  std::string exe;                // the program to execute, e.g. /proc/self/exe
  std::vector<std::string> argv;  // argv[0] is only its name
  std::filesystem::path dir;      // the point's directory: stdout.txt, stderr.txt, results.csv
};

struct ChildResult {
  size_t index = 0;
  PointStatus status = PointStatus::Failed;
  std::string message;  // first line of stderr, or what killed the child
  double wall_s = 0;
  std::string results_csv;  // the child's results.csv when status is Ok
};

class ProcessPool {
 public:
  explicit ProcessPool(std::optional<double> timeout_s, std::string timeout_text = "");
  ~ProcessPool();  // kills whatever still runs
  ProcessPool(const ProcessPool&) = delete;
  ProcessPool& operator=(const ProcessPool&) = delete;

  // Empties job.dir (a stale attempt) and starts the child with stdout and stderr there.
  void start(const ChildJob& job);
  size_t running() const { return children_.size(); }
  // Reaps the children that ended (killing those past the timeout), waiting up to max_ms for
  // at least one when none has ended yet.
  std::vector<ChildResult> wait(int max_ms);

 private:
  struct Child {
    pid_t pid;
    ChildJob job;
    std::chrono::steady_clock::time_point start;
    bool timed_out = false;
  };
  std::optional<double> timeout_s_;
  std::string timeout_text_;
  std::vector<Child> children_;
  ChildResult finish(const Child& c, int wait_status) const;
};

// The running executable (/proc/self/exe).
std::string self_exe();
// Runs argv[0] with argv, inheriting stdin/stdout/stderr; returns its exit code (128 + signal
// when killed), or -1 when it could not be started.
int run_and_wait(const std::vector<std::string>& argv);
// Runs argv and returns its standard output; Error if it does not exit with code 0.
std::string run_and_capture(const std::vector<std::string>& argv);

}  // namespace moesim::cli
