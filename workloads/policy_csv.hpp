// CSV edges of the placement and balancing policies (the `moesim place` and `moesim balance`
// commands): readers for per-expert load and count inputs, writers for placements and LLEP
// plans, and the rank-to-host map of Chakra traces. All files are long CSV with a header line; '#'
// starts a comment line; blank lines are ignored; a UTF-8 byte-order mark at the start is skipped.
// Readers validate strictly: a bad line throws InputError naming file:line, the field, the value
// and what was expected.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "workloads/llep.hpp"
#include "workloads/placement.hpp"

namespace moesim::workload {

// `layer,expert,load`: load >= 0 (integer or decimal) for every expert 0..E-1 of every layer
// 0..L-1, each exactly once, in any order. Returns loads[layer][expert].
ExpertLoads read_expert_loads_csv(std::istream& in, const std::string& name);
ExpertLoads read_expert_loads_csv(const std::string& path);

// `expert,count`: an integer count >= 0 for every expert 0..E-1 exactly once, in any order;
// the counts must sum to at most 2^63 - 1.
std::vector<uint64_t> read_expert_counts_csv(std::istream& in, const std::string& name);
std::vector<uint64_t> read_expert_counts_csv(const std::string& path);

// `layer,expert,slots` (`--loads`): an integer slot count >= 0 for every expert 0..E-1 of every
// layer 0..L-1, each exactly once, in any order; each layer's counts sum to at most 2^63 - 1.
// Returns slots[layer][expert].
using LayerSlots = std::vector<std::vector<uint64_t>>;
LayerSlots read_layer_slots_csv(std::istream& in, const std::string& name);
LayerSlots read_layer_slots_csv(const std::string& path);

// `rank,host` (`--chakra-hosts`): the host of every rank 0..N-1, each rank exactly once, no host
// twice, every host below `num_hosts`, in any order. Returns host[rank].
std::vector<uint32_t> read_rank_hosts_csv(std::istream& in, const std::string& name,
                                          uint32_t num_hosts);
std::vector<uint32_t> read_rank_hosts_csv(const std::string& path, uint32_t num_hosts);

// `layer,slot,gpu,expert`: one row per layer and slot, in slot order (EPLB's phy2log order);
// gpu = slot / (slots / gpus).
void write_placement_csv(std::ostream& out, const Placement& placement);

// `expert,gpu,token_start,token_end`: one row per chunk, in assignment order.
void write_llep_plan_csv(std::ostream& out, const LlepPlan& plan);

}  // namespace moesim::workload
