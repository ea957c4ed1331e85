// Transports as path policies (DESIGN.md §3). The flow-level models know three:
//  ecmp     one path per flow, next hop hashed per hop with a per-switch salt;
//  split:K  the sender splits a flow into K equal subflows on distinct equal-cost paths,
//           chosen least-loaded by the bytes this sender has already placed;
//  ideal    fluid multipath: traffic splits equally over all equal-cost next hops at every hop.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace moesim::sim {

enum class PathPolicy : uint8_t { Ecmp, Split, Ideal };

struct Transport {
  PathPolicy policy = PathPolicy::Ecmp;
  uint32_t k = 1;  // subflows for split:K
};

// Parses "ecmp", "split:K" (2 <= K <= 64), "ideal". InputError naming `what` otherwise.
Transport parse_transport(std::string_view text, std::string_view what = "--transport");
std::string to_string(const Transport& t);

}  // namespace moesim::sim
