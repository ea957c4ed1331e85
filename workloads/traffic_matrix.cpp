// Traffic-matrix CSV reader: raw text becomes a validated square TrafficMatrix here, at the
// edge, so all-to-allv never sees a malformed entry (nor entries whose sum wraps). Messages
// name file:line, column and value.
#include "workloads/traffic_matrix.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "sim/core/bom.hpp"
#include "sim/core/error.hpp"
#include "sim/core/quote.hpp"
#include "sim/core/units.hpp"

namespace moesim::workload {
namespace {

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r");
  return s.substr(first, last - first + 1);
}

std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  for (;;) {
    const auto comma = line.find(',');
    fields.push_back(trim(line.substr(0, comma)));
    if (comma == std::string_view::npos) return fields;
    line.remove_prefix(comma + 1);
  }
}

// Plain digits are bytes (the usual export of a matrix); anything else must carry a unit.
// Both kinds of failure get the same message so the user sees the accepted forms.
uint64_t parse_entry(std::string_view field, const std::string& where) {
  const auto bad = [&] {
    return InputError(fmt::format("{}: value '{}': expected a byte count such as 1048576 or 4KiB",
                                  where, quote_excerpt(field)));
  };
  if (!field.empty() && field.find_first_not_of("0123456789") == std::string_view::npos) {
    uint64_t v = 0;
    for (const char c : field) {
      const auto digit = static_cast<uint64_t>(c - '0');
      if (v > (std::numeric_limits<uint64_t>::max() - digit) / 10) throw bad();
      v = v * 10 + digit;
    }
    return v;
  }
  try {
    return parse_bytes(field, where).count;
  } catch (const InputError&) {
    throw bad();
  }
}

}  // namespace

TrafficMatrix read_traffic_matrix(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  skip_bom(in);

  std::vector<std::vector<uint64_t>> rows;
  uint64_t total = 0;   // all-to-allv sends every entry: the sum must fit a 64-bit byte count
  size_t num_cols = 0;  // fixed by the first row
  std::string line;
  for (size_t line_no = 1; std::getline(in, line); ++line_no) {
    const std::string_view text = trim(line);
    if (text.empty() || text.front() == '#') continue;
    const std::vector<std::string_view> fields = split_fields(text);
    if (rows.empty()) num_cols = fields.size();
    if (fields.size() != num_cols) {
      throw InputError(fmt::format("{}:{}: {} columns, expected {} (the matrix must be square)",
                                   path, line_no, fields.size(), num_cols));
    }
    if (rows.size() == num_cols) {
      throw InputError(
          fmt::format("{}:{}: row {} of a {}-column matrix (the matrix must be square)", path,
                      line_no, rows.size() + 1, num_cols));
    }
    std::vector<uint64_t> row(num_cols);
    for (size_t c = 0; c < num_cols; ++c) {
      const std::string where = fmt::format("{}:{}: column {}", path, line_no, c + 1);
      row[c] = parse_entry(fields[c], where);
      if (c == rows.size() && row[c] != 0) {
        throw InputError(
            fmt::format("{}: diagonal entry must be 0, got {}", where, quote_excerpt(fields[c])));
      }
      if (__builtin_add_overflow(total, row[c], &total)) {
        throw InputError(fmt::format(
            "{}: value '{}': the matrix's entries sum past 18446744073709551615 bytes (2^64 - "
            "1) here: expected a total that fits in 64 bits",
            where, quote_excerpt(fields[c])));
      }
    }
    rows.push_back(std::move(row));
  }
  if (in.bad()) throw InputError(fmt::format("{}: cannot read: {}", path, std::strerror(errno)));
  if (rows.empty()) throw InputError(fmt::format("{}: no rows", path));
  if (rows.size() != num_cols) {
    throw InputError(fmt::format("{}: {} rows, expected {} (the matrix must be square)", path,
                                 rows.size(), num_cols));
  }

  const auto n = static_cast<Eigen::Index>(num_cols);
  TrafficMatrix tm(n, n);
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = 0; j < n; ++j)
      tm(i, j) = rows[i][j];
  }
  return tm;
}

}  // namespace moesim::workload
