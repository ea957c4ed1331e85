// What the engine hands a congestion control (cc.hpp): the start of a subflow and, with every
// acknowledgement or loss, the time and the round-trip sample it carries.
#pragma once

#include "sim/core/units.hpp"
#include "sim/packet/config.hpp"

namespace moesim::sim {

struct CcStart {
  double bdp = 0;        // bytes: the path's base RTT at the first link's rate
  double mss = 0;        // bytes of one full packet
  TimePs base_rtt;       // the path's round trip with empty queues (Fabric::base_rtt)
  double line_rate = 0;  // bytes per second of the first link (the NIC)
  TimePs now;            // when the subflow starts
  const PacketConfig* config = nullptr;
};

struct Feedback {
  TimePs now;
  // Round trip of the packet that carried this feedback, from its send to its ACK or NACK;
  // negative when the feedback came without one (a coalesced ACK flushed on its own).
  TimePs rtt{-1};
};

}  // namespace moesim::sim
