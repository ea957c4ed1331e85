// reproduce.csv rows and the Markdown table made from them (report.hpp).
#include "experiments/reproduce/report.hpp"

#include <cmath>
#include <ostream>
#include <sstream>
#include <vector>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "analysis/csv.hpp"
#include "sim/core/error.hpp"
#include "sim/core/quote.hpp"

namespace moesim::cli::reproduce {

const char* const kCsvHeader =
    "claim,source,setting,paper_value,moesim_value,ratio,unit,note,band,status\n";

bool Row::within() const {
  const double r = ratio();
  // A tiny slack keeps an exact claim (band 1-1) exact up to rounding of the last bit.
  return std::isfinite(r) && r >= ratio_lo - 1e-12 && r <= ratio_hi + 1e-12;
}

std::string Row::band() const {
  return fmt::format("{:g}-{:g}", ratio_lo, ratio_hi);
}

const char* status(const Row& r) {
  return r.within() ? "ok" : "OUTSIDE";
}

void write_csv_row(std::ostream& os, const Row& r) {
  using analysis::csv_field;
  fmt::print(os, "{},{},{},{:.6g},{:.6g},{:.4f},{},{},{},{}\n", csv_field(r.claim),
             csv_field(r.source), csv_field(r.setting), r.paper_value, r.moesim_value, r.ratio(),
             csv_field(r.unit), csv_field(r.note), r.band(), status(r));
}

namespace {

// One RFC 4180 record (fields may be quoted, with "" for a quote); no newlines inside fields.
std::vector<std::string> parse_record(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        out.back() += '"', ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        out.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

std::string cell(const std::string& s) {
  std::string out;
  for (const char c : s)
    out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

}  // namespace

std::string markdown_table(const std::string& csv, const std::string& what) {
  std::istringstream in(csv);
  std::string line;
  if (!std::getline(in, line) || line + "\n" != kCsvHeader) {
    throw InputError(fmt::format("{}: header '{}': expected a reproduce.csv ({})", what,
                                 quote_excerpt(line), std::string(kCsvHeader, 0, 40) + "..."));
  }
  std::string out =
      "| claim | source | setting | paper | moesim | ratio | unit | band | status | note |\n"
      "|---|---|---|---:|---:|---:|---|---|---|---|\n";
  for (size_t n = 2; std::getline(in, line); ++n) {
    if (line.empty()) continue;
    const std::vector<std::string> f = parse_record(line);
    if (f.size() != 10) {
      throw InputError(
          fmt::format("{}:{}: {} fields: expected 10 (see the header)", what, n, f.size()));
    }
    out += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", cell(f[0]),
                       cell(f[1]), cell(f[2]), f[3], f[4], f[5], cell(f[6]), f[8],
                       f[9] == "ok" ? "ok" : "**OUTSIDE**", cell(f[7]));
  }
  return out;
}

}  // namespace moesim::cli::reproduce
