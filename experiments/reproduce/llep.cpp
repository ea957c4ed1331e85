// Row 2, LLEP (Nguyen et al., arXiv 2601.17111, Fig. 4; reference/policies.md §3.1, §1.11 and
// §6 item 8): the MoE-layer speedup of least-loaded expert parallelism over plain EP on 8 GPUs
// (one NVLink server), forward pass, alpha = 1, m = 1024, contiguous experts; ≈ 4.6x for a
// DeepSeek-V3 layer at 16K tokens per GPU and 6.11x for gpt-oss-120b at 32K when 95% of the
// load goes to one expert, ≈ 1x balanced, rising with tokens per GPU. Two kinds of rows:
//  - per token: each token chooses top-k *distinct* experts, so "95% -> 1" means expert 0 is
//    in 95% of the tokens' top-k, which is 95% / k of the slots. The speedup is bounded by the
//    busiest GPU's rows over the mean (LLEP can at best flatten them), so these rows sit far
//    below the paper by design;
//  - counts level (`--loads`, workloads/moe_slots.hpp): the paper's generator itself, which
//    puts 95% of the *slots* on expert 0 (every slot of a hot token), as per-expert slot counts
//    with no token identity; the paper's setting (per-GPU max/mean 7.65), over the whole Fig. 4
//    grid (balanced, 30/50/80/95% into 16/4/1 experts) at 16K and 32K tokens per GPU, drawn as
//    the figure reproduce_llep.
#include <memory>
#include <span>
#include <string>
#include <vector>

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
#include "workloads/policy_csv.hpp"
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

// LLEP's benchmark generator "r:h" (test_llep.py::create_imbalanced_routing, policies.md
// §1.11) as one layer's slot counts over the 8 GPUs: on each GPU the first floor(r T) of its T
// tokens send all k slots to the hot experts (slot j to expert j mod h, so with h > k only k
// of them get any), the others slot j to cold expert h + (t + j) mod (E - h); balanced
// (h = 0): expert (t + j) mod E.
workload::LayerSlots paper_slots(const Shape& s, uint32_t tokens, double r, uint32_t h) {
  std::vector<uint64_t> c(s.experts, 0);
  const auto hot = h == 0 ? 0 : static_cast<uint32_t>(r * tokens);
  const uint32_t cold = s.experts - h;
  for (uint32_t t = 0; t < tokens; ++t) {
    for (uint32_t j = 0; j < s.top_k; ++j)
      ++c[t < hot ? j % h : h + (t + j) % cold];
  }
  for (uint64_t& x : c)
    x *= kGpus;
  return {c};
}

// The layer time (us) on the analytic model with `balance` (none | llep), and the busiest
// GPU's rows over the mean under plain EP. The layer is `trace` (per token) or, when it is
// null, the counts-level `slots` of `tokens` tokens per GPU.
struct LayerRun {
  double layer_us = 0, max_over_mean = 0;
};
LayerRun layer(const Shape& s, const workload::Trace* trace, const workload::LayerSlots& slots,
               uint32_t tokens, const char* balance, uint64_t seed) {
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
                                   std::to_string(tokens),
                                   "--seed",
                                   std::to_string(seed)};
  args.insert(args.end(), s.options.begin(), s.options.end());
  const Settings settings = parse_settings(args, {"topology", "workload", "simulation", "output"});
  const topo::BuiltTopology built = build_topology(settings);
  const topo::Topology& t = built.topology;
  workload::MoeSpec spec = parse_moe(settings, seed);
  if (trace == nullptr) {  // what --loads FILE reads, without the file
    spec.loads = "(LLEP's generator)";
    spec.layer_slots = slots;
  }
  MoeRun run{spec, step_layout(settings, t, spec.shape.layers), {}};
  run.layers = workload::route_trace(spec, kGpus, topo::leaf_of_hosts(t), [trace] {
    return std::make_unique<workload::MemoryTraceReader>(*trace);
  });
  const Workload w = moe_workload(run, parse_gpu_model(settings));
  const topo::Routing routing(t, topo::RouteCost::Latency);
  const sim::PathSet paths = sim::assign_paths(routing, w, sim::parse_transport("ecmp"), seed);
  const auto& st = run.layers.stats.at(0);
  return {sim::run_analytic(t, w, paths).makespan.us(),
          static_cast<double>(st.max_gpu_rows) / st.mean_gpu_rows};
}

void per_token_rows(std::span<const Shape> shapes, const Options& opt, Result& res) {
  for (const Shape& s : shapes) {
    const double paper_hot = std::string(s.name) == "deepseek-v3" ? 4.6 : 6.11;
    for (const double r : {0.95, -1.0}) {
      const workload::Trace tr = hot_trace(s, r);
      const LayerRun ep = layer(s, &tr, {}, s.tokens_per_gpu, "none", opt.seed);
      const LayerRun llep = layer(s, &tr, {}, s.tokens_per_gpu, "llep", opt.seed);
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
}

// The imbalance cases of Fig. 4: balanced (h = 0), then r of the tokens into h experts.
struct Case {
  double r;
  uint32_t h;
};

void counts_rows(std::span<const Shape> shapes, const Options& opt, Result& res) {
  std::vector<Case> cases = {{0, 0}};
  for (const uint32_t h : {16u, 4u, 1u}) {
    for (const double r : {0.3, 0.5, 0.8, 0.95}) {
      if (!opt.quick || (r == 0.95 && h == 1)) cases.push_back({r, h});
    }
  }
  res.curve.csv = "shape,tokens_per_gpu,imbalance,speedup\n";
  for (const Shape& s : shapes) {
    const double paper_hot = std::string(s.name) == "deepseek-v3" ? 4.6 : 6.11;
    double hot[2] = {0, 0};  // the 95% -> 1 speedup at 16K and at 32K tokens per GPU
    for (const uint32_t tokens : {16384u, 32768u}) {
      for (const Case& c : cases) {
        const workload::LayerSlots slots = paper_slots(s, tokens, c.r, c.h);
        const LayerRun ep = layer(s, nullptr, slots, tokens, "none", opt.seed);
        const LayerRun llep = layer(s, nullptr, slots, tokens, "llep", opt.seed);
        const double speedup = ep.layer_us / llep.layer_us;
        const std::string label = c.h == 0 ? "balanced" : fmt::format("{:g}:{}", c.r * 100, c.h);
        res.curve.csv += fmt::format("{},{},{},{:.6f}\n", s.name, tokens, label, speedup);
        const bool hot_case = c.h == 1 && c.r == 0.95;
        if (hot_case) hot[tokens == 16384 ? 0 : 1] = speedup;
        if (tokens != s.tokens_per_gpu || (c.h != 0 && !hot_case)) continue;
        Row row;
        row.source = kSource;
        row.setting = fmt::format(
            "8 GPUs in one NVLink server, {} layer, {}K tokens/GPU, {} (counts level, --loads); "
            "analytic, alpha 1, m 1024",
            s.name, tokens / 1024, hot_case ? "95% of slots into expert 0" : "balanced");
        row.moesim_value = speedup;
        row.unit = "layer speedup LLEP / EP";
        if (!hot_case) {
          // Balanced: every GPU's native load is the mean, nothing spills: parity, in the
          // paper's 0.92-1.07.
          row.claim = fmt::format("llep/counts-balanced-{}", s.name);
          row.paper_value = 1.0;
          row.ratio_lo = 0.92, row.ratio_hi = 1.07;
          row.note = "paper: 0.92-1.07 balanced";
        } else {
          // The paper's setting: EP's busiest GPU computes 7.65x the mean rows and receives
          // 7.65x the mean dispatch (GPU 0 holds expert 0 with 95% of the slots plus 31 or 15
          // of the cold experts' 5%: 8 (0.95 + 0.05 x 31/255) = 7.65), and LLEP flattens the
          // rows, so moesim's speedup is near 7.65 (less where LLEP's spilled chunks arrive in a
          // few large flows, as for DeepSeek-V3's 14 KB tokens; a little more where EP's
          // dispatch into GPU 0 adds to its 7.65x compute). The measured 4.6 / 6.11 sit under
          // that because LLEP pays what moesim leaves out (moving the spilled experts' weights,
          // a GEMM launch per chunk, uneven kernels). Band: moesim / paper in 1.0-1.8 (7.65 /
          // 4.6 = 1.66 for DeepSeek-V3 and 7.65 / 6.11 = 1.25 for gpt-oss, with slack for the
          // dispatch term); below 1 would be moesim gaining less than the real system.
          row.claim = fmt::format("llep/counts-95-1-{}", s.name);
          row.paper_value = paper_hot;
          row.ratio_lo = 1.0, row.ratio_hi = 1.8;
          row.note = fmt::format(
              "slots per GPU: EP busiest {:.2f}x mean; layer {:.0f} -> {:.0f} us; no weight "
              "transfer or GEMM launch cost in moesim",
              ep.max_over_mean, ep.layer_us, llep.layer_us);
        }
        res.rows.push_back(row);
      }
    }
    // Rising with tokens per GPU (the paper's ablation, 4K -> 64K): the 95% -> 1 speedup at
    // 32K over that at 16K. A fixed per-layer cost that LLEP amortises makes it rise; moesim
    // models none (expert time and dispatch both scale with the rows), so it expects a flat
    // ratio of about 1: the band is 1.0-1.5, "not falling", and the note says what is flat.
    Row row;
    row.claim = fmt::format("llep/counts-rising-{}", s.name);
    row.source = kSource;
    row.setting = fmt::format(
        "as llep/counts-95-1-{}, 32K over 16K tokens/GPU (counts level, --loads)", s.name);
    row.paper_value = 1.0;
    row.moesim_value = hot[1] / hot[0];
    row.unit = "speedup(32K) / speedup(16K)";
    row.ratio_lo = 1.0, row.ratio_hi = 1.5;
    row.note = fmt::format("paper: rises with batch; moesim {:.3f}x at 16K, {:.3f}x at 32K", hot[0],
                           hot[1]);
    res.rows.push_back(row);
  }
  res.curve.plot_args = {
      "--kind", "bar",     "--x",     "imbalance",
      "--y",    "speedup", "--hue",   "tokens_per_gpu",
      "--col",  "shape",   "--title", "LLEP over EP, counts level (LLEP Fig. 4 grid)"};
}

Result run(const Options& opt) {
  // DeepSeek-V3: 256 experts, top-8, hidden 7168, FFN 2048, 16K tokens per GPU; gpt-oss-120b:
  // 128 experts, top-4, hidden = FFN = 2880, 32K tokens per GPU (the paper's batches). Quick
  // mode runs the per-token rows of the DeepSeek-V3 shape only (a per-token trace of 32K x 8
  // tokens is the slow part) and, at the counts level, balanced and 95% -> 1 only.
  const std::vector<Shape> shapes = {{"deepseek-v3", {"--moe-model", "deepseek-v3"}, 256, 8, 16384},
                                     {"gpt-oss-120b",
                                      {"--moe-model", "deepseek-v3", "--experts", "128", "--top-k",
                                       "4", "--hidden", "2880", "--expert-ffn", "2880"},
                                      128,
                                      4,
                                      32768}};
  Result res;
  per_token_rows(std::span(shapes).first(opt.quick ? 1 : 2), opt, res);
  counts_rows(shapes, opt, res);
  return res;
}

}  // namespace

extern const Entry llep_claim = {
    "llep",
    "LLEP's layer speedup over EP: per-token rows, and counts-level rows in the paper's setting",
    "reproduce_llep", &run};

}  // namespace moesim::cli::reproduce
