// The sweep's progress bar on stderr: points done/total, failures, elapsed time and ETA.
// Redrawn in place on a terminal; one line per finished point when forced with --progress
// on a pipe or file (logs of cluster jobs).
#pragma once

#include <chrono>
#include <cstddef>

namespace moesim::cli {

class Progress {
 public:
  // `total` points in this run, of which `already_done` were recorded by earlier runs.
  Progress(size_t total, size_t already_done, bool forced);
  void finished(bool ok);  // one more point ended
  void tick();             // redraws the terminal bar about once a second
  void close();            // ends the bar's line

 private:
  void draw(bool newline);
  bool enabled_;
  bool tty_;
  size_t total_;
  size_t done_;
  size_t ran_ = 0;  // finished in this run (the ETA's basis)
  size_t failed_ = 0;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace moesim::cli
