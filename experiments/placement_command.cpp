// `moesim placement`: the expert-placement experiment. A skewed synthetic trace (OLMoE-1B-7B
// shape: 64 experts, top-8, per-layer max/mean ~4.5) and the real Mixtral-8x7B trace are each
// run on a leaf-spine under expert placements x balancing policies x transports; one row per
// combination goes to placement.csv, with a figure of the iteration time.
#include <filesystem>

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

struct Policy {
  const char* name;
  std::vector<std::pair<const char*, const char*>> options;
};

// The placement x balancing combinations compared. LLEP re-plans over contiguous native
// experts whatever the placement, so it is paired with contiguous only.
const std::vector<Policy>& policies() {
  static const std::vector<Policy> p = {
      {"contiguous", {{"placement", "contiguous"}}},
      {"round-robin", {{"placement", "round-robin"}}},
      {"topology-aware", {{"placement", "topology-aware"}}},
      {"eplb", {{"placement", "eplb"}}},
      {"eplb+replicas", {{"placement", "eplb"}, {"slots-per-gpu", "double"}}},
      {"contiguous+drop",
       {{"placement", "contiguous"},
        {"capacity", "drop"},
        {"capacity-factor", "1.0"},
        {"drop-policy", "position"}}},
      {"contiguous+llep", {{"placement", "contiguous"}, {"balance", "llep"}}},
  };
  return p;
}

struct TraceCase {
  std::string name;
  std::vector<std::pair<std::string, std::string>> options;
};

std::vector<TraceCase> trace_cases(const Settings& s) {
  const std::string mixtral =
      s.get("mixtral-trace").empty()
          ? std::string(MOESIM_SHARED_DATA) +
                "/traces/mixtral-8x7b_vllm_Mario928-speculative-moe/gsm8k_2_routing.jsonl"
          : s.get("mixtral-trace");
  std::vector<TraceCase> cases = {
      {"synthetic-olmoe", {{"moe-model", "olmoe-1b-7b"}, {"tokens-per-gpu", "512"}}}};
  if (std::filesystem::exists(mixtral)) {
    cases.push_back({"mixtral-gsm8k", {{"moe-model", "mixtral-8x7b"}, {"trace", mixtral}}});
  } else if (!s.get("mixtral-trace").empty()) {
    // A trace the user named must be there; only the bundled default may be absent.
    throw InputError(fmt::format("{}: '{}': no such file: expected a router trace",
                                 s.where("mixtral-trace"), mixtral));
  } else {
    fmt::print(stderr, "moesim placement: {} not found: the real-trace half is skipped\n", mixtral);
  }
  return cases;
}

double mean_ratio(const workload::MoeLayers& l) {
  double sum = 0;
  for (const auto& s : l.stats)
    sum += s.mean_gpu_rows > 0 ? static_cast<double>(s.max_gpu_rows) / s.mean_gpu_rows : 0;
  return sum / static_cast<double>(l.stats.size());
}

// "double": twice the slots per GPU the experts need, so every GPU has spare slots for replicas.
std::string slots_per_gpu(const Settings& point, const std::string& value, uint32_t gpus) {
  if (value != "double") return value;
  const uint32_t experts = parse_moe(point, point.count("seed")).shape.experts;
  return std::to_string(2 * std::max(1u, (experts + gpus - 1) / gpus));
}

}  // namespace

int placement_command(const Context& ctx, const Args& args) {
  Settings settings =
      parse_settings(args, {"experiment", "topology", "workload", "simulation", "output"});
  if (settings.help) {
    fmt::print(
        "Usage: moesim placement [options]\nThe expert-placement experiment: a skewed synthetic "
        "trace and the real Mixtral trace under placements x balancing x transports on a "
        "leaf-spine (defaults here: 2 leaves x 4 GPUs, 2 spines, 100 Gb/s; fluid; ecmp, "
        "spray:random). Writes placement.csv and placement.png/.svg.\n\n{}",
        fmt::streamed(describe({"experiment", "topology", "workload", "simulation", "output"})));
    return 0;
  }
  const std::pair<const char*, const char*> defaults[] = {
      {"leaves", "2"},          {"spines", "2"},    {"hosts-per-leaf", "4"},
      {"host-rate", "100Gbps"}, {"model", "fluid"}, {"transport", "ecmp,spray:random"}};
  for (const auto& [name, value] : defaults) {
    if (settings.source(name) == "default") settings.set(name, value, "default");
  }
  settings.set("workload", "moe", "default");
  parse_scenario(settings, ctx.models);

  OutputDir out(settings.get("out"), {"placement.csv"}, settings.where("out"));
  std::ofstream& csv = out.open("placement.csv");
  csv << "trace,policy,transport,model,iteration_us,max_over_mean_gpu_rows,dropped_share,"
         "remote_share,weight_transfers\n";
  for (const TraceCase& tc : trace_cases(settings)) {
    for (const Policy& pol : policies()) {
      Settings point = settings;
      for (const auto& [k, v] : tc.options)
        point.set(k, v, "default");
      const topo::BuiltTopology built = build_topology(point);
      const topo::Topology& t = built.topology;
      for (const auto& [k, v] : pol.options) {
        const std::string name = k;
        point.set(name, name == "slots-per-gpu" ? slots_per_gpu(point, v, t.num_hosts()) : v,
                  "default");
      }
      const Scenario sc = parse_scenario(point, ctx.models);
      const BuiltWorkload bw = build_workload(sc, t);
      const workload::MoeLayers& layers = bw.moe->layers;
      const Workload& w = bw.workload;
      uint64_t slots_total = 0, dropped = 0, remote = 0, local = 0, transfers = 0;
      for (const auto& s : layers.stats) {
        slots_total += s.slots, dropped += s.dropped, remote += s.remote_tokens;
        local += s.local_tokens, transfers += s.weight_transfers;
      }
      const double iterations = layers.iteration.back() + 1.0;
      const topo::Routing routing(t, sc.route_cost);
      run_pairs(routing, w, sc, [&](RunOutcome&& o) {
        const double it_us = o.result.makespan.us() / iterations;
        fmt::print("{:<16} {:<16} {:<13} {:<6} iteration {:10.3f} us, max/mean rows {:.3f}\n",
                   tc.name, pol.name, o.transport, o.model, it_us, mean_ratio(layers));
        fmt::print(csv, "{},{},{},{},{:.6f},{:.6f},{:.6f},{:.6f},{}\n", tc.name, pol.name,
                   o.transport, o.model, it_us, mean_ratio(layers),
                   static_cast<double>(dropped) / static_cast<double>(slots_total),
                   static_cast<double>(remote) / static_cast<double>(remote + local), transfers);
      });
    }
  }
  out.commit();
  fmt::print("wrote placement.csv in {}\n", out.path().string());
  try {
    plot_command(ctx, {(out.path() / "placement.csv").string(), "--kind", "bar", "--x", "policy",
                       "--y", "iteration_us", "--hue", "transport", "--col", "trace", "--out",
                       (out.path() / "placement").string()});
  } catch (const InputError& e) {
    fmt::print(stderr, "moesim placement: figure skipped: {}\n", e.what());
  }
  return 0;
}

}  // namespace moesim::cli
