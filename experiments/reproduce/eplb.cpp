// Row 4, EPLB's effect (TensorRT-LLM blog 4, DeepSeek-R1 on 32 GB200, EP32; traces.md §4.2,
// policies.md §2.2 and §6 item 7): the by-rank imbalance (max - mean) / mean, averaged over
// layers x iterations, falls from 1.564 (256 experts, 8 slots per rank) to 0.109 with EPLB at
// 288 slots (9 per rank), and 0.115 on EP36 (288 slots, 8 per rank); by expert slot 10.948 ->
// 1.792. moesim: its DeepSeek-V3 router preset (calibrated to these no-EPLB loads), 4096
// tokens per iteration (1024 slots per rank, as the blog's mean), EPLB placed from the loads
// of earlier iterations (a statistics window, as the online balancer) and measured on later
// ones. An expert's load splits evenly over its replicas (EPLB's own model).
#include <algorithm>
#include <numeric>

#include <fmt/format.h>

#include "experiments/reproduce/claim.hpp"
#include "workloads/balance.hpp"
#include "workloads/eplb.hpp"
#include "workloads/placement.hpp"
#include "workloads/trace_gen.hpp"

namespace moesim::cli::reproduce {
namespace {

constexpr const char* kSource = "TensorRT-LLM blog 4 (DeepSeek-R1, EP32); traces.md §4.2";

double excess(const std::vector<double>& v) {
  const double mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  return (*std::max_element(v.begin(), v.end()) - mean) / mean;
}

// By-rank and by-slot loads of one layer's expert counts under `p`.
struct Imbalance {
  double by_rank = 0, by_slot = 0;
};
Imbalance imbalance(const workload::Placement& p, uint32_t layer,
                    const std::vector<uint64_t>& counts) {
  std::vector<double> rank(p.num_gpus, 0), slot(p.num_slots(), 0);
  for (uint32_t s = 0; s < p.num_slots(); ++s) {
    const auto e = static_cast<uint32_t>(p.phy2log[layer][s]);
    slot[s] = static_cast<double>(counts[e]) / p.logcnt[layer][e];
    rank[p.gpu_of_slot(s)] += slot[s];
  }
  return {excess(rank), excess(slot)};
}

Result run(const Options& opt) {
  // Full: all 58 MoE layers, 2 iterations of statistics then 4 measured; quick: 16 layers, 1
  // and 1.
  const uint32_t layers = opt.quick ? 16 : 58;
  const uint32_t warm = opt.quick ? 1 : 2, measured = opt.quick ? 1 : 4;
  workload::TraceGenSpec s = workload::deepseek_v3_spec();
  s.num_layers = layers;
  s.num_iterations = warm + measured;
  s.tokens_per_batch = 4096;
  s.seed = opt.seed;
  const uint32_t experts = s.num_experts;
  workload::TraceGenerator gen(s);
  // counts[iteration][layer][expert]
  std::vector<std::vector<std::vector<uint64_t>>> counts(s.num_iterations);
  workload::Batch b;
  while (gen.next(b))
    counts[b.iteration].push_back(workload::slot_counts(b.experts, experts));

  workload::ExpertLoads stats(layers, std::vector<double>(experts, 0));
  for (uint32_t it = 0; it < warm; ++it) {
    for (uint32_t l = 0; l < layers; ++l) {
      for (uint32_t e = 0; e < experts; ++e)
        stats[l][e] += static_cast<double>(counts[it][l][e]);
    }
  }
  // GB200 NVL72: the 32 (36) GPUs share one NVLink domain, one node: EPLB's global policy.
  const auto place = [&](uint32_t gpus, uint32_t slots) {
    workload::EplbConfig c;
    c.num_slots = slots, c.num_groups = 8, c.num_nodes = 1, c.num_gpus = gpus;
    c.policy = workload::EplbPolicy::global;
    return workload::eplb(stats, c);
  };
  const workload::Placement contiguous = workload::place_contiguous(layers, experts, 32);
  const workload::Placement ep32 = place(32, 288), ep36 = place(36, 288);
  Imbalance base, with32, with36;
  for (uint32_t it = warm; it < warm + measured; ++it) {
    for (uint32_t l = 0; l < layers; ++l) {
      const auto add = [&](Imbalance& acc, const workload::Placement& p) {
        const Imbalance i = imbalance(p, l, counts[it][l]);
        acc.by_rank += i.by_rank, acc.by_slot += i.by_slot;
      };
      add(base, contiguous), add(with32, ep32), add(with36, ep36);
    }
  }
  const double n = static_cast<double>(layers * measured);
  Result res;
  const std::string setting = fmt::format(
      "DeepSeek-V3 router preset, 4096 tokens/iteration, {} layers x {} iterations "
      "measured, EPLB (global) from {} earlier",
      layers, measured, warm);
  const auto row = [&](std::string claim, double paper, double moesim, double lo, double hi,
                       std::string note) {
    res.rows.push_back({std::move(claim), kSource, setting, paper, moesim,
                        "(max - mean) / mean, mean over layers x iterations", std::move(note), lo,
                        hi});
  };
  // No EPLB: the preset was calibrated to these two figures (traces.md §4.2: by-rank max/mean
  // 2.5 against 2.56, by-expert ~12 against ~11.95), so they must hold to within a quarter
  // (per-layer spread of a Zipf draw over 58 layers).
  row("eplb/by-rank-ep32-256-slots", 1.564, base.by_rank / n, 0.75, 1.33,
      "contiguous, 8 slots per rank");
  row("eplb/by-slot-ep32-256-slots", 10.948, base.by_slot / n, 0.75, 1.33,
      "contiguous, one slot per expert");
  // With EPLB the claim is qualitative (issue 18, policies.md §6 item 7): the same direction and
  // order of magnitude, 1/3 to 3. moesim balances a stationary trace from exact statistics; the
  // blog's online balancer follows a real, drifting workload.
  row("eplb/by-rank-ep32-288-slots", 0.109, with32.by_rank / n, 1.0 / 3, 3,
      "EPLB, 9 slots per rank");
  row("eplb/by-rank-ep36-288-slots", 0.115, with36.by_rank / n, 1.0 / 3, 3,
      "EPLB, 8 slots per rank");
  row("eplb/by-slot-ep32-288-slots", 1.792, with32.by_slot / n, 1.0 / 3, 3,
      "EPLB: a slot holds load / replicas");
  return res;
}

}  // namespace

extern const Entry eplb_claim = {
    "eplb", "EPLB cuts the by-rank imbalance of DeepSeek-R1 at EP32 (256 -> 288 slots)", nullptr,
    &run};

}  // namespace moesim::cli::reproduce
