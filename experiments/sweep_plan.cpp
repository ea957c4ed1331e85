#include "experiments/sweep_plan.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <map>
#include <set>

#include <fmt/format.h>

#include "experiments/options.hpp"
#include "experiments/sweep_csv.hpp"
#include "sim/core/error.hpp"

namespace fs = std::filesystem;

namespace moesim::cli {
namespace {

std::vector<std::string> all_groups() {
  std::vector<std::string> groups;
  for (const OptionSpec& d : option_specs()) {
    if (std::find(groups.begin(), groups.end(), d.group) == groups.end()) groups.push_back(d.group);
  }
  return groups;
}

// 64-bit FNV-1a: stable across machines, compilers and runs (std::hash is not).
uint64_t fnv1a(const std::string& text) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

// The point's identity: its resolved options that differ from their defaults, sorted by
// name. Giving a default explicitly, or adding a new option later, keeps the id.
std::string point_id(const std::map<std::string, std::string>& values) {
  std::map<std::string, std::string> canonical;
  for (const OptionSpec& d : option_specs()) {
    if (d.name == "out" || d.name == "config") continue;
    if (values.at(d.name) != d.def) canonical[d.name] = values.at(d.name);
  }
  std::string text;
  for (const auto& [k, v] : canonical)
    text += k + "=" + v + "\n";
  return fmt::format("{:016x}", fnv1a(text));
}

std::vector<std::string> point_args(const std::vector<std::pair<std::string, std::string>>& v) {
  std::vector<std::string> out;
  for (const auto& [k, val] : v)
    out.push_back(fmt::format("--{}={}", k, val));  // '=' keeps a value like -1 a value
  return out;
}

// With --seeds the fixed --seed is the base of the replicas, not an option of every point.
std::vector<std::string> without_seed(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--seed") {
      ++i;  // and its value
    } else if (args[i].rfind("--seed=", 0) != 0) {
      out.push_back(args[i]);
    }
  }
  return out;
}

std::string json_quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string json_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i)
    out += (i ? ", " : "") + json_quote(items[i]);
  return out + "]";
}

// A row for a point without results: its parameters, empty metrics.
PointRows failure_row(const SweepPlan& plan, const SweepPoint& p, PointStatus status,
                      const std::string& message) {
  std::vector<std::string> fields = p.params;
  fields.resize(plan.run_columns);
  fields.insert(fields.end(), {p.id, to_string(status), message});
  return {csv_line(fields), status};
}

}  // namespace

const std::vector<std::string>& sweep_tail_columns() {
  static const std::vector<std::string> cols = {"point", "status", "message"};
  return cols;
}

SweepPlan make_plan(const SweepArgs& args, std::vector<std::string> run_columns) {
  const std::vector<std::string> groups = all_groups();
  const Settings fixed = parse_settings(args.fixed_args, groups);  // validates the fixed options
  GridSpec grid = args.grid;
  for (const AxisSpec& axis : grid.axes) {
    if (fixed.source(axis.key) != "default") {
      throw InputError(fmt::format(
          "{}: '{}' is also given as a fixed option: expected each option either varied or fixed",
          axis.where, axis.key));
    }
  }
  if (grid.seeds > 0) {
    grid.seed_base = fixed.count("seed");
    if (grid.seed_base > UINT64_MAX - grid.seeds) {
      fixed.reject("seed",
                   fmt::format("a base of --seeds {} below 2^64 - {}", grid.seeds, grid.seeds));
    }
  }

  SweepPlan plan;
  plan.fixed_args = grid.seeds > 0 ? without_seed(args.fixed_args) : args.fixed_args;
  plan.run_columns = run_columns.size();
  for (const std::string& c : run_columns) {
    if (find_option(c)) plan.param_columns.push_back(c);
    for (const std::string& t : sweep_tail_columns()) {
      if (c == t) throw InternalError("moesim run writes a column named " + c);
    }
  }
  plan.columns = std::move(run_columns);
  plan.columns.insert(plan.columns.end(), sweep_tail_columns().begin(), sweep_tail_columns().end());

  std::vector<bool> is_option(plan.run_columns);
  for (size_t c = 0; c < plan.run_columns; ++c)
    is_option[c] = find_option(plan.columns[c]) != nullptr;
  std::map<std::string, size_t> seen;
  for (GridPoint& gp : expand(grid)) {
    std::vector<std::string> all = plan.fixed_args;
    const std::vector<std::string> extra = point_args(gp.values);
    all.insert(all.end(), extra.begin(), extra.end());
    // Every option's text at this point. A value that does not parse is not an error here:
    // the point runs, fails alone and is recorded with its message (the text is then the
    // fixed options' text with the point's values laid over it).
    std::map<std::string, std::string> text;
    try {
      // The fixed options parsed once, the point's values laid over them: parse_settings of
      // the point's whole command line gives the same values at 20x the cost.
      Settings s = fixed;
      for (const auto& [key, value] : gp.values)
        s.set(key, value, "--set " + key);
      for (const OptionSpec& d : option_specs())
        text[d.name] = s.get(d.name);
    } catch (const InputError&) {
      for (const OptionSpec& d : option_specs())
        text[d.name] = fixed.get(d.name);
      for (const auto& [key, value] : gp.values)
        text[key] = value;
    }
    SweepPoint p{gp.index, point_id(text), std::move(gp.values), {}};
    for (size_t c = 0; c < plan.run_columns; ++c)
      p.params.push_back(is_option[c] ? text.at(plan.columns[c]) : "");
    if (auto [it, fresh] = seen.emplace(p.id, p.index); !fresh) {
      throw InputError(
          fmt::format("the grid's points {} and {} are the same run ({}): expected distinct values",
                      it->second, p.index, fmt::join(extra, " ")));
    }
    plan.points.push_back(std::move(p));
  }
  return plan;
}

bool in_shard(const SweepPoint& p, const SweepArgs& args) {
  return p.index % args.shard_count == args.shard_index;
}

ChildJob make_job(const SweepPlan& plan, const SweepPoint& point, const std::string& moesim,
                  const fs::path& sweep_dir) {
  ChildJob job;
  job.index = point.index;
  job.dir = sweep_dir / "points" / point.id;
  job.exe = moesim;
  job.argv = {"moesim", "run"};
  job.argv.insert(job.argv.end(), plan.fixed_args.begin(), plan.fixed_args.end());
  for (const std::string& a : point_args(point.values))
    job.argv.push_back(a);
  job.argv.push_back("--out");
  job.argv.push_back(job.dir.string());
  return job;
}

PointRows point_rows(const SweepPlan& plan, const SweepPoint& point, const ChildResult& r) {
  if (r.status != PointStatus::Ok) return failure_row(plan, point, r.status, r.message);
  const std::vector<CsvRecord> recs = parse_csv(r.results_csv);
  if (recs.size() < 2) {
    return failure_row(plan, point, PointStatus::Failed, "results.csv has no rows");
  }
  std::vector<size_t> to_column;
  for (const std::string& name : recs[0].fields) {
    const auto it = std::find(plan.columns.begin(), plan.columns.begin() + plan.run_columns, name);
    if (it == plan.columns.begin() + plan.run_columns) {
      return failure_row(plan, point, PointStatus::Failed,
                         fmt::format("results.csv column '{}' is not a column of this sweep "
                                     "(moesim and the sweep's columns differ)",
                                     name));
    }
    to_column.push_back(static_cast<size_t>(it - plan.columns.begin()));
  }
  std::string block;
  for (size_t i = 1; i < recs.size(); ++i) {
    if (recs[i].fields.size() != to_column.size()) {
      return failure_row(plan, point, PointStatus::Failed,
                         fmt::format("results.csv line {} has {} fields, expected {}", recs[i].line,
                                     recs[i].fields.size(), to_column.size()));
    }
    std::vector<std::string> fields(plan.run_columns);
    for (size_t f = 0; f < to_column.size(); ++f)
      fields[to_column[f]] = recs[i].fields[f];
    fields.insert(fields.end(), {point.id, "ok", ""});
    block += csv_line(fields);
  }
  return {block, PointStatus::Ok};
}

void write_sweep_json(const fs::path& path, const SweepArgs& args, const SweepPlan& plan,
                      const std::vector<std::string>& command) {
  std::string j = "{\n  \"program\": \"moesim sweep\",\n";
  j += fmt::format("  \"version\": {},\n", json_quote(MOESIM_VERSION));
  j += fmt::format("  \"command\": {},\n", json_list(command));
  j += fmt::format("  \"fixed\": {},\n", json_list(plan.fixed_args));
  j += "  \"grid\": {\n    \"axes\": [";
  for (size_t i = 0; i < args.grid.axes.size(); ++i) {
    const AxisSpec& a = args.grid.axes[i];
    j += fmt::format("{}\n      {{\"key\": {}, \"values\": {}}}", i ? "," : "", json_quote(a.key),
                     json_list(a.values));
  }
  j += "\n    ],\n    \"zip\": [";
  for (size_t i = 0; i < args.grid.zips.size(); ++i)
    j += (i ? ", " : "") + json_list(args.grid.zips[i]);
  j += fmt::format("],\n    \"seeds\": {}\n  }},\n", args.grid.seeds);
  j += fmt::format("  \"shard\": \"{}/{}\",\n", args.shard_index, args.shard_count);
  j += fmt::format("  \"columns\": {},\n", json_list(plan.columns));
  j += fmt::format("  \"num_points\": {},\n  \"points\": [", plan.points.size());
  for (size_t i = 0; i < plan.points.size(); ++i) {
    const SweepPoint& p = plan.points[i];
    std::string values;
    for (size_t v = 0; v < p.values.size(); ++v) {
      values += fmt::format("{}{}: {}", v ? ", " : "", json_quote(p.values[v].first),
                            json_quote(p.values[v].second));
    }
    j += fmt::format("{}\n    {{\"index\": {}, \"id\": \"{}\", \"values\": {{{}}}}}", i ? "," : "",
                     p.index, p.id, values);
  }
  j += "\n  ]\n}\n";
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream os(tmp, std::ios::binary);
    os << j;
    if (!os.flush()) throw Error(fmt::format("cannot write '{}'", tmp.string()));
  }
  fs::rename(tmp, path);
}

}  // namespace moesim::cli
