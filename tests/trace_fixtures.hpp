// Fixtures for the router-trace tests: a temporary directory, a small hand-made trace, and the
// location of the real traces (read from ../shared/data at test time, never copied here).
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "workloads/trace.hpp"

namespace moesim::test {

// A fresh directory under the system temp dir, removed at the end of the test.
class TraceTempDir {
 public:
  TraceTempDir() {
    namespace fs = std::filesystem;
    for (int i = 0;; ++i) {
      path_ = fs::temp_directory_path() / ("moesim_trace_test_" + std::to_string(i));
      if (fs::create_directory(path_)) return;
    }
  }
  ~TraceTempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::string path(const std::string& name) const { return (path_ / name).string(); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path(name), std::ios::binary) << text;
    return path(name);
  }

 private:
  std::filesystem::path path_;
};

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// 4 experts, top-2, with weights and source ranks; 2 iterations x 2 layers. Layer 1 of
// iteration 0 lacks token 1 (as the Mario928 profiler drops tokens), so token ids have a gap.
// Weights are exact binary fractions or short decimals, printed back as written.
inline workload::Trace hand_trace() {
  workload::Trace t;
  t.shape = {4, 2, true, true};
  t.batches = {
      {0,
       0,
       2,
       {0, 1, 2},
       {0, 1, 2, 3, 0, 2},
       {0.75f, 0.25f, 0.5f, 0.5f, 0.625f, 0.375f},
       {0, 0, 1}},
      {0, 1, 2, {0, 2}, {3, 1, 1, 0}, {0.9f, 0.1f, 0.6f, 0.4f}, {0, 1}},
      {1, 0, 2, {0}, {1, 3}, {0.7f, 0.3f}, {1}},
      {1, 1, 2, {0}, {2, 0}, {0.55f, 0.45f}, {1}},
  };
  return t;
}

// The long CSV of hand_trace(): one row per (token, chosen expert), top-1 first.
inline const char* hand_trace_csv() {
  return "iteration,layer,token,rank,expert,weight\n"
         "0,0,0,0,0,0.75\n"
         "0,0,0,0,1,0.25\n"
         "0,0,1,0,2,0.5\n"
         "0,0,1,0,3,0.5\n"
         "0,0,2,1,0,0.625\n"
         "0,0,2,1,2,0.375\n"
         "0,1,0,0,3,0.9\n"
         "0,1,0,0,1,0.1\n"
         "0,1,2,1,1,0.6\n"
         "0,1,2,1,0,0.4\n"
         "1,0,0,1,1,0.7\n"
         "1,0,0,1,3,0.3\n"
         "1,1,0,1,2,0.55\n"
         "1,1,0,1,0,0.45\n";
}

// data/traces in the shared directory (the CMake-defined MOESIM_SHARED_DATA).
inline std::string traces_dir() {
  return std::string(MOESIM_SHARED_DATA) + "/traces";
}
inline std::string mario928_dir() {
  return traces_dir() + "/mixtral-8x7b_vllm_Mario928-speculative-moe";
}

}  // namespace moesim::test
