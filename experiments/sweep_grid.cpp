#include "experiments/sweep_grid.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <string_view>
#include <unordered_set>

#include <fmt/format.h>

#include "experiments/ini_file.hpp"
#include "experiments/options.hpp"
#include "sim/core/error.hpp"
#include "sim/core/options.hpp"
#include "sim/core/text.hpp"

namespace moesim::cli {
namespace {

// A sane limit: planning takes about 10 us a point and a point's row of parameters ~2 KB.
constexpr size_t kMaxPoints = 1'000'000;

std::string trim(const std::string& s) {
  return std::string(trim_blanks(s));
}

std::vector<std::string> split_items(const std::string& text, const std::string& where) {
  auto items = moesim::split_items(text);
  if (!items) {
    throw InputError(
        fmt::format("{}: '{}': expected a comma-separated list without empty items", where, text));
  }
  return std::move(*items);
}

// A number with an optional unit suffix, e.g. "2.5", "64KiB", "-1".
struct Quantity {
  double value = 0;
  std::string unit;
};

bool parse_quantity(const std::string& text, Quantity& q) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, q.value);
  if (ec != std::errc() || ptr == text.data() || !std::isfinite(q.value)) return false;
  q.unit.assign(ptr, end);
  for (char c : q.unit) {
    if (!std::isalpha(static_cast<unsigned char>(c)) && c != '/') return false;
  }
  return true;
}

// Expands "a:b:step" into values; returns false if `item` is not a range of numbers.
bool expand_range(const std::string& item, const std::string& where,
                  std::vector<std::string>& out) {
  const size_t c1 = item.find(':');
  if (c1 == std::string::npos) return false;
  const size_t c2 = item.find(':', c1 + 1);
  const std::string p0 = item.substr(0, c1);
  const std::string p1 = item.substr(c1 + 1, c2 == std::string::npos ? c2 : c2 - c1 - 1);
  Quantity a, b, step;
  if (!parse_quantity(p0, a) || !parse_quantity(p1, b)) return false;  // e.g. split:4
  if (c2 == std::string::npos) {
    throw InputError(fmt::format("{}: '{}': a range needs a step: expected a:b:step", where, item));
  }
  if (!parse_quantity(item.substr(c2 + 1), step)) {
    throw InputError(
        fmt::format("{}: '{}': step is not a number: expected a:b:step of numbers", where, item));
  }
  std::string unit;
  for (const Quantity* q : {&a, &b, &step}) {
    if (q->unit.empty()) continue;
    if (!unit.empty() && q->unit != unit) {
      throw InputError(
          fmt::format("{}: '{}': units '{}' and '{}' differ: expected one unit for a, b and step",
                      where, item, unit, q->unit));
    }
    unit = q->unit;
  }
  if (step.value == 0 || (b.value - a.value) * step.value < 0) {
    throw InputError(fmt::format(
        "{}: '{}': step {} never reaches {}: expected a step of the sign of b - a, not 0", where,
        item, step.value, b.value));
  }
  // Inclusive end within rounding: 0:1:0.1 has 11 values despite 0.1's binary error.
  const double span = (b.value - a.value) / step.value;
  if (span > static_cast<double>(kMaxPoints)) {
    throw InputError(fmt::format("{}: '{}': more than {} values: expected a coarser step", where,
                                 item, kMaxPoints));
  }
  const auto n = static_cast<size_t>(std::floor(span + 1e-9)) + 1;
  for (size_t i = 0; i < n; ++i) {
    double v = a.value + static_cast<double>(i) * step.value;
    if (std::fabs(v) < 1e-12 * std::fabs(step.value)) v = 0;  // no "-0" or 1e-17
    out.push_back(fmt::format("{:.12g}{}", v, unit));
  }
  return true;
}

std::string axis_key(const std::string& key, const std::string& where) {
  if (!is_sweepable_option(key)) {
    throw InputError(fmt::format(
        "{}: unknown option '{}': expected an option of moesim run other than out and config "
        "(see moesim run --help)",
        where, key));
  }
  return key;
}

}  // namespace

bool is_sweepable_option(const std::string& key) {
  if (key == "out" || key == "config") return false;
  for (const OptionSpec& d : option_specs()) {
    if (d.name == key) return true;
  }
  return false;
}

std::vector<std::string> parse_values(const std::string& text, const std::string& where) {
  std::vector<std::string> values;
  for (const std::string& item : split_items(text, where)) {
    if (!expand_range(item, where, values)) values.push_back(item);
  }
  return values;
}

bool GridSpec::has_axis(const std::string& key) const {
  for (const AxisSpec& a : axes) {
    if (a.key == key) return true;
  }
  return false;
}

void GridSpec::add_set(const std::string& assignment, const std::string& where) {
  const size_t eq = assignment.find('=');
  if (eq == std::string::npos) {
    throw InputError(fmt::format("{}: '{}': expected key=v1,v2,...", where, assignment));
  }
  const std::string key = axis_key(trim(assignment.substr(0, eq)), where);
  for (const AxisSpec& a : axes) {
    if (a.key == key) {
      throw InputError(fmt::format("{}: '{}' is already varied by {}: expected each key once",
                                   where, key, a.where));
    }
  }
  if (key == "seed" && seeds > 0) {
    throw InputError(
        fmt::format("{}: seed is already varied by {}: expected --set seed=... or "
                    "--seeds, not both",
                    where, seeds_where));
  }
  AxisSpec axis{key, parse_values(trim(assignment.substr(eq + 1)), where + ": " + key), where};
  std::unordered_set<std::string_view> seen;  // membership only: never iterated
  for (const std::string& v : axis.values) {
    if (!seen.insert(v).second) {
      throw InputError(
          fmt::format("{}: {}: value '{}' repeats: expected distinct values", where, key, v));
    }
  }
  axes.push_back(std::move(axis));
}

void GridSpec::add_zip(const std::string& keys, const std::string& where) {
  std::vector<std::string> group = split_items(keys, where);
  if (group.size() < 2) {
    throw InputError(
        fmt::format("{}: '{}': expected two or more keys, e.g. key1,key2", where, keys));
  }
  for (const std::string& k : group) {
    axis_key(k, where);
    for (const auto& z : zips) {
      for (const auto& other : z) {
        if (other == k) {
          throw InputError(fmt::format(
              "{}: '{}' is already in a --zip group: expected each key in one group", where, k));
        }
      }
    }
  }
  zips.push_back(std::move(group));
  zip_where.push_back(where);
}

void GridSpec::set_seeds(const std::string& count, const std::string& where) {
  uint32_t n = 0;
  auto [ptr, ec] = std::from_chars(count.data(), count.data() + count.size(), n);
  if (count.empty() || ec != std::errc() || ptr != count.data() + count.size() || n == 0 ||
      n > 1'000'000) {
    throw InputError(
        fmt::format("{}: '{}': expected a number of replicas from 1 to 1000000", where, count));
  }
  if (has_axis("seed")) {
    throw InputError(fmt::format(
        "{}: seed is already varied by --set seed=...: expected one of the two", where));
  }
  if (seeds > 0) {
    throw InputError(
        fmt::format("{}: replicas already set by {}: expected --seeds once", where, seeds_where));
  }
  seeds = n;
  seeds_where = where;
}

void read_grid_file(const std::string& path, GridSpec& grid) {
  for (const IniLine& l : read_ini_file(path, "--grid", false)) {
    if (l.key == "zip") {
      grid.add_zip(l.value, l.where);
    } else if (l.key == "seeds") {
      grid.set_seeds(l.value, l.where);
    } else {
      grid.add_set(l.key + "=" + l.value, l.where);
    }
  }
}

std::vector<GridPoint> expand(const GridSpec& grid) {
  // Blocks: one per plain axis, one per zip group (at its first key), then the seeds.
  struct Block {
    std::vector<std::string> keys;
    std::vector<std::vector<std::string>> rows;  // rows[i][k] = value of keys[k] in row i
  };
  std::vector<Block> blocks;
  auto zip_of = [&](const std::string& key) -> int {
    for (size_t z = 0; z < grid.zips.size(); ++z) {
      for (const auto& k : grid.zips[z]) {
        if (k == key) return static_cast<int>(z);
      }
    }
    return -1;
  };
  for (size_t z = 0; z < grid.zips.size(); ++z) {
    for (const auto& k : grid.zips[z]) {
      if (!grid.has_axis(k)) {
        throw InputError(
            fmt::format("{}: '{}' is not varied: expected keys given to --set or "
                        "in the --grid file",
                        grid.zip_where[z], k));
      }
    }
  }
  std::vector<bool> zip_done(grid.zips.size(), false);
  for (const AxisSpec& axis : grid.axes) {
    const int z = zip_of(axis.key);
    if (z < 0) {
      Block b{{axis.key}, {}};
      for (const auto& v : axis.values)
        b.rows.push_back({v});
      blocks.push_back(std::move(b));
      continue;
    }
    if (zip_done[z]) continue;
    zip_done[z] = true;
    Block b;
    std::vector<const AxisSpec*> members;
    for (const AxisSpec& other : grid.axes) {
      if (zip_of(other.key) == z) members.push_back(&other);
    }
    for (const AxisSpec* m : members) {
      b.keys.push_back(m->key);
      if (m->values.size() != members.front()->values.size()) {
        throw InputError(fmt::format(
            "{}: {} has {} values and {} has {}: expected zipped keys with equally long lists",
            grid.zip_where[z], members.front()->key, members.front()->values.size(), m->key,
            m->values.size()));
      }
    }
    for (size_t i = 0; i < members.front()->values.size(); ++i) {
      std::vector<std::string> row;
      for (const AxisSpec* m : members)
        row.push_back(m->values[i]);
      b.rows.push_back(std::move(row));
    }
    blocks.push_back(std::move(b));
  }
  if (grid.seeds > 0) {
    Block b{{"seed"}, {}};
    for (uint32_t i = 0; i < grid.seeds; ++i)
      b.rows.push_back({fmt::format("{}", grid.seed_base + i)});
    blocks.push_back(std::move(b));
  }

  size_t total = 1;
  for (const Block& b : blocks) {
    if (total > kMaxPoints / b.rows.size()) {
      throw InputError(
          fmt::format("the grid has more than {} points: expected a smaller sweep", kMaxPoints));
    }
    total *= b.rows.size();
  }
  std::vector<GridPoint> points(total);
  for (size_t index = 0; index < total; ++index) {
    GridPoint& p = points[index];
    p.index = index;
    // Mixed-radix digits of the index, the last block fastest.
    size_t rest = index;
    std::vector<size_t> digit(blocks.size());
    for (size_t b = blocks.size(); b-- > 0;) {
      digit[b] = rest % blocks[b].rows.size();
      rest /= blocks[b].rows.size();
    }
    for (size_t b = 0; b < blocks.size(); ++b) {
      for (size_t k = 0; k < blocks[b].keys.size(); ++k)
        p.values.emplace_back(blocks[b].keys[k], blocks[b].rows[digit[b]][k]);
    }
  }
  return points;
}

}  // namespace moesim::cli
