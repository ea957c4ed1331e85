// DCQCN (Zhu et al., "Congestion Control for Large-Scale RDMA Deployments", SIGCOMM 2015), the
// rate control RoCEv2 NICs run: a reaction point per flow that paces packets at a current rate
// Rc, with a target rate Rt and an estimate alpha of the congestion it sees. The notification
// point (the receiver) echoes a CE mark at most once per 50 us per flow (a CNP); the engine
// carries it at once in an ACK. On a CNP: Rt = Rc, Rc = Rc (1 - alpha / 2), alpha = (1 - g)
// alpha + g, and the increase stages restart. Without CNPs alpha decays, alpha = (1 - g)
// alpha every 55 us. Rate increases come from a timer (every 55 us) and a byte counter (every
// 10 MB sent); each event advances its stage count, and
//   both counts below F = 5     fast recovery:     Rc = (Rt + Rc) / 2;
//   one of them at F or above   additive increase: Rt += R_AI, then Rc = (Rt + Rc) / 2;
//   both above F                hyper increase:    Rt += i R_HAI (i = the smaller count - F),
//                                                  then Rc = (Rt + Rc) / 2;
// with Rc and Rt at most the NIC's line rate and Rc at least 100 Mb/s. g = 1/256, R_AI =
// 40 Mb/s, R_HAI = 200 Mb/s: the paper's settings (as the ns-3 DCQCN-paper configuration of
// the HPCC artifact has them). RED marking goes with it (--marking auto): between 5 KB and
// 100 KB with Pmax 10%, the HPCC artifact's ns-3 setting; the paper's 5 KB, 200 KB and 1%
// leave two flows on one 100 Gb/s bottleneck far from fair here (one flow at about a quarter
// of the link for 9.6 ms, the other done at 5.3 ms). There is no window: a flow starts at line
// rate, and the rate alone bounds what it has in flight.
#pragma once

#include <algorithm>
#include <limits>

#include "sim/packet/cc_types.hpp"

namespace moesim::sim {

struct Dcqcn {
  static constexpr const char* kName = "dcqcn";
  static constexpr const char* kHelp =
      "DCQCN rate control (RoCEv2: CNPs from ECN, paced sender, no window)";
  static constexpr bool kPaced = true;
  static constexpr bool kUsesRtt = false;
  static constexpr int64_t kEchoIntervalPs = 50'000'000;  // 50 us between CNPs per flow

  static constexpr double kG = 1.0 / 256;
  static constexpr int64_t kPeriodPs = 55'000'000;  // alpha decay and rate-increase timer
  static constexpr double kByteCounter = 10e6;      // 10 MB
  static constexpr int kFastRecovery = 5;
  static constexpr double kAi = 40e6 / 8, kHai = 200e6 / 8, kMinRate = 100e6 / 8;  // bytes/s

  double line = 0, rc = 0, rt = 0;  // bytes per second
  double alpha = 1;
  double bytes_since = 0;
  int timer_stage = 0, byte_stage = 0;
  TimePs last_timer, last_alpha;

  static Dcqcn start(const CcStart& s) {
    Dcqcn d;
    d.line = d.rc = d.rt = s.line_rate;
    d.last_timer = d.last_alpha = s.now;
    return d;
  }
  double window() const { return std::numeric_limits<double>::infinity(); }
  double rate() const { return rc; }

  void on_send(double bytes, TimePs now) {
    advance(now);
    bytes_since += bytes;
    while (bytes_since >= kByteCounter) {
      bytes_since -= kByteCounter;
      ++byte_stage;
      increase();
    }
  }
  void on_ack(double, bool cnp, const Feedback& f) {
    advance(f.now);
    if (cnp) cut(f.now);
  }
  void on_loss(double, const Feedback& f) {  // a trim (lossy fabrics only)
    advance(f.now);
    cut(f.now);
  }
  void on_timeout() { rc = std::max(kMinRate, rc / 2); }

 private:
  void advance(TimePs now) {
    while ((now - last_alpha).ps >= kPeriodPs) {
      alpha *= 1 - kG;
      last_alpha += TimePs{kPeriodPs};
    }
    while ((now - last_timer).ps >= kPeriodPs) {
      last_timer += TimePs{kPeriodPs};
      ++timer_stage;
      increase();
    }
  }

  void increase() {
    const int most = std::max(timer_stage, byte_stage), least = std::min(timer_stage, byte_stage);
    if (least > kFastRecovery) {
      rt += (least - kFastRecovery) * kHai;
    } else if (most >= kFastRecovery) {
      rt += kAi;
    }
    rt = std::min(rt, line);
    rc = std::min((rt + rc) / 2, line);
  }

  void cut(TimePs now) {
    rt = rc;
    rc = std::max(kMinRate, rc * (1 - alpha / 2));
    alpha = (1 - kG) * alpha + kG;
    timer_stage = byte_stage = 0;
    bytes_since = 0;
    last_timer = last_alpha = now;
  }
};

}  // namespace moesim::sim
