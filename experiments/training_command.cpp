// `moesim training`: an MoE training step on a 128-GPU cluster under transports x expert
// placement x overlap. A DeepSeek-V3-shaped model (256 experts, top-8, its calibrated
// group-limited router) scaled to 4 MoE layers, on the default leaf-spine with 8-GPU servers,
// TP 1 x PP 2 x DP 64 with EP 32 (two EP groups per stage), 4 micro-batches of 512 tokens per
// GPU, attention 200 us per layer. Placements: contiguous, and eplb with one spare slot per
// GPU above the experts an EP rank holds (with EP 32, 32 redundant experts per group, as
// DeepSeek-V3's prefill deployment). One row per
// (placement, overlap, transport, model) in training.csv, and a figure of the step time.
#include <fmt/format.h>
#include <fmt/ostream.h>

#include "analysis/metrics.hpp"
#include "experiments/commands.hpp"
#include "experiments/moe_options.hpp"
#include "experiments/output_dir.hpp"
#include "experiments/run_pairs.hpp"
#include "experiments/scenario.hpp"
#include "experiments/scenario_workload.hpp"
#include "sim/core/error.hpp"

namespace moesim::cli {
namespace {

struct Case {
  const char* name;
  std::vector<std::pair<const char*, const char*>> options;
};

const std::vector<Case>& placements() {
  static const std::vector<Case> p = {
      {"contiguous", {{"placement", "contiguous"}}},
      {"eplb+spare", {{"placement", "eplb"}, {"slots-per-gpu", "spare"}}},
  };
  return p;
}

constexpr const char* kOverlaps[] = {"none", "two-batch"};

constexpr const char* kGroups[] = {"experiment", "topology", "workload", "simulation", "output"};

}  // namespace

int training_command(const Context& ctx, const Args& args) {
  Settings settings = parse_settings(args, {std::begin(kGroups), std::end(kGroups)});
  if (settings.help) {
    fmt::print(
        "Usage: moesim training [options]\nThe MoE training-step experiment: a DeepSeek-V3-shaped "
        "step (4 MoE layers) on 128 GPUs in 8-GPU servers, TP 1 x PP 2 x DP 64, EP 32, 4 "
        "micro-batches of 512 tokens per GPU, under placements (contiguous, eplb with a spare "
        "slot per GPU) x overlap (none, two-batch) x transports x models (defaults here: fluid; "
        "ecmp, split:4, plan, spray:random, spray:adaptive). Any option below overrides these. "
        "Writes training.csv and training.png/.svg.\n\n{}",
        fmt::streamed(describe({std::begin(kGroups), std::end(kGroups)})));
    return 0;
  }
  const std::pair<const char*, const char*> defaults[] = {
      {"gpus-per-server", "8"},
      {"moe-model", "deepseek-v3"},
      {"moe-layers", "4"},
      {"tokens-per-gpu", "512"},
      {"step", "train"},
      {"pp", "2"},
      {"ep", "32"},
      {"micro-batches", "4"},
      {"attention-time", "200us"},
      {"model", "fluid"},
      {"transport", "ecmp,split:4,plan,spray:random,spray:adaptive"}};
  for (const auto& [name, value] : defaults) {
    if (settings.source(name) == "default") settings.set(name, value, "default");
  }
  settings.set("workload", "moe", "default");
  for (const char* name : {"placement", "slots-per-gpu", "overlap"}) {
    if (settings.source(name) != "default") {
      throw InputError(fmt::format("{}: '{}': moesim training compares its own {} values",
                                   settings.where(name), settings.get(name), name));
    }
  }
  const Scenario base = parse_scenario(settings, ctx.models);  // checks every option once
  const topo::BuiltTopology built = build_topology(settings);
  const topo::Topology& t = built.topology;
  const topo::Routing routing(t, base.route_cost);

  OutputDir out(settings.get("out"), {"training.csv"}, settings.where("out"));
  std::ofstream& csv = out.open("training.csv");
  csv << "placement,overlap,transport,model,step_us,compute_us,exposed_comm_us,nic_bytes,"
         "nvlink_bytes,flows\n";
  for (const Case& pl : placements()) {
    for (const char* overlap : kOverlaps) {
      Settings point = settings;
      // "spare": one slot per GPU above the experts an EP rank holds.
      const workload::MoeSpec spec = parse_moe(point, 1);
      const uint32_t spare = spec.shape.experts / step_layout(point, t, spec.shape.layers).ep() + 1;
      for (const auto& [k, v] : pl.options)
        point.set(k, std::string(v) == "spare" ? std::to_string(spare) : v, "default");
      point.set("overlap", overlap, "default");
      const Scenario sc = parse_scenario(point, ctx.models);
      const BuiltWorkload bw = build_workload(sc, t);
      const Workload& w = bw.workload;
      run_pairs(routing, w, sc, [&](RunOutcome&& o) {
        const analysis::Summary s = analysis::summarize(t, w, o.result);
        fmt::print(
            "{:<11} {:<9} {:<15} {:<6} step {:12.3f} us, compute {:12.3f} us, exposed "
            "{:12.3f} us\n",
            pl.name, overlap, o.transport, o.model, s.step_us, s.compute_us, s.exposed_comm_us);
        fmt::print(csv, "{},{},{},{},{:.6f},{:.6f},{:.6f},{},{},{}\n", pl.name, overlap,
                   o.transport, o.model, s.step_us, s.compute_us, s.exposed_comm_us, s.nic_bytes,
                   s.nvlink_bytes, s.flows);
      });
    }
  }
  out.commit();
  fmt::print("wrote training.csv in {}\n", out.path().string());
  try {
    plot_command(ctx, {(out.path() / "training.csv").string(), "--kind", "bar", "--x", "transport",
                       "--y", "step_us", "--hue", "placement", "--col", "overlap", "--out",
                       (out.path() / "training").string()});
  } catch (const InputError& e) {
    fmt::print(stderr, "moesim training: figure skipped: {}\n", e.what());
  }
  return 0;
}

}  // namespace moesim::cli
