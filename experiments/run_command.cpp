#include <iostream>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "analysis/json.hpp"
#include "analysis/metrics.hpp"
#include "experiments/commands.hpp"
#include "experiments/moe_report.hpp"
#include "experiments/output_dir.hpp"
#include "experiments/phases_report.hpp"
#include "experiments/run_pairs.hpp"
#include "experiments/scenario.hpp"
#include "experiments/scenario_workload.hpp"
#include "sim/core/error.hpp"
#include "sim/model.hpp"
#include "topologies/host_leaves.hpp"
#include "topologies/routing.hpp"

namespace moesim::cli {
namespace {

struct RunRow {
  std::string model;
  std::string transport;
  analysis::Summary summary;
  double wall_s;
};

void print_usage() {
  fmt::print(
      "Usage: moesim run [options]\n"
      "Simulates a collective on a topology under each --transport and --model given, prints a\n"
      "comparison and writes results.csv and run.json (and the --detail files).\n"
      "With no options: a 128-GPU leaf-spine all-to-all of 1 MiB per pair under ecmp, split:4,\n"
      "plan, spray:random and ideal, on the analytic, fluid and packet models.\n\n{}",
      fmt::streamed(describe({"topology", "workload", "simulation", "output"})));
}

void write_run_json(std::ostream& os, const Scenario& sc, const std::vector<RunRow>& rows,
                    const std::vector<std::string>& files) {
  using analysis::json_string;
  os << "{\n  \"program\": \"moesim run\",\n";
  os << fmt::format("  \"version\": {},\n  \"git_commit\": {},\n  \"seed\": {},\n",
                    json_string(MOESIM_VERSION), json_string(MOESIM_GIT_COMMIT), sc.seed);
  os << "  \"config\": {";
  for (size_t i = 0; i < sc.params.size(); ++i) {
    os << fmt::format("{}\n    {}: {}", i ? "," : "", json_string(sc.params[i].first),
                      json_string(sc.params[i].second));
  }
  os << "\n  },\n  \"runs\": [";
  for (size_t i = 0; i < rows.size(); ++i) {
    os << fmt::format(
        "{}\n    {{\"model\": {}, \"transport\": {}, \"cct_us\": {:.6f}, \"wall_s\": {:.3f}}}",
        i ? "," : "", json_string(rows[i].model), json_string(rows[i].transport),
        rows[i].summary.cct_us, rows[i].wall_s);
  }
  os << "\n  ],\n  \"files\": [";
  for (size_t i = 0; i < files.size(); ++i) {
    os << (i ? ", " : "") << json_string(files[i]);
  }
  os << "]\n}\n";
}

void print_table(const std::vector<RunRow>& rows) {
  fmt::print("{:<14} {:<9} {:>12} {:>10} {:>10} {:>12} {:>9} {:>8}\n", "transport", "model",
             "CCT (us)", "CCT/bound", "max util", "p99 FCT(us)", "events", "wall(s)");
  for (const RunRow& r : rows) {
    fmt::print("{:<14} {:<9} {:>12.3f} {:>10.4f} {:>10.4f} {:>12.3f} {:>9} {:>8.3f}\n", r.transport,
               r.model, r.summary.cct_us, r.summary.cct_over_bound, r.summary.max_link_util,
               r.summary.fct_p99_us, r.summary.events, r.wall_s);
  }
}

}  // namespace

int run_command(const Context& ctx, const Args& args) {
  const Settings settings = parse_settings(args, {"topology", "workload", "simulation", "output"});
  if (settings.help) {
    print_usage();
    return 0;
  }
  const Scenario sc = parse_scenario(settings, ctx.models);
  const topo::BuiltTopology built = build_topology(settings);
  const topo::Topology& topology = built.topology;
  const topo::Routing routing(topology, sc.route_cost);
  const BuiltWorkload bw = build_workload(sc, topology);
  const Workload& workload = bw.workload;

  std::vector<std::string> files = {"results.csv", "run.json"};
  if (bw.moe) files.push_back("layout.csv");
  for (const auto& d : sc.details)
    files.push_back(d + ".csv");
  OutputDir out(settings.get("out"), files, settings.where("out"));
  if (bw.moe) {
    workload::write_layout_csv(out.open("layout.csv"), bw.moe->layout,
                               topo::server_of_hosts(topology), topo::leaf_of_hosts(topology));
  }

  fmt::print("moesim run: {}; {} on {} hosts ({} flows)\n", topology.description(), bw.description,
             topology.num_hosts(), workload.num_flows());
  if (bw.moe) fmt::print("layout: {}\n", bw.moe->layout.summary());
  analysis::Params params = sc.params;
  for (auto& [name, value] : params) {
    if (name == "fabric-rate" && built.fabric_rate) value = to_string(*built.fabric_rate);
  }
  std::vector<RunRow> rows;
  std::vector<std::pair<std::string, sim::RunResult>> runs;  // moe: the first, for its layers
  bool first = true;
  run_pairs(routing, workload, sc, [&](RunOutcome&& o) {
    RunRow row{o.model, o.transport, analysis::summarize(topology, workload, o.result), o.wall_s};
    for (auto& [name, value] : params) {
      if (name == "model") value = row.model;
      if (name == "transport") value = row.transport;
    }
    if (first) analysis::write_results_header(out.open("results.csv"), params);
    analysis::write_results_row(out.open("results.csv"), params, row.summary);
    const std::string run_id = row.transport + "/" + row.model;
    for (const auto& d : sc.details) {
      std::ofstream& os = out.open(d + ".csv");
      if (d == "flows") analysis::write_flows(os, run_id, workload, o.result, first);
      if (d == "links") analysis::write_links(os, run_id, topology, o.result, first);
      if (d == "timeseries") analysis::write_timeseries(os, run_id, topology, o.result, first);
      if (d == "collectives") analysis::write_collectives(os, run_id, workload, o.result, first);
      if (d == "layers") {
        const workload::MoeShape& m = bw.moe->spec.shape;
        write_layers_csv(os, run_id, bw.moe->layers, workload, o.result, routing,
                         3ull * m.hidden * m.expert_ffn * m.bytes_per_element, first);
      }
      if (d == "phases") write_phases_csv(os, run_id, workload, o.result, bw.moe->layout, first);
    }
    first = false;
    // The per-layer table reads a forward layer DAG.
    if (bw.moe && bw.moe->per_layer() && runs.empty()) {
      runs.emplace_back(run_id, std::move(o.result));
    }
    rows.push_back(std::move(row));
  });
  if (rows.empty()) {
    throw InputError(fmt::format("{}: no --transport given can run on --model {}",
                                 settings.where("transport"), settings.get("model")));
  }
  write_run_json(out.open("run.json"), sc, rows, files);
  out.commit();
  if (bw.moe && !runs.empty()) {
    fmt::print("per layer, {}:\n", runs.front().first);
    print_layers(bw.moe->layers, workload, runs.front().second);
  }
  print_table(rows);
  fmt::print(
      "CCT/bound: completion time over the busiest link's bytes/rate (1 = that link never "
      "idled).\nwrote {} in {}\n",
      fmt::join(files, ", "), out.path().string());
  return 0;
}

int replay_command(const Context& ctx, const Args& args) {
  if (args.empty() || args.front().starts_with("-")) {
    if (!args.empty() && (args.front() == "--help" || args.front() == "-h")) {
      fmt::print(
          "Usage: moesim replay TRACE [options]\nA real router trace (JSONL as in "
          "data/traces, long CSV or .mtrace) through placement, balancing and the network: the "
          "same as moesim run --workload moe --trace TRACE --detail layers.\n"
          "Options: see moesim run --help.\n");
      return 0;
    }
    throw InputError("replay: missing TRACE: expected moesim replay TRACE [options]");
  }
  std::vector<std::string> run_args = {"--workload", "moe", "--trace", args.front()};
  bool detail = false;
  for (size_t i = 1; i < args.size(); ++i) {
    detail = detail || args[i] == "--detail" || args[i].starts_with("--detail=");
    run_args.push_back(args[i]);
  }
  if (!detail) {
    run_args.push_back("--detail");
    run_args.push_back("layers");
  }
  return run_command(ctx, run_args);
}

}  // namespace moesim::cli
