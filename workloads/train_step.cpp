#include "workloads/train_step.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "sim/core/error.hpp"
#include "workloads/collectives.hpp"

namespace moesim::workload {
namespace {

constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();

class StepBuilder {
 public:
  explicit StepBuilder(uint32_t n) : w_(n), last_(n, kNone), ready_(n) {}

  // A compute task on g, after g's previous task and every node g waits for.
  uint32_t compute(uint32_t g, TimePs d, uint32_t tag) {
    const uint32_t id = w_.add_compute(g, d, tag);
    if (last_[g] != kNone) w_.add_dependency(last_[g], id);
    for (const uint32_t before : ready_[g])
      w_.add_dependency(before, id);
    ready_[g].clear();
    last_[g] = id;
    return id;
  }

  // Flows src -> dst of tokens(src, dst) x bytes, each after `after(src)` nodes, waited for by
  // dst's next task. `reverse`: the flow goes dst -> src (a transpose).
  template <class After>
  void exchange(const LayerTraffic& lt, uint64_t bytes_per_token, bool reverse, uint32_t tag,
                After&& after) {
    const uint32_t n = lt.num_gpus;
    std::vector<std::vector<uint32_t>> incoming(n);
    for (uint32_t a = 0; a < n; ++a) {
      for (uint32_t k = 1; k < n; ++k) {  // shifted order, as pairwise exchange sends
        const uint32_t b = (a + k) % n;
        const uint64_t tokens = lt.at(a, b);
        if (tokens == 0) continue;
        const uint32_t src = reverse ? b : a, dst = reverse ? a : b;
        const uint32_t f = w_.add_flow(src, dst, Bytes{tokens * bytes_per_token}, tag);
        after(src, f);
        incoming[dst].push_back(f);
      }
    }
    for (uint32_t g = 0; g < n; ++g)
      ready_[g].insert(ready_[g].end(), incoming[g].begin(), incoming[g].end());
  }

  // Makes `id` wait for g's latest task and what g waits for (without consuming it).
  void after_gpu(uint32_t g, uint32_t id) {
    if (last_[g] != kNone) w_.add_dependency(last_[g], id);
    for (const uint32_t before : ready_[g])
      w_.add_dependency(before, id);
  }

  void add_ready(uint32_t g, uint32_t node) { ready_[g].push_back(node); }
  Workload& workload() { return w_; }

 private:
  Workload w_;
  std::vector<uint32_t> last_;                // per GPU: its latest compute task
  std::vector<std::vector<uint32_t>> ready_;  // per GPU: flows its next task waits for
};

// Gradient buckets of one group, in backward order: {bytes, the layer whose backward fills it}.
std::vector<std::pair<uint64_t, uint32_t>> buckets(uint32_t layers, Bytes per_layer, Bytes bucket) {
  std::vector<std::pair<uint64_t, uint32_t>> out;
  uint64_t filled = 0;
  for (uint32_t l = layers; l-- > 0;) {
    uint64_t left = per_layer.count;
    while (left > 0) {
      const uint64_t take = std::min(left, bucket.count - filled);
      filled += take;
      left -= take;
      if (filled == bucket.count) {
        out.emplace_back(filled, l);
        filled = 0;
      }
    }
    if (l == 0 && filled > 0) out.emplace_back(filled, 0);
  }
  return out;
}

}  // namespace

Workload build_train_step(std::span<const LayerTraffic> layers, const TrainStepParams& p,
                          const ExpertTime& expert_time, const ParallelLayout& layout) {
  const uint32_t num_layers = p.layer.layers_per_iteration, mb = p.micro_batches;
  const uint32_t n = layout.num_gpus();
  if (num_layers == 0 || mb == 0 || layers.size() != size_t{mb} * num_layers ||
      p.bucket.count == 0) {
    throw InternalError(fmt::format("build_train_step: {} layers for {} micro-batches of {}",
                                    layers.size(), mb, num_layers));
  }
  for (const LayerTraffic& lt : layers) {
    if (lt.num_gpus != n) throw InternalError("build_train_step: layers on other GPUs");
  }
  StepBuilder b(n);
  Workload& w = b.workload();
  const uint64_t disp = p.layer.dispatch_bytes_per_token, comb = p.layer.combine_bytes_per_token;
  // The last micro-batch's backward tasks of each layer: when its gradients are final.
  std::vector<std::vector<uint32_t>> dense_done(num_layers, std::vector<uint32_t>(n));
  std::vector<std::vector<uint32_t>> expert_done(num_layers, std::vector<uint32_t>(n));
  const auto tag = [&](const char* phase, uint32_t l, uint32_t m) {
    return w.add_tag(Tag{"moe", phase, static_cast<int32_t>(l), static_cast<int32_t>(m)});
  };
  for (uint32_t m = 0; m < mb; ++m) {
    for (uint32_t l = 0; l < num_layers; ++l) {
      const size_t i = size_t{m} * num_layers + l;
      const LayerTraffic& lt = layers[i];
      std::vector<uint32_t> attention(n), expert(n);
      const uint32_t t_attn = tag("attention", l, m), t_disp = tag("dispatch", l, m);
      const uint32_t t_exp = tag("expert", l, m), t_comb = tag("combine", l, m);
      for (uint32_t g = 0; g < n; ++g)
        attention[g] = b.compute(g, p.layer.attention, t_attn);
      b.exchange(lt, disp, false, t_disp,
                 [&](uint32_t src, uint32_t f) { w.add_dependency(attention[src], f); });
      for (uint32_t g = 0; g < n; ++g)
        expert[g] = b.compute(g, expert_time(static_cast<uint32_t>(i), g), t_exp);
      b.exchange(lt, comb, true, t_comb,
                 [&](uint32_t src, uint32_t f) { w.add_dependency(expert[src], f); });
    }
    for (uint32_t l = num_layers; l-- > 0;) {
      const size_t i = size_t{m} * num_layers + l;
      const LayerTraffic& lt = layers[i];
      std::vector<uint32_t> expert_bwd(n);
      const uint32_t t_cg = tag("combine-grad", l, m), t_eb = tag("expert-bwd", l, m);
      const uint32_t t_dg = tag("dispatch-grad", l, m), t_ab = tag("attention-bwd", l, m);
      // The gradient of g's outputs leaves once g has them: its latest task, and the flows
      // (forward combine, or the previous layer's dispatch-grad) it waits for.
      b.exchange(lt, comb, false, t_cg, [&](uint32_t src, uint32_t f) { b.after_gpu(src, f); });
      for (uint32_t g = 0; g < n; ++g) {
        const TimePs fwd = expert_time(static_cast<uint32_t>(i), g);
        expert_bwd[g] = b.compute(g, TimePs{2 * fwd.ps}, t_eb);
      }
      b.exchange(lt, disp, true, t_dg,
                 [&](uint32_t src, uint32_t f) { w.add_dependency(expert_bwd[src], f); });
      for (uint32_t g = 0; g < n; ++g) {
        const uint32_t ab = b.compute(g, TimePs{2 * p.layer.attention.ps}, t_ab);
        if (m + 1 == mb) {
          dense_done[l][g] = ab;
          expert_done[l][g] = expert_bwd[g];
        }
      }
    }
  }
  // Gradient groups: dense over each DP group, experts over each (DP group, EP rank); members
  // in DP-rank order.
  std::map<uint64_t, std::vector<uint32_t>> dense_groups, expert_groups;
  for (uint32_t g = 0; g < n; ++g) {
    const GpuCoord& c = layout.coord(g);
    dense_groups[c.dp_group].push_back(g);
    expert_groups[uint64_t{c.dp_group} * layout.ep() + c.ep].push_back(g);
  }
  const auto by_dp = [&](uint32_t a, uint32_t c) {
    return layout.coord(a).dp < layout.coord(c).dp;
  };
  const auto sync = [&](const std::map<uint64_t, std::vector<uint32_t>>& groups, Bytes per_layer,
                        const std::vector<std::vector<uint32_t>>& done, const char* phase) {
    for (auto [key, members] : groups) {
      const auto d = static_cast<uint32_t>(members.size());
      if (d < 2 || per_layer.count == 0) continue;
      std::sort(members.begin(), members.end(), by_dp);
      const uint32_t steps = p.reduce_scatter ? d - 1 : 2 * (d - 1);
      std::vector<uint32_t> last;
      for (const auto& [bytes, layer] : buckets(num_layers, per_layer, p.bucket)) {
        std::vector<std::vector<uint32_t>> after(d);
        for (uint32_t r = 0; r < d; ++r) {
          after[r].push_back(done[layer][members[r]]);
          if (!last.empty()) after[r].push_back(last[r]);  // one ring at a time per group
        }
        const std::vector<uint32_t> tags(steps, tag(phase, layer, mb - 1));
        last = add_ring(w, members, Bytes{bytes}, steps, tags, after);
      }
      for (uint32_t r = 0; r < d && !last.empty(); ++r)
        b.add_ready(members[r], last[r]);
    }
  };
  sync(dense_groups, p.dense_grad_per_layer, dense_done, "dp-grad");
  sync(expert_groups, p.expert_grad_per_layer, expert_done, "expert-grad");
  const uint32_t t_opt = w.add_tag(Tag{"moe", "optimizer", -1, -1});
  for (uint32_t g = 0; g < n; ++g)
    b.compute(g, p.optimizer, t_opt);
  w.finalize();
  return std::move(w);
}

}  // namespace moesim::workload
