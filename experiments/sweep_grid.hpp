// The grid of a `moesim sweep`: axes over options of `moesim run` (--set key=v1,v2 or ranges
// key=a:b:step, --grid files of `key = values` lines), --zip groups of axes that move
// together, and --seeds replicas; expanded into points in one fixed order, so that a point's
// index (used by --shard) is the same in every process that expands the same grid.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace moesim::cli {

// One varied option and its values as text (the child `moesim run` parses them).
struct AxisSpec {
  std::string key;
  std::vector<std::string> values;
  std::string where;  // "--set" or "grid.ini:3", for error messages
};

// A value list: "v1,v2,..." (items trimmed, none empty) where an item "a:b:step" of three
// numbers is a range from a to b inclusive (within rounding) in steps of step. The numbers
// may carry one unit suffix ("64KiB:256KiB:64KiB" or "1:4:1us"), which every value keeps.
// "split:4" is not a range: only items whose three parts are all numbers are.
std::vector<std::string> parse_values(const std::string& text, const std::string& where);

struct GridSpec {
  std::vector<AxisSpec> axes;                  // in order of appearance
  std::vector<std::vector<std::string>> zips;  // keys whose values move together
  std::vector<std::string> zip_where;
  uint32_t seeds = 0;       // replicas with seeds seed_base .. seed_base + seeds - 1; 0 = none
  uint64_t seed_base = 1;   // the fixed --seed, if any
  std::string seeds_where;  // "--seeds" or "grid.ini:4"

  // "key=v1,v2,..." from --set or a grid file line.
  void add_set(const std::string& assignment, const std::string& where);
  void add_zip(const std::string& keys, const std::string& where);
  void set_seeds(const std::string& count, const std::string& where);
  bool has_axis(const std::string& key) const;
};

// Reads `key = v1,v2` lines (also `zip = k1,k2` and `seeds = N`; '#' or ';' start a comment
// line) into `grid`. InputError names file:line.
void read_grid_file(const std::string& path, GridSpec& grid);

struct GridPoint {
  size_t index = 0;
  std::vector<std::pair<std::string, std::string>> values;  // (key, value), in axis order
};

// The cross product of the axes (zip groups count as one axis, placed where their first key
// appears), with the seed replicas last: the first axis varies slowest, the seed fastest.
std::vector<GridPoint> expand(const GridSpec& grid);

// Options that a sweep may vary or pass through: every option of `moesim run` but --out and
// --config (a sweep gives each point its own output directory).
bool is_sweepable_option(const std::string& key);

}  // namespace moesim::cli
