// `moesim spraying`: the seed paper's question — does single-path routing with minimal
// splitting match ideal multipath, or does it take packet spraying? — asked on the packet
// model across workloads, sizes, oversubscription, failed links and congestion controls. For
// every point (workload x size x oversubscription x failed links) the fluid model's ideal
// multipath gives the reference CCT; every CC then runs every transport (single path: ecmp,
// split:S with S = spines, plan; spraying: random, rr, adaptive, reps), dcqcn on a lossless
// fabric. One row per (point, cc, transport) goes to spraying.csv with the CCT over the ideal,
// and two figures show it against oversubscription and against failures.
#include <fmt/format.h>
#include <fmt/ostream.h>

#include "analysis/metrics.hpp"
#include "experiments/commands.hpp"
#include "experiments/output_dir.hpp"
#include "experiments/run_pairs.hpp"
#include "experiments/scenario.hpp"
#include "experiments/scenario_workload.hpp"
#include "sim/core/error.hpp"

namespace moesim::cli {
namespace {

constexpr const char* kHeader =
    "workload,size,oversubscription,failed_links,cc,fabric,transport,cct_us,ideal_cct_us,"
    "over_ideal,link_bound_us,max_link_util,trims,pfc_frames,fct_p99_us\n";

// The experiment's fabric and models unless the user set them: 32 hosts at 100 Gb/s on
// 4 leaves x 4 spines with one-BDP-scale buffers, the packet model.
void apply_defaults(Settings& s) {
  const std::pair<const char*, const char*> defaults[] = {
      {"leaves", "4"},      {"spines", "4"},     {"hosts-per-leaf", "8"},  {"host-rate", "100Gbps"},
      {"buffer", "256KiB"}, {"moe-layers", "1"}, {"tokens-per-gpu", "512"}};
  for (const auto& [name, value] : defaults) {
    if (s.source(name) == "default") s.set(name, value, "default");
  }
  if (s.get("topology") != "leaf-spine") {
    throw InputError(
        fmt::format("{}: '{}': the spraying experiment runs on leaf-spine fabrics "
                    "(oversubscription and split:S are defined there)",
                    s.where("topology"), s.get("topology")));
  }
}

std::string transports(const Settings& s) {
  const std::string spines = s.get("spines");
  return "ecmp,split:" + spines + ",plan,spray:random,spray:rr,spray:adaptive,spray:reps";
}

}  // namespace

int spraying_command(const Context& ctx, const Args& args) {
  Settings settings =
      parse_settings(args, {"topology", "workload", "simulation", "output", "experiment"});
  if (settings.help) {
    fmt::print(
        "Usage: moesim spraying [options]\n"
        "Single path (ecmp, split:S, plan) against packet spraying (random, rr, adaptive, reps)\n"
        "on the packet model, each over the fluid ideal, for every --spray-workloads x --sizes x\n"
        "--oversubscriptions x --failures x --ccs (dcqcn on a lossless fabric). Defaults here:\n"
        "4 leaves x 4 spines x 8 hosts at 100 Gb/s, 256KiB buffers. Writes spraying.csv and\n"
        "the figures spraying_oversubscription and spraying_failures.\n\n{}",
        fmt::streamed(describe({"experiment", "topology", "workload", "simulation", "output"})));
    return 0;
  }
  apply_defaults(settings);
  const auto& workloads = settings.list("spray-workloads");
  const auto& sizes = settings.list("sizes");
  const auto& oversubscriptions = settings.list("oversubscriptions");
  const auto& failures = settings.list("failures");
  const auto& ccs = settings.list("ccs");
  // Every point's options are checked before anything runs or is written.
  std::vector<Settings> points;
  for (const std::string& wl : workloads)
    for (const std::string& size : sizes)
      for (const std::string& over : oversubscriptions)
        for (const std::string& failed : failures)
          for (const std::string& cc : ccs) {
            Settings p = settings;
            p.set("workload", wl, "default");
            p.set("size", size, "default");
            p.set("oversubscription", over, "default");
            p.set("fail-links", failed == "0" ? "" : failed, "default");
            p.set("cc", cc, "default");
            p.set("fabric", cc == "dcqcn" ? "lossless" : "lossy", "default");
            p.set("model", "packet", "default");
            p.set("transport", transports(p), "default");
            parse_scenario(p, ctx.models);
            points.push_back(std::move(p));
          }

  OutputDir out(settings.get("out"), {"spraying.csv"}, settings.where("out"));
  std::ofstream& csv = out.open("spraying.csv");
  csv << kHeader;
  double ideal_us = 0;
  std::string ideal_key;
  for (const Settings& p : points) {
    const topo::BuiltTopology built = build_topology(p);
    const topo::Topology& t = built.topology;
    const Scenario sc = parse_scenario(p, ctx.models);
    const topo::Routing routing(t, sc.route_cost);
    const Workload w = build_workload(sc, t).workload;
    // The reference, once per point: the fluid model's ideal multipath (CC-independent).
    const std::string key = p.get("workload") + "|" + p.get("size") + "|" +
                            p.get("oversubscription") + "|" + p.get("fail-links");
    if (key != ideal_key) {
      Settings ideal = p;
      ideal.set("model", "fluid", "default");
      ideal.set("transport", "ideal", "default");
      run_pairs(routing, w, parse_scenario(ideal, ctx.models),
                [&](RunOutcome&& o) { ideal_us = o.result.makespan.us(); });
      ideal_key = key;
    }
    const std::string failed = p.get("fail-links").empty() ? "0" : p.get("fail-links");
    fmt::print("spraying: {} {} oversubscription {} failed {} cc {}\n", p.get("workload"),
               p.get("size"), p.get("oversubscription"), failed, p.get("cc"));
    run_pairs(routing, w, sc, [&](RunOutcome&& o) {
      const analysis::Summary s = analysis::summarize(t, w, o.result);
      fmt::print("  {:<15} CCT {:10.3f} us  x{:.3f} ideal\n", o.transport, s.cct_us,
                 s.cct_us / ideal_us);
      fmt::print(csv, "{},{},{},{},{},{},{},{:.6f},{:.6f},{:.6f},{:.6f},{:.6f},{},{},{:.6f}\n",
                 p.get("workload"), p.get("size"), p.get("oversubscription"), failed, p.get("cc"),
                 p.get("fabric"), o.transport, s.cct_us, ideal_us, s.cct_us / ideal_us,
                 s.link_bound_us, s.max_link_util, s.trims, s.pfc_frames, s.fct_p99_us);
    });
  }
  out.commit();
  fmt::print("wrote spraying.csv in {}\n", out.path().string());
  // Figures: one slice each (the rest fixed by --where, so no point averages unlike runs).
  const std::string csv_path = (out.path() / "spraying.csv").string();
  const std::vector<std::vector<std::string>> figures = {
      {csv_path, "--kind", "line", "--x", "oversubscription", "--y", "over_ideal", "--hue",
       "transport", "--col", "workload", "--where", "cc=" + ccs.front(), "--where",
       "failed_links=" + failures.front(), "--where", "size=" + sizes.front(), "--out",
       (out.path() / "spraying_oversubscription").string()},
      {csv_path, "--kind", "line", "--x", "failed_links", "--y", "over_ideal", "--hue", "transport",
       "--col", "workload", "--where", "cc=" + ccs.front(), "--where",
       "oversubscription=" + oversubscriptions.front(), "--where", "size=" + sizes.front(), "--out",
       (out.path() / "spraying_failures").string()}};
  for (const auto& fig : figures) {
    try {
      plot_command(ctx, fig);
    } catch (const InputError& e) {
      fmt::print(stderr, "moesim spraying: figure skipped: {}\n", e.what());
    }
  }
  return 0;
}

}  // namespace moesim::cli
