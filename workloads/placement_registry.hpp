// The expert placement policies, as a table of named entries: `moesim place --policy` and
// `moesim run --placement` take their choices, help and error lists from it, and the contract
// test (tests/policy_contract_test.cpp) runs every entry. A new policy is its own file with an
// `extern const PlacementEntry` and one row in placement_registry.cpp.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Core>

#include "workloads/placement.hpp"

namespace moesim::workload {

// What a policy is given. `loads` is always [layers][experts] (all zero when the entry does not
// read loads), `coactivation` one E x E matrix per layer when the entry needs it (else empty),
// `leaf_of_gpu` the leaf of every GPU when it needs leaves (else empty).
struct PlacementInput {
  uint32_t num_layers = 0;
  uint32_t num_experts = 0;
  uint32_t num_gpus = 1;
  uint32_t num_slots = 0;   // physical slots R over all GPUs
  uint32_t num_groups = 1;  // expert groups of a group-limited router (EPLB)
  uint32_t num_nodes = 1;   // server nodes (hierarchical EPLB)
  uint64_t seed = 1;
  const ExpertLoads& loads;
  const std::vector<Eigen::MatrixXd>& coactivation;
  std::span<const uint32_t> leaf_of_gpu;
};

struct PlacementEntry {
  const char* name;
  const char* help;
  bool reads_loads;         // needs the trace's expert loads (a first pass over the trace)
  bool needs_coactivation;  // needs the experts' co-activation counts
  bool needs_leaves;        // needs a topology (the leaf of each GPU): not for `moesim place`
  bool allows_spare_slots;  // can fill more slots than experts (replicas)
  Placement (*place)(const PlacementInput&);
};

// Every registered policy, in help order.
std::span<const PlacementEntry* const> placement_entries();
// The entry called `name`, or nullptr.
const PlacementEntry* find_placement(std::string_view name);
// Names of the entries; without the ones that need leaves when `with_leaves` is false.
std::vector<std::string> placement_names(bool with_leaves = true);
// "name (help); name (help)" for --help.
std::string placement_help(bool with_leaves = true);

}  // namespace moesim::workload
