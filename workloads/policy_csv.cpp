// Policy CSV readers and writers. Input is parsed once here into validated values ("parse,
// don't validate"), in the style of traffic_matrix.cpp: every message names file:line.
#include "workloads/policy_csv.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <ostream>
#include <string_view>
#include <tuple>

#include <fmt/format.h>

#include "sim/core/bom.hpp"
#include "sim/core/error.hpp"
#include "sim/core/quote.hpp"

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

// One data row: its line number and its fields, already checked against the header's count.
struct Row {
  size_t line = 0;
  std::vector<std::string_view> fields;
};

// Reads every data row after checking the header; `text` keeps the lines alive.
std::vector<Row> read_rows(std::istream& in, const std::string& name, std::string_view header,
                           std::vector<std::string>& text) {
  const std::vector<std::string_view> want = split_fields(header);
  std::string line;
  std::vector<size_t> line_numbers;
  skip_bom(in);
  for (size_t line_no = 1; std::getline(in, line); ++line_no) {
    const std::string_view t = trim(line);
    if (t.empty() || t.front() == '#') continue;
    text.emplace_back(t);
    line_numbers.push_back(line_no);
  }
  if (in.bad()) throw InputError(fmt::format("{}: cannot read: {}", name, std::strerror(errno)));
  if (text.empty() || split_fields(text.front()) != want) {
    throw InputError(fmt::format("{}:{}: header '{}': expected '{}'", name,
                                 line_numbers.empty() ? 1 : line_numbers.front(),
                                 text.empty() ? "" : quote_excerpt(text.front()), header));
  }
  if (text.size() == 1) throw InputError(fmt::format("{}: no data rows after the header", name));
  std::vector<Row> rows;
  for (size_t i = 1; i < text.size(); ++i) {
    Row row{line_numbers[i], split_fields(text[i])};
    if (row.fields.size() != want.size()) {
      throw InputError(fmt::format("{}:{}: {} fields: expected {} ({})", name, row.line,
                                   row.fields.size(), want.size(), header));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

// Digits only (no sign, no unit), at most `max`.
uint64_t parse_count(std::string_view field, uint64_t max, const std::string& where,
                     std::string_view what) {
  uint64_t v = 0;
  const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), v);
  if (field.empty() || field.front() == '+' || ec != std::errc() ||
      end != field.data() + field.size() || v > max) {
    throw InputError(fmt::format("{}: value '{}': expected {} (an integer 0..{})", where,
                                 quote_excerpt(field), what, max));
  }
  return v;
}

double parse_load(std::string_view field, const std::string& where) {
  double v = 0;
  const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), v);
  if (field.empty() || ec != std::errc() || end != field.data() + field.size() ||
      !std::isfinite(v) || v < 0) {
    throw InputError(
        fmt::format("{}: value '{}': expected a load, a finite number >= 0 such as "
                    "120 or 87.5",
                    where, quote_excerpt(field)));
  }
  return v;
}

// Token counts and their sum are held in int64 by the balancing policies.
constexpr uint64_t kMaxTotalCount = INT64_MAX;

std::string at(const std::string& name, size_t line, std::string_view field) {
  return fmt::format("{}:{}: field {}", name, line, field);
}

// Rows keyed (layer, expert) must be exactly {0..L-1} x {0..E-1}. Entries: (layer, expert, line).
void check_dense(std::vector<std::tuple<uint32_t, uint32_t, size_t>> keys, const std::string& name,
                 bool with_layers) {
  std::sort(keys.begin(), keys.end());
  uint32_t num_layers = 0;
  uint32_t num_experts = 0;
  for (size_t i = 0; i < keys.size(); ++i) {
    const auto& [layer, expert, line] = keys[i];
    num_layers = std::max(num_layers, layer + 1);
    num_experts = std::max(num_experts, expert + 1);
    if (i > 0 && std::get<0>(keys[i - 1]) == layer && std::get<1>(keys[i - 1]) == expert) {
      throw InputError(fmt::format(
          "{}:{}: {}expert {} repeated (first at line {}): expected each once", name, line,
          with_layers ? fmt::format("layer {} ", layer) : "", expert, std::get<2>(keys[i - 1])));
    }
  }
  for (size_t i = 0; i < static_cast<size_t>(num_layers) * num_experts; ++i) {
    const auto want_layer = static_cast<uint32_t>(i / num_experts);
    const auto want_expert = static_cast<uint32_t>(i % num_experts);
    if (i >= keys.size() || std::get<0>(keys[i]) != want_layer ||
        std::get<1>(keys[i]) != want_expert) {
      throw InputError(fmt::format("{}: no row for {}expert {}: expected {}experts 0..{}", name,
                                   with_layers ? fmt::format("layer {} ", want_layer) : "",
                                   want_expert, with_layers ? "every layer to list " : "",
                                   num_experts - 1));
    }
  }
}

std::ifstream open(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  return in;
}

}  // namespace

ExpertLoads read_expert_loads_csv(std::istream& in, const std::string& name) {
  std::vector<std::string> text;
  const std::vector<Row> rows = read_rows(in, name, "layer,expert,load", text);
  std::vector<std::tuple<uint32_t, uint32_t, size_t>> keys;
  std::vector<double> values;
  for (const Row& row : rows) {
    const auto layer = static_cast<uint32_t>(
        parse_count(row.fields[0], UINT32_MAX - 1, at(name, row.line, "layer"), "a layer index"));
    const auto expert = static_cast<uint32_t>(parse_count(
        row.fields[1], UINT32_MAX - 1, at(name, row.line, "expert"), "an expert index"));
    values.push_back(parse_load(row.fields[2], at(name, row.line, "load")));
    keys.emplace_back(layer, expert, row.line);
  }
  check_dense(keys, name, true);
  uint32_t num_experts = 0;
  for (const auto& [layer, expert, line] : keys)
    num_experts = std::max(num_experts, expert + 1);
  ExpertLoads loads(keys.size() / num_experts, std::vector<double>(num_experts));
  for (size_t i = 0; i < keys.size(); ++i)
    loads[std::get<0>(keys[i])][std::get<1>(keys[i])] = values[i];
  return loads;
}

ExpertLoads read_expert_loads_csv(const std::string& path) {
  std::ifstream in = open(path);
  return read_expert_loads_csv(in, path);
}

namespace {

// The integer count column of `expert,count` and `layer,expert,slots` files, whose sum (per
// layer) `total` must stay within kMaxTotalCount: policies add the counts up (LLEP's cap is
// their sum over the GPUs) in signed 64-bit loads; a sum that wraps would be a wrong plan,
// not an error.
uint64_t parse_summed_count(std::string_view field, const std::string& where, uint64_t& total) {
  const uint64_t v = parse_count(field, kMaxTotalCount, where, "a token count");
  if (__builtin_add_overflow(total, v, &total) || total > kMaxTotalCount) {
    throw InputError(fmt::format(
        "{}: value '{}': the counts sum past {} (2^63 - 1) at this row: expected token counts "
        "whose total fits in a signed 64-bit integer",
        where, quote_excerpt(field), kMaxTotalCount));
  }
  return v;
}

}  // namespace

std::vector<uint64_t> read_expert_counts_csv(std::istream& in, const std::string& name) {
  std::vector<std::string> text;
  const std::vector<Row> rows = read_rows(in, name, "expert,count", text);
  std::vector<std::tuple<uint32_t, uint32_t, size_t>> keys;
  std::vector<uint64_t> values;
  uint64_t total = 0;
  for (const Row& row : rows) {
    const auto expert = static_cast<uint32_t>(parse_count(
        row.fields[0], UINT32_MAX - 1, at(name, row.line, "expert"), "an expert index"));
    values.push_back(parse_summed_count(row.fields[1], at(name, row.line, "count"), total));
    keys.emplace_back(0, expert, row.line);
  }
  check_dense(keys, name, false);
  std::vector<uint64_t> counts(keys.size());
  for (size_t i = 0; i < keys.size(); ++i)
    counts[std::get<1>(keys[i])] = values[i];
  return counts;
}

std::vector<uint64_t> read_expert_counts_csv(const std::string& path) {
  std::ifstream in = open(path);
  return read_expert_counts_csv(in, path);
}

LayerSlots read_layer_slots_csv(std::istream& in, const std::string& name) {
  std::vector<std::string> text;
  const std::vector<Row> rows = read_rows(in, name, "layer,expert,slots", text);
  std::vector<std::tuple<uint32_t, uint32_t, size_t>> keys;
  std::vector<uint64_t> values;
  std::vector<uint64_t> totals;  // per layer, as rows arrive
  for (const Row& row : rows) {
    const auto layer = static_cast<uint32_t>(
        parse_count(row.fields[0], UINT32_MAX - 1, at(name, row.line, "layer"), "a layer index"));
    const auto expert = static_cast<uint32_t>(parse_count(
        row.fields[1], UINT32_MAX - 1, at(name, row.line, "expert"), "an expert index"));
    // The dense check below bounds the layers by the rows: a layer index past them fails it.
    if (layer >= rows.size()) {
      throw InputError(fmt::format("{}: value '{}': expected a layer index below the {} rows",
                                   at(name, row.line, "layer"), quote_excerpt(row.fields[0]),
                                   rows.size()));
    }
    if (totals.size() <= layer) totals.resize(layer + 1, 0);
    values.push_back(parse_summed_count(row.fields[2], at(name, row.line, "slots"), totals[layer]));
    keys.emplace_back(layer, expert, row.line);
  }
  check_dense(keys, name, true);
  uint32_t num_experts = 0;
  for (const auto& [layer, expert, line] : keys)
    num_experts = std::max(num_experts, expert + 1);
  LayerSlots slots(keys.size() / num_experts, std::vector<uint64_t>(num_experts));
  for (size_t i = 0; i < keys.size(); ++i)
    slots[std::get<0>(keys[i])][std::get<1>(keys[i])] = values[i];
  return slots;
}

LayerSlots read_layer_slots_csv(const std::string& path) {
  std::ifstream in = open(path);
  return read_layer_slots_csv(in, path);
}

std::vector<uint32_t> read_rank_hosts_csv(std::istream& in, const std::string& name,
                                          uint32_t num_hosts) {
  std::vector<std::string> text;
  const std::vector<Row> rows = read_rows(in, name, "rank,host", text);
  constexpr size_t kNone = 0;  // line numbers start at 1
  std::vector<uint32_t> host(rows.size());
  std::vector<size_t> rank_line(rows.size(), kNone);
  std::vector<std::pair<uint32_t, size_t>> host_line;  // (host, line), to find repeats
  for (const Row& row : rows) {
    // Every rank 0..N-1 once in N rows: a rank at or past N leaves another one missing.
    const auto rank = static_cast<uint32_t>(
        parse_count(row.fields[0], rows.size() - 1, at(name, row.line, "rank"),
                    fmt::format("a rank below the {} rows", rows.size())));
    if (rank_line[rank] != kNone) {
      throw InputError(fmt::format("{}: rank {} repeated (first at line {}): expected each once",
                                   at(name, row.line, "rank"), rank, rank_line[rank]));
    }
    rank_line[rank] = row.line;
    host[rank] =
        static_cast<uint32_t>(parse_count(row.fields[1], num_hosts - 1, at(name, row.line, "host"),
                                          fmt::format("a host of the topology's {}", num_hosts)));
    host_line.emplace_back(host[rank], row.line);
  }
  std::sort(host_line.begin(), host_line.end());
  for (size_t i = 1; i < host_line.size(); ++i) {
    if (host_line[i].first == host_line[i - 1].first) {
      const size_t line = std::max(host_line[i].second, host_line[i - 1].second);
      throw InputError(
          fmt::format("{}: host {} repeated (first at line {}): expected one rank "
                      "per host",
                      at(name, line, "host"), host_line[i].first,
                      std::min(host_line[i].second, host_line[i - 1].second)));
    }
  }
  return host;
}

std::vector<uint32_t> read_rank_hosts_csv(const std::string& path, uint32_t num_hosts) {
  std::ifstream in = open(path);
  return read_rank_hosts_csv(in, path, num_hosts);
}

void write_placement_csv(std::ostream& out, const Placement& placement) {
  fmt::memory_buffer buf;
  fmt::format_to(std::back_inserter(buf), "layer,slot,gpu,expert\n");
  for (uint32_t l = 0; l < placement.num_layers(); ++l) {
    for (uint32_t s = 0; s < placement.num_slots(); ++s) {
      fmt::format_to(std::back_inserter(buf), "{},{},{},{}\n", l, s, placement.gpu_of_slot(s),
                     placement.phy2log[l][s]);
    }
  }
  out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
  if (!out) throw Error("placement CSV: write failed");
}

void write_llep_plan_csv(std::ostream& out, const LlepPlan& plan) {
  fmt::memory_buffer buf;
  fmt::format_to(std::back_inserter(buf), "expert,gpu,token_start,token_end\n");
  for (const LlepAssignment& a : plan.assignments)
    fmt::format_to(std::back_inserter(buf), "{},{},{},{}\n", a.expert, a.gpu, a.start, a.end);
  out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
  if (!out) throw Error("LLEP plan CSV: write failed");
}

}  // namespace moesim::workload
