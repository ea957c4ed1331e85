#include "workloads/step_dag.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "sim/core/error.hpp"
#include "workloads/collectives.hpp"
#include "workloads/layer_exchange.hpp"

namespace moesim::workload {
namespace {

constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();

// The DAG under construction and, per unit and GPU, what that unit's next task there waits
// for: its latest compute task on the GPU and the flows (or remote tasks) delivering its data.
class StepBuilder {
 public:
  StepBuilder(uint32_t gpus, uint32_t units)
      : w_(gpus),
        last_(gpus, kNone),
        unit_last_(units, std::vector<uint32_t>(gpus, kNone)),
        ready_(units, std::vector<std::vector<uint32_t>>(gpus)) {}

  // A compute task of unit u on g, after g's previous task and everything u waits for on g.
  uint32_t compute(uint32_t u, uint32_t g, TimePs d, uint32_t tag) {
    const uint32_t id = w_.add_compute(g, d, tag);
    if (last_[g] != kNone) w_.add_dependency(last_[g], id);
    for (const uint32_t before : ready_[u][g])
      w_.add_dependency(before, id);
    ready_[u][g].clear();
    last_[g] = unit_last_[u][g] = id;
    return id;
  }

  // What unit u's data on g depends on so far.
  std::vector<uint32_t> state(uint32_t u, uint32_t g) const {
    std::vector<uint32_t> out = ready_[u][g];
    if (unit_last_[u][g] != kNone) out.push_back(unit_last_[u][g]);
    return out;
  }

  void after_state(uint32_t u, uint32_t g, uint32_t node) {
    for (const uint32_t before : state(u, g))
      w_.add_dependency(before, node);
  }

  // An all-to-all of unit u among `gpus`: each flow leaves once its source's data is ready;
  // the destinations' next tasks wait for it.
  void exchange(uint32_t u, const LayerTraffic& lt, std::span<const uint32_t> gpus,
                uint64_t bytes_per_token, bool reverse, uint32_t tag, Dispatch mode,
                const ParallelLayout& layout) {
    const std::vector<ExchangeFlow> flows =
        add_exchange(w_, lt, gpus, bytes_per_token, reverse, tag, mode, &layout);
    for (const ExchangeFlow& f : flows)
      if (f.entry) after_state(u, f.src, f.id);
    for (const ExchangeFlow& f : flows)
      if (f.exit) ready_[u][f.dst].push_back(f.id);
  }

  // A ring all-reduce of `size` over each group (members in ring order) for unit u.
  void allreduce(uint32_t u, const std::vector<std::vector<uint32_t>>& groups, Bytes size,
                 uint32_t tag) {
    for (const std::vector<uint32_t>& members : groups) {
      const auto d = static_cast<uint32_t>(members.size());
      if (d < 2 || size.count == 0) continue;
      std::vector<std::vector<uint32_t>> after(d);
      for (uint32_t r = 0; r < d; ++r)
        after[r] = state(u, members[r]);
      const std::vector<uint32_t> tags(2 * (d - 1), tag);
      const std::vector<uint32_t> last = add_ring(w_, members, size, 2 * (d - 1), tags, after);
      for (uint32_t r = 0; r < d; ++r)
        ready_[u][members[r]].push_back(last[r]);
    }
  }

  // Unit `from_u`'s data on `from` becomes unit `to_u`'s input on `to`: a flow of `bytes`, or
  // without bytes (or on the same GPU) a plain dependency.
  void send(uint32_t from_u, uint32_t from, uint32_t to_u, uint32_t to, Bytes bytes, uint32_t tag) {
    if (bytes.count == 0 || from == to) {
      const std::vector<uint32_t> s = state(from_u, from);
      ready_[to_u][to].insert(ready_[to_u][to].end(), s.begin(), s.end());
      return;
    }
    const uint32_t f = w_.add_flow(from, to, bytes, tag);
    after_state(from_u, from, f);
    ready_[to_u][to].push_back(f);
  }

  void add_ready(uint32_t u, uint32_t g, uint32_t node) { ready_[u][g].push_back(node); }
  Workload& workload() { return w_; }

 private:
  Workload w_;
  std::vector<uint32_t> last_;                             // per GPU: its latest compute task
  std::vector<std::vector<uint32_t>> unit_last_;           // per unit, GPU: its latest task
  std::vector<std::vector<std::vector<uint32_t>>> ready_;  // per unit, GPU: nodes it waits for
};

// Gradient buckets of layers [first, last), filled in backward order: {bytes, the layer whose
// backward completes it}.
std::vector<std::pair<uint64_t, uint32_t>> buckets(uint32_t first, uint32_t last, Bytes per_layer,
                                                   Bytes bucket) {
  std::vector<std::pair<uint64_t, uint32_t>> out;
  uint64_t filled = 0;
  for (uint32_t l = last; l-- > first;) {
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
    if (l == first && filled > 0) out.emplace_back(filled, first);
  }
  return out;
}

struct Op {
  bool backward = false;
  uint32_t micro_batch = 0;
};

// Stage s's operations: forwards in order, or 1F1B for training.
std::vector<Op> stage_ops(uint32_t s, uint32_t stages, uint32_t m, bool train) {
  std::vector<Op> ops;
  if (!train) {
    for (uint32_t i = 0; i < m; ++i)
      ops.push_back({false, i});
    return ops;
  }
  const uint32_t warm = std::min(stages - 1 - s, m);
  for (uint32_t i = 0; i < warm; ++i)
    ops.push_back({false, i});
  for (uint32_t i = 0; i + warm < m; ++i) {
    ops.push_back({false, warm + i});
    ops.push_back({true, i});
  }
  for (uint32_t i = m - warm; i < m; ++i)
    ops.push_back({true, i});
  return ops;
}

class StepDag {
 public:
  StepDag(std::span<const LayerTraffic> layers, const StepParams& p, const ExpertTime& expert_time,
          const ParallelLayout& layout)
      : layers_(layers),
        p_(p),
        expert_time_(expert_time),
        layout_(layout),
        n_(layout.num_gpus()),
        num_layers_(p.layer.layers_per_iteration),
        halves_(p.two_batch ? 2 : 1),
        units_(p.micro_batches * halves_),
        b_(n_, units_),
        stage_gpus_(layout.pp()),
        tp_groups_(layout.pp()),
        dense_done_(num_layers_, std::vector<uint32_t>(n_, kNone)),
        expert_done_(num_layers_, std::vector<uint32_t>(n_, kNone)) {
    if (num_layers_ == 0 || p.micro_batches == 0 || p.bucket.count == 0 ||
        layers.size() != size_t{units_} * num_layers_ || layout.pp() > num_layers_ ||
        (!p.attention.empty() && p.attention.size() != units_)) {
      throw InternalError(fmt::format("build_step: {} layers for {} units of {} layers",
                                      layers.size(), units_, num_layers_));
    }
    for (const LayerTraffic& lt : layers) {
      if (lt.num_gpus != n_) throw InternalError("build_step: layers on other GPUs");
    }
    const uint64_t tp = layout.tp(), dp = layout.dp();
    peer_.assign(n_, kNone);
    std::map<uint64_t, std::vector<uint32_t>> tp_members;  // by (stage, DP rank), in TP order
    for (uint32_t g = 0; g < n_; ++g) {
      const GpuCoord& c = layout.coord(g);
      peer_[(c.pp * tp + c.tp) * dp + c.dp] = g;
      stage_gpus_[c.pp].push_back(g);
      tp_members[uint64_t{c.pp} * dp + c.dp].push_back(g);
    }
    for (auto& [key, members] : tp_members) {
      std::sort(members.begin(), members.end(),
                [&](uint32_t a, uint32_t c) { return layout.coord(a).tp < layout.coord(c).tp; });
      tp_groups_[key / dp].push_back(std::move(members));
    }
  }

  Workload build() {
    run_schedule();
    if (p_.train) {
      sync_gradients();
      const uint32_t t_opt = b_.workload().add_tag(Tag{"moe", "optimizer", -1, 0});
      for (uint32_t g = 0; g < n_; ++g)
        b_.compute(units_ - 1, g, p_.optimizer, t_opt);
    }
    Workload& w = b_.workload();
    w.finalize();
    return std::move(w);
  }

 private:
  uint32_t pp() const { return layout_.pp(); }
  uint32_t first_layer(uint32_t s) const { return first_layer_of_stage(s, pp(), num_layers_); }

  // The GPU of g's TP and DP rank on stage s.
  uint32_t peer(uint32_t g, uint32_t s) const {
    const GpuCoord& c = layout_.coord(g);
    return peer_[(uint64_t{s} * layout_.tp() + c.tp) * layout_.dp() + c.dp];
  }

  const LayerTraffic& traffic(uint32_t u, uint32_t l) const {
    return layers_[size_t{u} * num_layers_ + l];
  }
  TimePs expert(uint32_t u, uint32_t l, uint32_t g) const {
    return expert_time_(u * num_layers_ + l, g);
  }
  TimePs attention(uint32_t u) const {
    return p_.attention.empty() ? p_.layer.attention : p_.attention[u];
  }

  uint32_t tag(const char* phase, uint32_t l, uint32_t m, uint32_t s, bool backward) {
    const auto mb = static_cast<int32_t>(m);
    return b_.workload().add_tag(Tag{"moe", phase, static_cast<int32_t>(l), p_.train ? 0 : mb, mb,
                                     static_cast<int32_t>(s), backward ? "bwd" : "fwd"});
  }

  // Issues every stage's operations in an order where each comes after what it depends on
  // on other stages (the previous stage's forward, the next stage's backward, and for forward
  // steps the previous micro-batch leaving the last stage).
  void run_schedule() {
    const uint32_t stages = pp(), m = p_.micro_batches;
    std::vector<std::vector<Op>> ops(stages);
    std::vector<size_t> next(stages, 0);
    // done[s][mb]: 1 forward issued, 2 backward issued.
    std::vector<std::vector<uint8_t>> done(stages, std::vector<uint8_t>(m, 0));
    for (uint32_t s = 0; s < stages; ++s)
      ops[s] = stage_ops(s, stages, m, p_.train);
    const auto can_issue = [&](uint32_t s, const Op& op) {
      if (op.backward) return s + 1 == stages || done[s + 1][op.micro_batch] == 2;
      if (s > 0) return done[s - 1][op.micro_batch] >= 1;
      return p_.train || op.micro_batch == 0 || done[stages - 1][op.micro_batch - 1] >= 1;
    };
    for (size_t left = size_t{stages} * (p_.train ? 2 * m : m); left > 0;) {
      bool progress = false;
      for (uint32_t s = 0; s < stages; ++s) {
        while (next[s] < ops[s].size() && can_issue(s, ops[s][next[s]])) {
          const Op& op = ops[s][next[s]++];
          op.backward ? backward(s, op.micro_batch) : forward(s, op.micro_batch);
          done[s][op.micro_batch] = op.backward ? 2 : 1;
          progress = true;
          --left;
        }
      }
      if (!progress) throw InternalError("build_step: the pipeline schedule deadlocks");
    }
  }

  void forward(uint32_t s, uint32_t m) {
    const std::vector<uint32_t>& gpus = stage_gpus_[s];
    const uint64_t disp = p_.layer.dispatch_bytes_per_token;
    const uint64_t comb = p_.layer.combine_bytes_per_token;
    const bool tp = layout_.tp() > 1 && p_.tp_allreduce.count > 0;
    if (!p_.train && m > 0) {  // the previous micro-batch's output, from the last stage
      for (uint32_t h = 0; h < halves_; ++h)
        for (const uint32_t g : gpus)
          b_.send((m - 1) * halves_ + h, peer(g, pp() - 1), m * halves_ + h, g, Bytes{0}, 0);
    }
    for (uint32_t l = first_layer(s); l < first_layer(s + 1); ++l) {
      const uint32_t t_attn = tag("attention", l, m, s, false);
      const uint32_t t_tp1 = tp ? tag("tp-allreduce", l, m, s, false) : 0;
      const uint32_t t_disp = tag("dispatch", l, m, s, false);
      const uint32_t t_exp = tag("expert", l, m, s, false);
      const uint32_t t_comb = tag("combine", l, m, s, false);
      const uint32_t t_tp2 = tp ? tag("tp-allreduce", l, m, s, false) : 0;
      for (uint32_t u = m * halves_; u < (m + 1) * halves_; ++u) {
        for (const uint32_t g : gpus)
          b_.compute(u, g, attention(u), t_attn);
        if (tp) b_.allreduce(u, tp_groups_[s], p_.tp_allreduce, t_tp1);
        b_.exchange(u, traffic(u, l), gpus, disp, false, t_disp, p_.dispatch, layout_);
      }
      for (uint32_t u = m * halves_; u < (m + 1) * halves_; ++u) {
        for (const uint32_t g : gpus)
          b_.compute(u, g, expert(u, l, g), t_exp);
        b_.exchange(u, traffic(u, l), gpus, comb, true, t_comb, p_.dispatch, layout_);
        if (tp) b_.allreduce(u, tp_groups_[s], p_.tp_allreduce, t_tp2);
      }
    }
    if (s + 1 < pp()) pipeline_send(s, m, s + 1, false);
  }

  void backward(uint32_t s, uint32_t m) {
    const std::vector<uint32_t>& gpus = stage_gpus_[s];
    const uint64_t disp = p_.layer.dispatch_bytes_per_token;
    const uint64_t comb = p_.layer.combine_bytes_per_token;
    const bool tp = layout_.tp() > 1 && p_.tp_allreduce.count > 0;
    const uint32_t last_unit = (m + 1) * halves_ - 1;
    for (uint32_t l = first_layer(s + 1); l-- > first_layer(s);) {
      const uint32_t t_tp2 = tp ? tag("tp-allreduce", l, m, s, true) : 0;
      const uint32_t t_cg = tag("combine-grad", l, m, s, true);
      const uint32_t t_eb = tag("expert-bwd", l, m, s, true);
      const uint32_t t_dg = tag("dispatch-grad", l, m, s, true);
      const uint32_t t_tp1 = tp ? tag("tp-allreduce", l, m, s, true) : 0;
      const uint32_t t_ab = tag("attention-bwd", l, m, s, true);
      for (uint32_t u = m * halves_; u <= last_unit; ++u) {
        if (tp) b_.allreduce(u, tp_groups_[s], p_.tp_allreduce, t_tp2);
        b_.exchange(u, traffic(u, l), gpus, comb, false, t_cg, p_.dispatch, layout_);
      }
      for (uint32_t u = m * halves_; u <= last_unit; ++u) {
        for (const uint32_t g : gpus) {
          const uint32_t id = b_.compute(u, g, TimePs{2 * expert(u, l, g).ps}, t_eb);
          if (m + 1 == p_.micro_batches && u == last_unit) expert_done_[l][g] = id;
        }
        b_.exchange(u, traffic(u, l), gpus, disp, true, t_dg, p_.dispatch, layout_);
        if (tp) b_.allreduce(u, tp_groups_[s], p_.tp_allreduce, t_tp1);
      }
      for (uint32_t u = m * halves_; u <= last_unit; ++u) {
        for (const uint32_t g : gpus) {
          const uint32_t id = b_.compute(u, g, TimePs{2 * attention(u).ps}, t_ab);
          if (m + 1 == p_.micro_batches && u == last_unit) dense_done_[l][g] = id;
        }
      }
    }
    if (s > 0) pipeline_send(s, m, s - 1, true);
  }

  // Each unit of micro-batch m on stage `from` goes to its peers on stage `to`.
  void pipeline_send(uint32_t from, uint32_t m, uint32_t to, bool backward) {
    const uint32_t t = tag("pp-send", first_layer(backward ? from : to), m, from, backward);
    for (uint32_t u = m * halves_; u < (m + 1) * halves_; ++u)
      for (const uint32_t g : stage_gpus_[from])
        b_.send(u, g, u, peer(g, to), p_.activation, t);
  }

  // Dense gradients over each DP group, expert gradients over each (DP group, EP rank);
  // members in DP-rank order, buckets over the layers of the group's stage.
  void sync_gradients() {
    std::map<uint64_t, std::vector<uint32_t>> dense, experts;
    for (uint32_t g = 0; g < n_; ++g) {
      const GpuCoord& c = layout_.coord(g);
      dense[c.dp_group].push_back(g);
      experts[uint64_t{c.dp_group} * layout_.ep() + c.ep].push_back(g);
    }
    sync(dense, p_.dense_grad_per_layer, dense_done_, "dp-grad");
    sync(experts, p_.expert_grad_per_layer, expert_done_, "expert-grad");
  }

  void sync(const std::map<uint64_t, std::vector<uint32_t>>& groups, Bytes per_layer,
            const std::vector<std::vector<uint32_t>>& done, const char* phase) {
    Workload& w = b_.workload();
    const auto by_dp = [&](uint32_t a, uint32_t c) {
      return layout_.coord(a).dp < layout_.coord(c).dp;
    };
    for (auto [key, members] : groups) {
      const auto d = static_cast<uint32_t>(members.size());
      if (d < 2 || per_layer.count == 0) continue;
      std::sort(members.begin(), members.end(), by_dp);
      const uint32_t s = layout_.coord(members.front()).pp;
      const uint32_t steps = p_.reduce_scatter ? d - 1 : 2 * (d - 1);
      std::vector<uint32_t> last;
      for (const auto& [bytes, layer] :
           buckets(first_layer(s), first_layer(s + 1), per_layer, p_.bucket)) {
        std::vector<std::vector<uint32_t>> after(d);
        for (uint32_t r = 0; r < d; ++r) {
          after[r].push_back(done[layer][members[r]]);
          if (!last.empty()) after[r].push_back(last[r]);  // one ring at a time per group
        }
        const std::vector<uint32_t> tags(steps, tag(phase, layer, p_.micro_batches - 1, s, true));
        last = add_ring(w, members, Bytes{bytes}, steps, tags, after);
      }
      for (uint32_t r = 0; r < d && !last.empty(); ++r)
        b_.add_ready(units_ - 1, members[r], last[r]);
    }
  }

  std::span<const LayerTraffic> layers_;
  const StepParams& p_;
  const ExpertTime& expert_time_;
  const ParallelLayout& layout_;
  uint32_t n_, num_layers_, halves_, units_;
  StepBuilder b_;
  std::vector<uint32_t> peer_;                                 // (stage, TP rank, DP rank) -> GPU
  std::vector<std::vector<uint32_t>> stage_gpus_;              // per stage, ascending
  std::vector<std::vector<std::vector<uint32_t>>> tp_groups_;  // per stage
  // The last micro-batch's backward tasks of each layer: when its gradients are final.
  std::vector<std::vector<uint32_t>> dense_done_, expert_done_;
};

}  // namespace

uint32_t first_layer_of_stage(uint32_t stage, uint32_t stages, uint32_t layers) {
  return static_cast<uint32_t>(uint64_t{stage} * layers / stages);
}

uint32_t stage_of_layer(uint32_t layer, uint32_t stages, uint32_t layers) {
  uint32_t s = 0;
  while (s + 1 < stages && first_layer_of_stage(s + 1, stages, layers) <= layer)
    ++s;
  return s;
}

Workload build_step(std::span<const LayerTraffic> layers, const StepParams& p,
                    const ExpertTime& expert_time, const ParallelLayout& layout) {
  return StepDag(layers, p, expert_time, layout).build();
}

}  // namespace moesim::workload
