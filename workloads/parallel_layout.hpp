// The parallel layout of a cluster: tensor (TP), pipeline (PP), data (DP) and expert (EP)
// parallelism over the GPUs, with Megatron-core's semantics:
//  - T x P x D = GPUs; a TP group is T GPUs inside one server (NVLink);
//  - PP stage s owns a consecutive block of the layers; every stage has D data-parallel
//    replicas;
//  - E divides D: the D replicas of a (stage, TP rank) form D / E expert-parallel groups of E
//    GPUs over which the experts are sharded; each expert's parameters are replicated over the
//    D / E groups (its expert-data-parallel group);
//  - the rank order says which factor varies fastest over GPU ids (default tp, ep, dp, pp);
//    "dp" there is the D / E expert-data-parallel factor, and a GPU's DP rank is
//    ep + E x (that factor's index), so EP groups are consecutive DP ranks.
#pragma once

#include <array>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace moesim::workload {

enum class ParallelDim : uint8_t { Tp, Ep, Dp, Pp };

struct ParallelDims {
  uint32_t tp = 1, pp = 1;
  uint32_t dp = 0;  // 0: every GPU left, GPUs / (tp x pp)
  uint32_t ep = 0;  // 0: dp (one EP group per stage and TP rank)
  std::array<ParallelDim, 4> order = {ParallelDim::Tp, ParallelDim::Ep, ParallelDim::Dp,
                                      ParallelDim::Pp};
};

struct GpuCoord {
  uint32_t tp = 0, pp = 0, dp = 0, ep = 0;
  uint32_t ep_group = 0;  // the EP group: one per (stage, TP rank, expert-DP index)
  uint32_t dp_group = 0;  // the DP group: one per (stage, TP rank)
};

class ParallelLayout {
 public:
  // Resolves dp and ep (0 = all) and lays out `num_gpus` GPUs; `server_of_gpu` (-1 for a GPU
  // outside any multi-GPU server) checks that TP groups stay inside a server. FieldError
  // naming tp, pp, dp, ep or rank-order on bad input.
  ParallelLayout(const ParallelDims& dims, const std::vector<int32_t>& server_of_gpu);

  uint32_t tp() const { return tp_; }
  uint32_t pp() const { return pp_; }
  uint32_t dp() const { return dp_; }
  uint32_t ep() const { return ep_; }
  uint32_t num_gpus() const { return static_cast<uint32_t>(coords_.size()); }
  uint32_t num_ep_groups() const { return tp_ * pp_ * (dp_ / ep_); }
  const GpuCoord& coord(uint32_t gpu) const { return coords_[gpu]; }
  // The GPUs of EP group g, by EP rank.
  const std::vector<uint32_t>& ep_group(uint32_t g) const { return ep_groups_[g]; }
  // GPU g's server as a dense index (first appearance order over GPU ids; a GPU in no
  // multi-GPU server is a server of its own): what hierarchical dispatch relays within.
  uint32_t server(uint32_t gpu) const { return servers_[gpu]; }
  uint32_t num_servers() const { return num_servers_; }
  // Whether this is one EP group over every GPU: moesim's layout before parallelism.
  bool single_group() const { return tp_ == 1 && pp_ == 1 && ep_ == dp_; }

  // "TP 1 x PP 1 x DP 128 (EP 8: 16 groups), rank order tp,ep,dp,pp"
  std::string summary() const;

 private:
  uint32_t tp_, pp_, dp_, ep_;
  std::array<ParallelDim, 4> order_;
  std::vector<GpuCoord> coords_;
  std::vector<std::vector<uint32_t>> ep_groups_;
  std::vector<uint32_t> servers_;
  uint32_t num_servers_ = 0;
};

// Parses a rank order such as "tp,ep,dp,pp" (each of tp, ep, dp, pp once); FieldError
// naming rank-order otherwise.
std::array<ParallelDim, 4> parse_rank_order(const std::vector<std::string>& items);

// layout.csv: gpu,server,leaf,tp,pp,dp,ep,ep_group,dp_group.
void write_layout_csv(std::ostream& os, const ParallelLayout& layout,
                      const std::vector<int32_t>& server_of_gpu,
                      const std::vector<uint32_t>& leaf_of_gpu);

}  // namespace moesim::workload
