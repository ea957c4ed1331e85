// Helpers for end-to-end tests of the `moesim` binary (MOESIM_BINARY, defined by CMake).
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace moesim::test {

namespace fs = std::filesystem;

// A fresh directory per test, removed afterwards.
struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / fmt::format("moesim-cli-{}-{}", ::getpid(), counter()++);
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  static int& counter() {
    static int c = 0;
    return c;
  }
};

// Runs `moesim ARGS` in `dir` with stdout.txt and stderr.txt there; returns the exit code.
inline int run_moesim(const TempDir& dir, const std::string& args) {
  const std::string cmd = fmt::format("cd '{}' && '{}' {} > stdout.txt 2> stderr.txt",
                                      dir.path.string(), MOESIM_BINARY, args);
  const int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

inline std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::vector<std::string> split(const std::string& line, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  for (std::string item; std::getline(ss, item, sep);)
    out.push_back(item);
  return out;
}

// Column index of `name` in a CSV header line, or the header's size if absent.
inline size_t column(const std::string& header, const std::string& name) {
  const auto cols = split(header, ',');
  return static_cast<size_t>(std::find(cols.begin(), cols.end(), name) - cols.begin());
}

// Sums a numeric column over the data rows of a CSV.
inline double column_sum(const std::string& csv, const std::string& name) {
  const auto lines = split(csv, '\n');
  const size_t c = column(lines.at(0), name);
  double sum = 0;
  for (size_t i = 1; i < lines.size(); ++i)
    sum += std::stod(split(lines[i], ',').at(c));
  return sum;
}

}  // namespace moesim::test
