#include "experiments/sweep_progress.hpp"

#include <unistd.h>

#include <cstdio>
#include <string>

#include <fmt/format.h>

namespace moesim::cli {
namespace {

std::string clock_text(double s) {
  const auto t = static_cast<long>(s + 0.5);
  if (t >= 3600) return fmt::format("{}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60);
  return fmt::format("{}:{:02}", t / 60, t % 60);
}

}  // namespace

Progress::Progress(size_t total, size_t already_done, bool forced)
    : enabled_(forced || ::isatty(STDERR_FILENO)),
      tty_(::isatty(STDERR_FILENO)),
      total_(total),
      done_(already_done),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {
  if (enabled_ && tty_) draw(false);
}

void Progress::finished(bool ok) {
  ++done_;
  ++ran_;
  if (!ok) ++failed_;
  if (enabled_) draw(!tty_);
}

void Progress::tick() {
  if (!enabled_ || !tty_) return;
  if (std::chrono::steady_clock::now() - last_draw_ >= std::chrono::seconds(1)) draw(false);
}

void Progress::close() {
  if (enabled_ && tty_) std::fputs("\n", stderr);
}

void Progress::draw(bool newline) {
  const auto now = std::chrono::steady_clock::now();
  last_draw_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const size_t left = total_ - done_;
  const std::string eta =
      ran_ == 0 ? "--:--" : clock_text(elapsed / static_cast<double>(ran_) * left);
  constexpr size_t kWidth = 30;
  const size_t filled = total_ ? done_ * kWidth / total_ : kWidth;
  const std::string bar = std::string(filled, '#') + std::string(kWidth - filled, '.');
  const std::string text = fmt::format("[{}] {}/{} points, {} failed, {} elapsed, ETA {}", bar,
                                       done_, total_, failed_, clock_text(elapsed), eta);
  if (newline) {
    fmt::print(stderr, "sweep: {}\n", text);
  } else {
    fmt::print(stderr, "\r{}\x1b[K", text);
  }
  std::fflush(stderr);
}

}  // namespace moesim::cli
