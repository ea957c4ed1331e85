// Transports as path policies (DESIGN.md §3):
//  ecmp      one path per flow, next hop hashed per hop with a per-switch salt;
//  split:K   the sender splits a flow into K equal subflows on distinct equal-cost paths,
//            chosen least-loaded by the bytes this sender has already placed; where fewer than
//            K equal-cost paths exist (random graphs), the next-shortest simple paths (Yen)
//            make up the K, except for pairs routed over NVLink only;
//  plan      a global single-path assignment computed before each wave of flows starts
//            (bipartite edge colouring on a 2-tier leaf-spine, minimal splitting; plan.hpp);
//  spray:M   every packet picks its next hop itself: M = random, rr (round robin per switch) or
//            adaptive (least-queued egress). Only the packet model has packets; the flow-level
//            models run spraying as its expectation, the per-hop equal split of `ideal`;
//  ideal     fluid multipath: traffic splits equally over all equal-cost next hops at every hop.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace moesim::sim {

enum class PathPolicy : uint8_t { Ecmp, Split, Plan, Spray, Ideal };
enum class SprayMode : uint8_t { Random, RoundRobin, Adaptive };

struct Transport {
  PathPolicy policy = PathPolicy::Ecmp;
  uint32_t k = 1;                       // subflows for split:K
  SprayMode spray = SprayMode::Random;  // for spray:M
};

// Parses "ecmp", "split:K" (2 <= K <= 64), "plan", "spray:random|rr|adaptive", "ideal".
// InputError naming `what` otherwise.
Transport parse_transport(std::string_view text, std::string_view what = "--transport");
std::string to_string(const Transport& t);

}  // namespace moesim::sim
