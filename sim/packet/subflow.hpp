// The packet engine's per-subflow state (packet_model.cpp): sender, receiver and, for coalesced
// ACKs, the reports between them, plus the per-packet state bits of the run's state array.
// Internal to the packet model.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/core/units.hpp"
#include "sim/packet/packet.hpp"

namespace moesim::sim::packet_detail {

enum PktState : uint8_t { kUnsent = 0, kInFlight = 1, kAcked = 2, kLost = 3, kSenderMask = 3 };
constexpr uint8_t kReceived = 4;

// A coalescing receiver's report of one packet: its number and whether it was CE-marked.
constexpr uint32_t kReportCe = 1u << 31;

// spray:reps: a sender keeps as many good entropies as its first window has packets (every
// packet in flight can bring its entropy back), within these bounds.
constexpr uint32_t kRepsMinEntropies = 8, kRepsMaxEntropies = 1024;

template <class CC>
struct Subflow {
  uint64_t first = 0;  // index of its packet 0 in the per-packet state array
  uint64_t bytes = 0;
  uint32_t num_pkts = 0;
  uint32_t next_new = 0;  // next never-sent packet
  uint32_t acked = 0;
  uint32_t received = 0;   // distinct packets the receiver holds
  uint64_t in_flight = 0;  // wire bytes sent and neither acked, NACKed nor timed out
  CC cc;
  TimePs last_progress;
  uint32_t link = 0;  // first link, out of the source host
  uint32_t ring_next = kNoPacket;
  bool in_ring = false;
  bool timer_armed = false;
  uint32_t retransmits = 0;
  std::vector<uint32_t> retx;  // NACKed or timed-out packets, resent first
  size_t retx_head = 0;
  // Coalesced ACKs (ack_every > 0). The receiver appends a report (seq | kReportCe) per new
  // packet; report i has the absolute number reports_base + i. An ACK carries the number one
  // past its last report; the sender has consumed the reports before reports_done.
  std::vector<uint32_t> reports;
  uint32_t reports_base = 0;
  uint32_t reports_done = 0;   // sender: reports fed to the window
  uint32_t reports_sent = 0;   // receiver: reports covered by an ACK sent
  uint64_t unacked_bytes = 0;  // receiver: payload bytes taken since its last ACK
  uint32_t highest = 0;        // receiver: one past the highest packet number taken
  bool held_at_tick = false;   // receiver: held unacked bytes at the last timer tick
  // Paced congestion controls (CC::kPaced): the earliest time of the next packet, and
  // whether a kPace event will wake the subflow then.
  TimePs next_send;
  bool pace_pending = false;
  // Receiver: when it last echoed a CE mark (CC::kEchoIntervalPs).
  TimePs last_echo{INT64_MIN / 2};
  // spray:reps: entropies that came back unmarked, a ring (sized when the subflow starts).
  std::vector<uint16_t> reps;
  uint32_t reps_head = 0, reps_count = 0;
};

}  // namespace moesim::sim::packet_detail
