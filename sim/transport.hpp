// Transports as path policies (DESIGN.md §3):
//  ecmp      one path per flow, next hop hashed per hop with a per-switch salt;
//  split:K   the sender splits a flow into K equal subflows on distinct equal-cost paths,
//            chosen least-loaded by the bytes this sender has already placed; where fewer than
//            K equal-cost paths exist on a flat fabric (random graphs), the next-shortest
//            simple paths (Yen) make up the K, except for pairs routed over NVLink only; on a
//            tiered Clos (topologies/tiers.hpp) K is capped at the up-down equal-cost paths;
//  plan      a global single-path assignment computed before each wave of flows starts
//            (bipartite edge colouring on a 2-tier leaf-spine, minimal splitting; plan.hpp);
//  spray:M   every packet picks its next hop itself: M = random, rr (round robin per switch) or
//            adaptive (least-queued egress). Only the packet model has packets; the flow-level
//            models run spraying as its expectation, the per-hop equal split of `ideal`;
//  ideal     fluid multipath: traffic splits equally over all equal-cost next hops at every hop.
#pragma once

//
// Transports are the rows of the path-policy registry (path_policies.cpp): {name, help, kind,
// parameter range, assign function}. `kind` says how the network models treat the layout
// (fixed subflow paths, per-packet spraying, or fluid multipath that only flow-level models
// have); the assign function lays out the flows. Adding a path policy: its file with an
// entry, and one row in the table of path_policies.cpp.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace moesim {
class Workload;
namespace topo {
class Routing;
}
}  // namespace moesim

namespace moesim::sim {

enum class PathPolicy : uint8_t { Ecmp, Split, Plan, Spray, Ideal };
enum class SprayMode : uint8_t { Random, RoundRobin, Adaptive, Reps };

struct PathSet;
struct Transport;
struct PathPolicyEntry {
  const char* name;  // "ecmp", "split" (written split:K), "spray:random"
  const char* help;
  PathPolicy kind;
  SprayMode spray;
  uint32_t k_min, k_max;  // 0, 0: no parameter; else written name:K with K in [k_min, k_max]
  PathSet (*assign)(const topo::Routing& routing, const Workload& w, const Transport& t,
                    uint64_t seed);
};

struct Transport {
  PathPolicy policy = PathPolicy::Ecmp;
  uint32_t k = 1;                          // subflows for split:K
  SprayMode spray = SprayMode::Random;     // for spray:M
  const PathPolicyEntry* entry = nullptr;  // its registry row (nullptr: the first of its kind)
};

std::span<const PathPolicyEntry* const> path_policy_registry();
// The registry row of `t` (its entry, else the first row of its kind and spray mode).
const PathPolicyEntry& policy_entry(const Transport& t);
// Choice text for --help and errors: "ecmp, split:K, plan, ...".
std::vector<std::string> transport_names();

// Parses a registered name ("ecmp", "split:K" (2 <= K <= 64), "plan", "spray:random|rr|
// adaptive|reps", "ideal"). InputError naming `what` otherwise.
Transport parse_transport(std::string_view text, std::string_view what = "--transport");
std::string to_string(const Transport& t);

}  // namespace moesim::sim
