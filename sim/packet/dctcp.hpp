// DCTCP-style window control (Alizadeh et al., SIGCOMM 2010) in bytes, robust to the
// reordering that spraying causes: the "observation window" closes after a window's worth of
// bytes has been acknowledged, rather than at a sequence number.
//  - every ACK: count acked bytes and marked bytes (ECE, or a NACK of a trimmed packet);
//  - at most one multiplicative decrease per window: cwnd *= 1 - alpha/2 on the first mark,
//    cwnd /= 2 on the first loss (a NACKed trimmed packet);
//  - otherwise slow start below ssthresh, +1 MSS per window above it;
//  - at the end of each window: alpha = (1 - g) alpha + g F, F = marked / acked;
//  - a timeout: ssthresh = cwnd/2, cwnd = 1 MSS.
// The window starts at the path's bandwidth-delay product (see packet_model.cpp) with
// ssthresh equal to it, so there is no slow start. alpha starts at 0, not at 1 as in Linux
// (dctcp_alpha_on_init): at 400 Gb/s a BDP is ~100 packets, and an initial halving would take
// ~50 RTTs of additive increase to win back — longer than most collective flows last.
#pragma once

#include <algorithm>
#include <cstdint>

#include "sim/packet/cc_types.hpp"

namespace moesim::sim {

struct Dctcp {
  static constexpr const char* kName = "dctcp";
  static constexpr const char* kHelp =
      "DCTCP window (ECN fraction, one decrease per window; halving on a trim)";
  static constexpr bool kPaced = false;
  static constexpr bool kUsesRtt = false;
  static constexpr int64_t kEchoIntervalPs = 0;  // every mark echoed
  double cwnd = 0;                               // bytes the sender may have in flight
  double ssthresh = 0;                           // bytes
  double alpha = 0;                              // estimated fraction of marked bytes
  double mss = 0;                                // bytes of one full packet
  double g = 1.0 / 16;
  double acked = 0;   // bytes acked in this observation window
  double marked = 0;  // ... of which marked
  double window_end = 0;
  bool reduced = false;  // decreased in this window already

  // Starts at line rate: one base RTT at the NIC rate, plus one packet, plus the marking
  // threshold K — DCTCP's operating point keeps about K queued at the bottleneck, and a window
  // of BDP + K keeps the link busy there.
  static Dctcp start(const CcStart& s) {
    return start(s.bdp + static_cast<double>(s.config->mtu.count + s.config->ecn_threshold.count),
                 s.mss, s.config->dctcp_g);
  }
  double window() const { return cwnd; }

  static Dctcp start(double initial_window, double mss, double g) {
    Dctcp d;
    d.cwnd = std::max(initial_window, mss);
    d.ssthresh = d.cwnd;  // start at the path's BDP, then probe additively
    d.mss = mss;
    d.g = g;
    d.window_end = d.cwnd;
    return d;
  }

  void on_ack(double bytes, bool congestion, const Feedback&) {
    on_feedback(bytes, congestion, 1 - alpha / 2);
  }

  // A lost (trimmed) packet: DCTCP reacts to loss as TCP does, halving the window once per
  // window; the bytes count as marked in alpha's estimate.
  void on_loss(double bytes, const Feedback&) { on_feedback(bytes, true, 0.5); }

  void on_timeout() {
    ssthresh = std::max(mss, cwnd / 2);
    cwnd = mss;
    acked = marked = 0;
    window_end = cwnd;
    reduced = false;
  }

 private:
  void on_feedback(double bytes, bool congestion, double decrease) {
    acked += bytes;
    if (congestion) {
      marked += bytes;
      if (!reduced) {
        cwnd = std::max(mss, cwnd * decrease);
        ssthresh = cwnd;
        reduced = true;
      }
    } else if (cwnd < ssthresh) {
      cwnd += bytes;
    } else {
      cwnd += mss * bytes / cwnd;
    }
    if (acked >= window_end) {
      alpha = (1 - g) * alpha + g * (marked / acked);
      acked = marked = 0;
      window_end = cwnd;
      reduced = false;
    }
  }
};

}  // namespace moesim::sim
