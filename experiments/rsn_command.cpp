// `moesim rsn`: the random-spatial-network experiment. For every distance kernel and
// long-range share m it draws an RSN, measures its structure (average shortest path length,
// clustering, mean edge length, diameter) and runs a uniform all-to-all under each transport
// and model; one tidy row per (kernel, m, transport, model) goes to rsn.csv. Lang et al.'s
// "small world without clustering": a little uniform long-range mass shortens paths a lot while
// edges stay short on average.
#include <charconv>
#include <cmath>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "analysis/metrics.hpp"
#include "experiments/commands.hpp"
#include "experiments/output_dir.hpp"
#include "experiments/run_pairs.hpp"
#include "experiments/scenario_workload.hpp"
#include "sim/core/error.hpp"
#include "topologies/metrics.hpp"

namespace moesim::cli {
namespace {

constexpr const char* kHeader =
    "kernel,long_range,switches,hosts,clipped_pairs,aspl_hops,diameter_hops,clustering,"
    "mean_edge_length,transport,model,cct_us,link_bound_us,max_link_util,fct_p99_us\n";

// The experiment's own defaults for options the user did not set: the flow-level model,
// single-path vs spraying vs ideal, and hop-count routing so that RSN paths can tie.
void apply_defaults(Settings& s) {
  const std::pair<const char*, const char*> defaults[] = {
      {"model", "fluid"},       {"transport", "ecmp,spray:random,ideal"},
      {"route-cost", "hops"},   {"switches", "256"},
      {"kernel-scale", "0.04"}, {"hosts-per-switch", "1"},
      {"size", "256KiB"},       {"keep-giant", "yes"}};
  for (const auto& [name, value] : defaults) {
    if (s.source(name) == "default") s.set(name, value, "default");
  }
  if (s.source("topology") != "default" && s.get("topology") != "rsn") {
    throw InputError(fmt::format("{}: '{}': the rsn experiment builds rsn topologies",
                                 s.where("topology"), s.get("topology")));
  }
  s.set("topology", "rsn", "default");
  s.set("workload", "all-to-all", "default");
}

std::vector<std::string> long_range_values(const Settings& s) {
  const std::vector<std::string>& values = s.list("long-range-values");
  for (const std::string& v : values) {
    const auto m = parse_finite(v);
    if (!m || !(*m >= 0 && *m <= 1)) {
      throw InputError(
          fmt::format("{}: '{}': expected numbers from 0 to 1", s.where("long-range-values"), v));
    }
  }
  return values;
}

// One transport's rows carry each topology's structure once.
std::string sc_first_transport(const Settings& s) {
  return s.list("transport").front();
}

}  // namespace

int rsn_command(const Context& ctx, const Args& args) {
  Settings settings =
      parse_settings(args, {"topology", "workload", "simulation", "output", "experiment"});
  if (settings.help) {
    fmt::print(
        "Usage: moesim rsn [options]\n"
        "The random-spatial-network experiment: for every --kernels x --long-range-values, an\n"
        "RSN's structure and an all-to-all's completion time under each --transport and --model\n"
        "(defaults here: fluid; ecmp, spray:random, ideal; --route-cost hops; 256 switches of\n"
        "1 host, kernel scale 0.04; 256KiB per pair). Writes rsn.csv.\n\n{}",
        fmt::streamed(describe({"experiment", "topology", "workload", "simulation", "output"})));
    return 0;
  }
  apply_defaults(settings);
  const std::vector<std::string> kernels = settings.list("kernels");
  const std::vector<std::string> shares = long_range_values(settings);
  parse_scenario(settings, ctx.models);  // every other option is checked before anything runs

  OutputDir out(settings.get("out"), {"rsn.csv"}, settings.where("out"));
  std::ofstream& csv = out.open("rsn.csv");
  csv << kHeader;
  for (const std::string& kernel : kernels) {
    for (const std::string& share : shares) {
      Settings point = settings;
      point.set("kernel", kernel, "default");
      point.set("long-range", share, "default");
      Scenario sc = parse_scenario(point, ctx.models);
      const topo::BuiltTopology built = build_topology(point);
      const topo::Topology& t = built.topology;
      const topo::Routing routing(t, sc.route_cost);
      topo::MetricsOptions mo;
      mo.routing = &routing;
      mo.edge_length = built.rsn->edge_length;
      mo.bisection = false;
      const topo::TopoMetrics m = topo::compute_metrics(t, mo);
      const Workload w = build_workload(sc, t).workload;
      fmt::print(
          "rsn: kernel {} long-range {}: {} switches, ASPL {:.3f} hops, clustering {:.4f}, "
          "mean edge length {:.4f}\n",
          kernel, share, m.switches, m.aspl, m.clustering, m.mean_edge_length.value_or(0));
      run_pairs(routing, w, sc, [&](RunOutcome&& o) {
        const analysis::Summary s = analysis::summarize(t, w, o.result);
        fmt::print("  {:<14} {:<8} CCT {:10.3f} us\n", o.transport, o.model, s.cct_us);
        fmt::print(csv,
                   "{},{},{},{},{},{:.6f},{},{:.6f},{:.6f},{},{},{:.6f},{:.6f},{:.6f},{:.6f}\n",
                   kernel, share, m.switches, m.hosts, built.rsn->clipped_pairs, m.aspl, m.diameter,
                   m.clustering, m.mean_edge_length.value_or(0), o.transport, o.model, s.cct_us,
                   s.link_bound_us, s.max_link_util, s.fct_p99_us);
      });
    }
  }
  out.commit();
  fmt::print("wrote rsn.csv in {}\n", out.path().string());
  // The figures: completion time and path length against the long-range share, one panel per
  // kernel. The CSV stands on its own; a missing plotting stack only costs the figures.
  const std::string csv_path = (out.path() / "rsn.csv").string();
  const std::vector<std::vector<std::string>> figures = {
      {csv_path, "--kind", "line", "--x", "long_range", "--y", "cct_us", "--hue", "transport",
       "--col", "kernel", "--out", (out.path() / "rsn_cct").string()},
      {csv_path, "--kind", "line", "--x", "long_range", "--y", "aspl_hops", "--hue", "kernel",
       "--where", "transport=" + sc_first_transport(settings), "--out",
       (out.path() / "rsn_aspl").string()}};
  for (const auto& args : figures) {
    try {
      plot_command(ctx, args);
    } catch (const InputError& e) {
      fmt::print(stderr, "moesim rsn: figure skipped: {}\n", e.what());
    }
  }
  return 0;
}

}  // namespace moesim::cli
