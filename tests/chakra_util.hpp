// Helpers of the Chakra ET tests: the ASTRA-sim microbenchmarks in ../shared/data/chakra, and
// rank files written (or rewritten from those) into a test's directory.
#pragma once

#include <fstream>
#include <string>
#include <vector>

#include "tests/cli_util.hpp"
#include "workloads/chakra/chakra_file.hpp"

namespace moesim::test {

namespace chakra = moesim::workload::chakra;

// The prefix of microbenchmark NAME on N ranks, e.g. ("all_reduce", 4) ->
// .../all_reduce_4npus_1MB/all_reduce (files all_reduce.0.et ... all_reduce.3.et).
inline std::string microbenchmark(const std::string& name, int n) {
  return fmt::format("{}/chakra/astra-sim-microbenchmarks/{}_{}npus_1MB/{}", MOESIM_SHARED_DATA,
                     name, n, name);
}

// A leaf-spine of exactly n hosts (2 leaves of n/2 hosts, 2 spines, the default 400 Gb/s and
// 1 us links), so rank r = host r and the built-in collective spans the same hosts.
inline std::string fabric_of(int n) {
  return fmt::format("--leaves 2 --hosts-per-leaf {} --spines 2", n / 2);
}

inline void write_bytes(const fs::path& p, const std::string& bytes) {
  std::ofstream os(p, std::ios::binary | std::ios::trunc);
  os << bytes;
}

inline std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Writes `ranks` as PREFIX.r.et (serialize_rank, the stream parse_rank reads).
inline void write_trace(const std::string& prefix, const std::vector<chakra::RankTrace>& ranks) {
  for (size_t r = 0; r < ranks.size(); ++r)
    write_bytes(fmt::format("{}.{}.et", prefix, r), chakra::serialize_rank(ranks[r]));
}

// The data rows of results.csv from column cct_us on (the metrics; the columns before it are
// the options, which name the workload differently on each side of a round trip).
inline std::vector<std::string> metric_rows(const fs::path& results_csv) {
  const std::vector<std::string> lines = split(slurp(results_csv), '\n');
  const size_t first = column(lines.at(0), "cct_us");
  std::vector<std::string> rows;
  for (const std::string& line : lines) {
    const std::vector<std::string> cells = split(line, ',');
    std::string row;
    for (size_t c = first; c < cells.size(); ++c)
      row += cells[c] + ",";
    rows.push_back(row);
  }
  return rows;
}

}  // namespace moesim::test
