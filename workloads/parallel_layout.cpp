#include "workloads/parallel_layout.hpp"

#include <map>
#include <ostream>

#include <fmt/format.h>

#include "sim/core/options.hpp"

namespace moesim::workload {
namespace {

const char* name_of(ParallelDim d) {
  switch (d) {
    case ParallelDim::Tp:
      return "tp";
    case ParallelDim::Ep:
      return "ep";
    case ParallelDim::Dp:
      return "dp";
    case ParallelDim::Pp:
      return "pp";
  }
  return "?";
}

}  // namespace

std::array<ParallelDim, 4> parse_rank_order(const std::vector<std::string>& items) {
  static constexpr ParallelDim kAll[] = {ParallelDim::Tp, ParallelDim::Ep, ParallelDim::Dp,
                                         ParallelDim::Pp};
  std::string text;
  for (const auto& i : items)
    text += (text.empty() ? "" : ",") + i;
  const auto fail = [&] {
    throw FieldError("rank-order", text, "tp, ep, dp and pp, each once, fastest first");
  };
  if (items.size() != 4) fail();
  std::array<ParallelDim, 4> order{};
  bool seen[4] = {};
  for (size_t i = 0; i < 4; ++i) {
    bool found = false;
    for (const ParallelDim d : kAll) {
      if (items[i] == name_of(d)) {
        if (seen[static_cast<int>(d)]) fail();
        seen[static_cast<int>(d)] = found = true;
        order[i] = d;
      }
    }
    if (!found) fail();
  }
  return order;
}

ParallelLayout::ParallelLayout(const ParallelDims& dims, const std::vector<int32_t>& server_of_gpu)
    : tp_(dims.tp), pp_(dims.pp), order_(dims.order) {
  const auto gpus = static_cast<uint64_t>(server_of_gpu.size());
  const uint64_t tp_pp = uint64_t{tp_} * pp_;  // both < 2^32: no overflow in 64 bits
  if (dims.dp == 0) {
    if (tp_pp == 0 || gpus % tp_pp != 0) {
      throw FieldError("tp", std::to_string(tp_),
                       fmt::format("--tp x --pp ({} x {}) dividing the {} GPUs", tp_, pp_, gpus));
    }
    dp_ = static_cast<uint32_t>(gpus / tp_pp);
  } else {
    dp_ = dims.dp;
    if (tp_pp * dp_ != gpus) {
      throw FieldError("dp", std::to_string(dp_),
                       fmt::format("--tp x --pp x --dp = {} x {} x {} = {} to equal the {} GPUs "
                                   "of the topology",
                                   tp_, pp_, dp_, tp_pp * dp_, gpus));
    }
  }
  ep_ = dims.ep == 0 ? dp_ : dims.ep;
  if (ep_ == 0 || dp_ % ep_ != 0) {
    throw FieldError("ep", std::to_string(ep_), fmt::format("a divisor of --dp {}", dp_));
  }
  const uint32_t edp = dp_ / ep_;
  uint32_t radix[4];
  for (size_t i = 0; i < 4; ++i) {
    const ParallelDim d = order_[i];
    radix[i] = d == ParallelDim::Tp   ? tp_
               : d == ParallelDim::Ep ? ep_
               : d == ParallelDim::Dp ? edp
                                      : pp_;
  }
  coords_.resize(gpus);
  ep_groups_.assign(num_ep_groups(), std::vector<uint32_t>(ep_));
  for (uint32_t g = 0; g < gpus; ++g) {
    uint32_t rest = g, idx[4] = {};
    for (size_t i = 0; i < 4; ++i) {
      idx[static_cast<int>(order_[i])] = rest % radix[i];
      rest /= radix[i];
    }
    GpuCoord& c = coords_[g];
    c.tp = idx[static_cast<int>(ParallelDim::Tp)];
    c.ep = idx[static_cast<int>(ParallelDim::Ep)];
    c.pp = idx[static_cast<int>(ParallelDim::Pp)];
    const uint32_t e_dp = idx[static_cast<int>(ParallelDim::Dp)];
    c.dp = c.ep + ep_ * e_dp;
    c.dp_group = c.tp + tp_ * c.pp;
    c.ep_group = c.tp + tp_ * (e_dp + edp * c.pp);
    ep_groups_[c.ep_group][c.ep] = g;
  }
  servers_.resize(gpus);
  std::map<int32_t, uint32_t> dense;
  for (uint32_t g = 0; g < gpus; ++g) {
    const int32_t s = server_of_gpu[g];
    servers_[g] = s < 0 ? num_servers_++ : dense.try_emplace(s, num_servers_).first->second;
    if (s >= 0 && servers_[g] == num_servers_) ++num_servers_;
  }
  // A TP group (same pp and dp, every tp) must sit inside one server: TP's all-reduces run
  // over NVLink.
  if (tp_ > 1) {
    std::vector<int64_t> server_of_tp_group(uint64_t{pp_} * dp_, -2);
    for (uint32_t g = 0; g < gpus; ++g) {
      const GpuCoord& c = coords_[g];
      int64_t& s = server_of_tp_group[uint64_t{c.pp} * dp_ + c.dp];
      if (server_of_gpu[g] < 0 || (s != -2 && s != server_of_gpu[g])) {
        throw FieldError(
            "tp", std::to_string(tp_),
            fmt::format("TP groups inside one server (GPU {} is {}): --tp dividing "
                        "--gpus-per-server, with tp fastest in --rank-order",
                        g,
                        server_of_gpu[g] < 0 ? "in no multi-GPU server"
                                             : fmt::format("in server {}, its group in server {}",
                                                           server_of_gpu[g], s)));
      }
      s = server_of_gpu[g];
    }
  }
}

std::string ParallelLayout::summary() const {
  return fmt::format(
      "TP {} x PP {} x DP {} (EP {}: {} expert-parallel groups), rank order "
      "{},{},{},{}",
      tp_, pp_, dp_, ep_, num_ep_groups(), name_of(order_[0]), name_of(order_[1]),
      name_of(order_[2]), name_of(order_[3]));
}

void write_layout_csv(std::ostream& os, const ParallelLayout& layout,
                      const std::vector<int32_t>& server_of_gpu,
                      const std::vector<uint32_t>& leaf_of_gpu) {
  os << "gpu,server,leaf,tp,pp,dp,ep,ep_group,dp_group\n";
  for (uint32_t g = 0; g < layout.num_gpus(); ++g) {
    const GpuCoord& c = layout.coord(g);
    os << fmt::format("{},{},{},{},{},{},{},{},{}\n", g, server_of_gpu[g], leaf_of_gpu[g], c.tp,
                      c.pp, c.dp, c.ep, c.ep_group, c.dp_group);
  }
}

}  // namespace moesim::workload
