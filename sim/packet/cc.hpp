// The packet model's congestion controls: one window-based controller per subflow, chosen per
// run with --cc and compiled into the engine by static dispatch (packet_model.cpp instantiates
// the engine once per type of CongestionControls), so the per-packet path has no virtual call.
//
// A congestion control is a struct with
//   static constexpr const char* kName, kHelp;             // --cc NAME and its help text
//   static CC start(const CcStart&);                       // a subflow's first window
//   void on_ack(double bytes, bool ece, const Feedback&);  // one packet acknowledged
//   void on_loss(double bytes, const Feedback&);           // one packet NACKed (trimmed)
//   void on_timeout();                                     // a retransmission timeout
//   double window() const;                                 // bytes it may have in flight
//   static constexpr bool kPaced;        // true: also double rate() const (bytes/s), by which
//                                        // the engine paces, and on_send(bytes, now)
//   static constexpr bool kUsesRtt;      // true: Feedback carries RTT samples (packets are
//                                        // stamped with their send time); else rtt < 0
//   static constexpr int64_t kEchoIntervalPs;  // receivers echo a CE mark at most this often
//                                        // per subflow, at once (0: every mark, with the ACK)
// Adding one: its header in sim/packet/ and its type in the list below.
#pragma once

#include <string>
#include <vector>

#include "sim/packet/dcqcn.hpp"
#include "sim/packet/dctcp.hpp"
#include "sim/packet/nscc.hpp"

namespace moesim::sim {

template <class... Cc>
struct CcList {};

// The registration line.
using CongestionControls = CcList<Dctcp, Nscc, Dcqcn>;

// --cc's choices, in registration order.
std::vector<std::string> cc_names();

}  // namespace moesim::sim
