#include "experiments/output_dir.hpp"

#include <unistd.h>

#include <fmt/format.h>

#include "sim/core/error.hpp"

namespace fs = std::filesystem;

namespace moesim::cli {
namespace {

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
  if (!fs::exists(parent, ec)) created_parent_ = parent;
  fs::create_directories(staging_, ec);
  if (ec) {
    throw InputError(fmt::format("{}: cannot create '{}': {}: expected a writable location", what,
                                 staging_.string(), ec.message()));
  }
  for (const auto& f : files)
    streams_[f];  // declares the allowed names
}

OutputDir::~OutputDir() {
  if (committed_) return;
  streams_.clear();
  std::error_code ec;
  fs::remove_all(staging_, ec);  // a failed run leaves nothing behind
  if (!created_parent_.empty() && fs::is_empty(created_parent_, ec))
    fs::remove(created_parent_, ec);
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
