// NSCC-style window control, after the Ultra Ethernet transport's network-signal congestion
// control as htsim's UEC model runs it: a sender-based window in bytes that reads two signals
// on every ACK, the ECN mark and the queueing delay (the packet's RTT less the path's base
// RTT), and treats a trimmed packet as a gentle loss. Per ACK of `b` bytes, with delay d and
// target delay T:
//   no mark, d < T   proportional increase: P (T - d) / T bytes per window's worth of ACKs, or,
//                    once a whole window has seen d < 1 us, fast increase (cwnd += F b);
//   no mark, d >= T  fair increase: 1 MSS per window's worth of ACKs (the queue is the
//                    network's, not ours: grow as every flow does);
//   mark, d >= T     multiplicative decrease, at most once per base RTT:
//                    cwnd *= max(1 - 0.8 (d - T) / d, 0.5);
//   mark, d < T      nothing (a mark without delay is another flow's queue, or noise).
// Increases accumulate and are applied every `adjust` bytes acknowledged or base RTT elapsed.
// A trimmed packet (NACK) takes its bytes off the window; quick adapt, at most once per base
// RTT + T, sets the window to the bytes actually acknowledged in the last such epoch after a
// loss or a delay above 4 T — what the path delivered, a sharp but bounded cut under incast.
// The window starts at and never exceeds 1.5 BDP, and never falls below one MSS.
// Constants (htsim's UEC defaults, scaled as it scales them by a = BDP / (100 Gb/s x 12 us)):
// T = base RTT / 2 (6 us of a 12 us network RTT), P = 5 MSS a, F = 0.25 a,
// adjust = 32,000 B x T / 12 us.
#pragma once

#include <algorithm>

#include "sim/packet/cc_types.hpp"

namespace moesim::sim {

struct Nscc {
  static constexpr const char* kName = "nscc";
  static constexpr const char* kHelp =
      "UEC-style NSCC window (ECN and delay, gentle on trims, cap 1.5 BDP)";
  static constexpr bool kPaced = false;
  static constexpr bool kUsesRtt = true;  // queueing delay from RTT samples
  static constexpr int64_t kEchoIntervalPs = 0;

  double cwnd = 0, max_window = 0, mss = 0;
  double prop_gain = 0;  // P, bytes per window at zero delay
  double fast_gain = 0;  // F
  double adjust_bytes = 0;
  TimePs base_rtt, target;
  double pending_increase = 0;  // accumulated (bytes x bytes), applied as / cwnd
  double acked_since_adjust = 0;
  TimePs last_adjust, last_decrease{-1};
  double fast_count = 0;  // bytes acknowledged in a row at under 1 us of delay
  bool fast = false;
  double achieved = 0;  // bytes acknowledged in this quick-adapt epoch
  TimePs epoch_end{0};
  bool loss_seen = false;
  TimePs last_delay{0};  // the latest delay sample, for feedback without one

  static Nscc start(const CcStart& s) {
    Nscc n;
    const double a = s.bdp / 150'000.0;  // 100 Gb/s x 12 us = 150 KB
    n.mss = s.mss;
    n.max_window = std::max(1.5 * s.bdp, s.mss);
    n.cwnd = n.max_window;
    n.prop_gain = 5 * s.mss * a;
    n.fast_gain = 0.25 * a;
    n.base_rtt = s.base_rtt;
    n.target = TimePs{std::max<int64_t>(1, s.base_rtt.ps / 2)};
    n.adjust_bytes = 32'000.0 * static_cast<double>(n.target.ps) / 12e6;
    return n;
  }
  double window() const { return cwnd; }

  void on_ack(double bytes, bool ece, const Feedback& f) {
    const TimePs d = delay(f);
    achieved += bytes;
    if (quick_adapt(d, f.now)) return;
    if (!ece) {
      if (d < target) {
        if (!fast_increase(bytes, d)) {
          pending_increase += prop_gain * bytes * static_cast<double>((target - d).ps) /
                              static_cast<double>(target.ps);
        }
      } else {
        fast = false;
        fast_count = 0;
        pending_increase += mss * bytes;
      }
    } else if (d >= target) {
      fast = false;
      fast_count = 0;
      if (last_decrease.ps < 0 || f.now - last_decrease > base_rtt) {
        const double over = static_cast<double>((d - target).ps) / static_cast<double>(d.ps);
        cwnd *= std::max(1 - 0.8 * over, 0.5);
        last_decrease = f.now;
      }
    }
    acked_since_adjust += bytes;
    if (acked_since_adjust > adjust_bytes || f.now - last_adjust > base_rtt) {
      cwnd += pending_increase / cwnd;
      pending_increase = 0;
      acked_since_adjust = 0;
      last_adjust = f.now;
    }
    clamp();
  }

  void on_loss(double bytes, const Feedback& f) {
    loss_seen = true;
    if (quick_adapt(TimePs{0}, f.now)) return;
    cwnd -= bytes;
    clamp();
  }

  void on_timeout() {
    cwnd = mss;
    pending_increase = acked_since_adjust = fast_count = 0;
    fast = false;
  }

 private:
  TimePs delay(const Feedback& f) {
    if (f.rtt.ps >= 0) last_delay = TimePs{std::max<int64_t>(0, (f.rtt - base_rtt).ps)};
    return last_delay;
  }

  bool fast_increase(double bytes, TimePs d) {
    if (d.ps >= 1'000'000) {  // 1 us
      fast_count = 0;
      fast = false;
      return false;
    }
    fast_count += bytes;
    if (fast_count > cwnd || fast) {
      cwnd += fast_gain * bytes;
      fast = true;
      return true;
    }
    return false;
  }

  // At the end of an epoch: after a loss or a delay above 4 T, the window becomes what was
  // acknowledged during it. True if it fired.
  bool quick_adapt(TimePs d, TimePs now) {
    if (now <= epoch_end) return false;
    bool fired = false;
    if (epoch_end.ps != 0 && (loss_seen || d.ps > 4 * target.ps) && achieved < max_window) {
      cwnd = std::max(achieved, mss);
      pending_increase = acked_since_adjust = 0;
      fired = true;
    }
    loss_seen = false;
    achieved = 0;
    epoch_end = now + base_rtt + target;
    return fired;
  }

  void clamp() { cwnd = std::clamp(cwnd, mss, max_window); }
};

}  // namespace moesim::sim
