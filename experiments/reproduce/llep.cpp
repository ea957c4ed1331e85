// Row 2, LLEP (Nguyen et al., arXiv 2601.17111, Fig. 4; reference/policies.md §3.1, §1.11 and
// §6 item 8): the MoE-layer speedup of least-loaded expert parallelism over plain EP on 8 GPUs
// (one NVLink server), forward pass, alpha = 1, m = 1024, contiguous experts; ≈ 4.6x for a
// DeepSeek-V3 layer at 16K tokens per GPU and 6.11x for gpt-oss-120b at 32K when 95% of the
// load goes to one expert, ≈ 1x balanced. These rows are per token: each token chooses top-k
// *distinct* experts, so "95% -> 1" here means expert 0 is in 95% of the tokens' top-k, which
// is 95% / k of the slots. The paper's generator puts 95% of the *slots* on expert 0 (every
// slot of a hot token), which no top-k router produces; that needs a counts-level layer mode
// moesim does not have yet. The per-token speedup is bounded by the busiest GPU's rows over
// the mean (LLEP can at best flatten them), so these rows sit far below the paper by design.
#include <memory>

#include <fmt/format.h>

#include "experiments/moe_options.hpp"
#include "experiments/reproduce/claim.hpp"
#include "experiments/scenario.hpp"
#include "experiments/scenario_workload.hpp"
#include "sim/model.hpp"
#include "sim/paths.hpp"
#include "sim/transport.hpp"
#include "topologies/host_leaves.hpp"
#include "topologies/routing.hpp"
#include "workloads/trace.hpp"

namespace moesim::cli::reproduce {
namespace {

constexpr const char* kSource = "LLEP (arXiv 2601.17111) Fig. 4; policies.md §3.1";
constexpr uint32_t kGpus = 8;

struct Shape {
  const char* name;
  std::vector<std::string> options;  // the MoE shape as `moesim run` options
  uint32_t experts, top_k, tokens_per_gpu;
};

// LLEP's "r:1" generator per token (policies.md §1.11, with distinct experts): on every GPU the
// first r of its tokens choose expert 0 and k - 1 cold experts round-robin; the others k cold
// experts round-robin. Balanced (r < 0): token t chooses experts (t k + j) mod E.
workload::Trace hot_trace(const Shape& s, double r) {
  workload::Trace tr;
  tr.shape = {s.experts, s.top_k, false, true};
  workload::Batch b;
  b.top_k = s.top_k;
  const uint32_t cold = s.experts - 1;
  uint64_t next = 0;  // round-robin cursor over the cold experts 1..E-1
  for (uint32_t g = 0; g < kGpus; ++g) {
    for (uint32_t i = 0; i < s.tokens_per_gpu; ++i) {
      const uint32_t t = g * s.tokens_per_gpu + i;
      b.token_ids.push_back(t);
      b.ranks.push_back(g);
      if (r < 0) {
        for (uint32_t j = 0; j < s.top_k; ++j)
          b.experts.push_back((uint64_t{t} * s.top_k + j) % s.experts);
        continue;
      }
      const bool hot = i < static_cast<uint32_t>(r * s.tokens_per_gpu);
      if (hot) b.experts.push_back(0);
      for (uint32_t j = hot ? 1 : 0; j < s.top_k; ++j)
        b.experts.push_back(1 + static_cast<uint32_t>(next++ % cold));
    }
  }
  tr.batches.push_back(std::move(b));
  return tr;
}

// The layer time (us) on the analytic model with `balance` (none | llep), and the busiest
// GPU's rows over the mean under plain EP.
struct LayerRun {
  double layer_us = 0, max_over_mean = 0;
};
LayerRun layer(const Shape& s, const workload::Trace& trace, const char* balance, uint64_t seed) {
  std::vector<std::string> args = {"--workload",
                                   "moe",
                                   "--leaves",
                                   "1",
                                   "--spines",
                                   "1",
                                   "--hosts-per-leaf",
                                   "8",
                                   "--gpus-per-server",
                                   "8",
                                   "--moe-layers",
                                   "1",
                                   "--placement",
                                   "contiguous",
                                   "--balance",
                                   balance,
                                   "--model",
                                   "analytic",
                                   "--transport",
                                   "ecmp",
                                   "--tokens-per-gpu",
                                   std::to_string(s.tokens_per_gpu),
                                   "--seed",
                                   std::to_string(seed)};
  args.insert(args.end(), s.options.begin(), s.options.end());
  const Settings settings = parse_settings(args, {"topology", "workload", "simulation", "output"});
  const topo::BuiltTopology built = build_topology(settings);
  const topo::Topology& t = built.topology;
  const workload::MoeSpec spec = parse_moe(settings, seed);
  MoeRun run{spec, step_layout(settings, t, spec.shape.layers), {}};
  run.layers = workload::route_trace(spec, kGpus, topo::leaf_of_hosts(t), [&trace] {
    return std::make_unique<workload::MemoryTraceReader>(trace);
  });
  const Workload w = moe_workload(run, parse_gpu_model(settings));
  const topo::Routing routing(t, topo::RouteCost::Latency);
  const sim::PathSet paths = sim::assign_paths(routing, w, sim::parse_transport("ecmp"), seed);
  const auto& st = run.layers.stats.at(0);
  return {sim::run_analytic(t, w, paths).makespan.us(),
          static_cast<double>(st.max_gpu_rows) / st.mean_gpu_rows};
}

Result run(const Options& opt) {
  // DeepSeek-V3: 256 experts, top-8, hidden 7168, FFN 2048, 16K tokens per GPU; gpt-oss-120b:
  // 128 experts, top-4, hidden = FFN = 2880, 32K tokens per GPU (the paper's batches). Quick
  // mode runs the DeepSeek-V3 shape only.
  std::vector<Shape> shapes = {{"deepseek-v3", {"--moe-model", "deepseek-v3"}, 256, 8, 16384}};
  if (!opt.quick) {
    shapes.push_back({"gpt-oss-120b",
                      {"--moe-model", "deepseek-v3", "--experts", "128", "--top-k", "4", "--hidden",
                       "2880", "--expert-ffn", "2880"},
                      128,
                      4,
                      32768});
  }
  Result res;
  for (const Shape& s : shapes) {
    const double paper_hot = std::string(s.name) == "deepseek-v3" ? 4.6 : 6.11;
    for (const double r : {0.95, -1.0}) {
      const workload::Trace tr = hot_trace(s, r);
      const LayerRun ep = layer(s, tr, "none", opt.seed);
      const LayerRun llep = layer(s, tr, "llep", opt.seed);
      Row row;
      row.source = kSource;
      row.setting = fmt::format(
          "8 GPUs in one NVLink server, {} layer, {}K tokens/GPU, {}; analytic, alpha 1, m 1024",
          s.name, s.tokens_per_gpu / 1024,
          r < 0 ? "balanced" : "expert 0 in 95% of tokens' top-k (per token)");
      row.moesim_value = ep.layer_us / llep.layer_us;
      row.unit = "layer speedup LLEP / EP";
      if (r < 0) {
        // Balanced: nothing is over the capacity, LLEP keeps every expert native: parity.
        // The paper's 0.92-1.07 is the band.
        row.claim = fmt::format("llep/per-token-balanced-{}", s.name);
        row.paper_value = 1.0;
        row.ratio_lo = 0.92, row.ratio_hi = 1.07;
        row.note = "paper: 0.92-1.07 balanced";
      } else {
        // Bound: the speedup is at most the EP layer's busiest-GPU rows over the mean (about
        // 1.8 for top-8: GPU 0 holds expert 0 with 95% / 8 of the slots plus its cold share);
        // so moesim / paper is at most 1.8 / 4.6 = 0.39 here, and the band is 0.25-0.45.
        row.claim = fmt::format("llep/per-token-95-1-{}", s.name);
        row.paper_value = paper_hot;
        row.ratio_lo = 0.25, row.ratio_hi = 0.45;
        row.note = fmt::format(
            "per token, not per slot: EP busiest GPU {:.2f}x mean rows (paper's setting 7.65x); "
            "layer {:.0f} -> {:.0f} us",
            ep.max_over_mean, ep.layer_us, llep.layer_us);
      }
      res.rows.push_back(row);
    }
  }
  return res;
}

}  // namespace

extern const Entry llep_claim = {
    "llep", "LLEP's layer speedup over EP (per-token rows; the paper's per-slot setting differs)",
    nullptr, &run};

}  // namespace moesim::cli::reproduce
