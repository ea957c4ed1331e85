// `moesim reproduce`: published numbers side by side with moesim's. A claim group (one file
// in this folder, one row of the table in registry.cpp) computes its rows by calling the
// library directly (topologies, workloads, network models) and may add one curve, drawn as a
// figure. Each row carries the band of moesim / paper it is accepted in; the command prints a
// row outside its band as such and still succeeds: tests/reproduce_test.cpp is what fails.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace moesim::cli::reproduce {

// One published number and moesim's value for it.
struct Row {
  std::string claim;    // "<claim group>/<case>", e.g. "alf/maxvio-u1e-3"
  std::string source;   // who published it, short: "DeepSeek-V3 §2.1.2; policies.md §1.7"
  std::string setting;  // what moesim ran, in words
  double paper_value = 0;
  double moesim_value = 0;
  std::string unit;
  std::string note;
  // moesim / paper is accepted in [ratio_lo, ratio_hi]; each claim argues its band.
  double ratio_lo = 1;
  double ratio_hi = 1;

  double ratio() const { return moesim_value / paper_value; }
  bool within() const;
  std::string band() const;  // "0.999-1.001"
};

// A curve that is the claim, as a tidy CSV and the `moesim plot` arguments that draw it
// (without the CSV path and --out, which the command adds).
struct Curve {
  std::string csv;
  std::vector<std::string> plot_args;
};

struct Result {
  std::vector<Row> rows;
  Curve curve;  // empty csv: no figure
};

struct Options {
  bool quick = false;  // small settings, for CI: each row says when it differs from the source
  uint64_t seed = 1;
};

struct Entry {
  const char* name;
  const char* summary;
  const char* figure;  // file stem of the curve (reproduce_<name>), or nullptr
  Result (*run)(const Options&);
};

// The claim groups in the order they run and print.
std::span<const Entry* const> registry();
const Entry* find(std::string_view name);

}  // namespace moesim::cli::reproduce
