#include <chrono>
#include <iostream>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "analysis/json.hpp"
#include "analysis/metrics.hpp"
#include "experiments/commands.hpp"
#include "experiments/output_dir.hpp"
#include "experiments/scenario.hpp"
#include "sim/core/error.hpp"
#include "sim/model.hpp"
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

int run_command(const std::vector<std::string>& args) {
  const Settings settings = parse_settings(args, {"topology", "workload", "simulation", "output"});
  if (settings.help) {
    print_usage();
    return 0;
  }
  Scenario sc = parse_scenario(settings);
  const topo::BuiltTopology built = topo::build_topology(sc.topology);
  const topo::Topology& topology = built.topology;
  sc.workload.num_hosts = topology.num_hosts();
  Workload workload = workload::make_collective(sc.workload);

  std::vector<std::string> files = {"results.csv", "run.json"};
  for (const auto& d : sc.details)
    files.push_back(d + ".csv");
  OutputDir out(settings.get("out"), files, settings.where("out"));

  fmt::print("moesim run: {}; {} of {} on {} hosts ({} flows)\n", topology.description(),
             sc.workload.kind, to_string(sc.workload.size), topology.num_hosts(),
             workload.num_flows());
  const topo::Routing routing(topology, sc.route_cost);
  analysis::Params params = sc.params;
  for (auto& [name, value] : params) {
    if (name == "fabric-rate" && built.fabric_rate) value = to_string(*built.fabric_rate);
  }
  std::vector<RunRow> rows;
  bool first = true;
  for (const sim::Transport& transport : sc.transports) {
    const auto t0 = std::chrono::steady_clock::now();
    sim::PathSet paths;
    try {
      paths = sim::assign_paths(routing, workload, transport, sc.seed);
    } catch (const InputError& e) {
      // plan exists only on 2-tier leaf-spines; in a list of transports it is skipped.
      if (transport.policy != sim::PathPolicy::Plan || sc.transports.size() == 1) throw;
      fmt::print("skipped: {} ({})\n", to_string(transport), e.what());
      continue;
    }
    const double path_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    for (const std::string& model_name : sc.models) {
      const auto model = sim::make_model(model_name, sc.packet);
      if (!model->supports(transport)) {
        fmt::print("skipped: {} with --model {} (not defined for this model)\n",
                   to_string(transport), model_name);
        continue;
      }
      const auto t1 = std::chrono::steady_clock::now();
      const sim::RunResult result = model->run(routing, workload, paths);
      const double wall =
          path_s + std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
      RunRow row{model_name, to_string(transport), analysis::summarize(topology, workload, result),
                 wall};
      for (auto& [name, value] : params) {
        if (name == "model") value = row.model;
        if (name == "transport") value = row.transport;
      }
      if (first) analysis::write_results_header(out.open("results.csv"), params);
      analysis::write_results_row(out.open("results.csv"), params, row.summary);
      const std::string run_id = row.transport + "/" + row.model;
      for (const auto& d : sc.details) {
        std::ofstream& os = out.open(d + ".csv");
        if (d == "flows") analysis::write_flows(os, run_id, workload, result, first);
        if (d == "links") analysis::write_links(os, run_id, topology, result, first);
        if (d == "collectives") analysis::write_collectives(os, run_id, workload, result, first);
      }
      first = false;
      rows.push_back(std::move(row));
    }
  }
  if (rows.empty()) {
    throw InputError(fmt::format("{}: no --transport given can run on --model {}",
                                 settings.where("transport"), settings.get("model")));
  }
  write_run_json(out.open("run.json"), sc, rows, files);
  out.commit();
  print_table(rows);
  fmt::print(
      "CCT/bound: completion time over the busiest link's bytes/rate (1 = that link never "
      "idled).\nwrote {} in {}\n",
      fmt::join(files, ", "), out.path().string());
  return 0;
}

}  // namespace moesim::cli
