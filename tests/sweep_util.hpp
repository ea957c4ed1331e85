// Helpers for the end-to-end tests of `moesim sweep`, `moesim-mpi` and `moesim plot`:
// a scratch directory, running the binaries (MOESIM_BINARY, MOESIM_MPI_BINARY from CMake),
// and reading a sweep's results.csv as rows keyed by point id.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "experiments/sweep_csv.hpp"

namespace moesim::sweep_test {

namespace fs = std::filesystem;

struct ScratchDir {
  fs::path path;
  ScratchDir() {
    static int counter = 0;
    path = fs::temp_directory_path() / fmt::format("moesim-sweep-{}-{}", ::getpid(), counter++);
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~ScratchDir() { fs::remove_all(path); }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
};

// Runs a shell command line in `dir` with stdout.txt and stderr.txt there; the exit code.
inline int run_in(const ScratchDir& dir, const std::string& command) {
  const std::string cmd =
      fmt::format("cd '{}' && {} > stdout.txt 2> stderr.txt", dir.path.string(), command);
  const int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

inline int moesim_in(const ScratchDir& dir, const std::string& args) {
  return run_in(dir, fmt::format("'{}' {}", MOESIM_BINARY, args));
}

inline std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A sweep's results.csv: the header and the rows.
struct Results {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  size_t col(const std::string& name) const {
    return static_cast<size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  }
  // Rows as text sorted by point id (then by text), as `sweep --merge` orders them.
  std::vector<std::string> comparable() const {
    std::vector<std::string> out;
    for (const auto& r : rows) {
      out.push_back(r[col("point")] + "|" + cli::csv_line(r));
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  std::map<std::string, int> rows_per_point() const {
    std::map<std::string, int> n;
    for (const auto& r : rows)
      ++n[r[col("point")]];
    return n;
  }
};

inline Results read_results(const fs::path& p) {
  Results res;
  const auto recs = cli::parse_csv(slurp(p));
  if (recs.empty()) return res;
  res.header = recs[0].fields;
  for (size_t i = 1; i < recs.size(); ++i)
    res.rows.push_back(recs[i].fields);
  return res;
}

// The fixed options of the tests' tiny runs: a 4-host leaf-spine, fluid model, 64 KiB flows.
inline const std::string kTiny =
    "--leaves 2 --spines 2 --hosts-per-leaf 2 --model fluid --size 64KiB";

}  // namespace moesim::sweep_test
