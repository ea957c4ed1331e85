// Packets of the packet-level model: compact records in a pool, linked into intrusive FIFOs
// (port queues, link pipes) by index, so the hot path allocates nothing per packet once the
// pool has grown to the peak number of packets in flight.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/core/units.hpp"

namespace moesim::sim {

inline constexpr uint32_t kNoPacket = UINT32_MAX;

enum class PacketKind : uint8_t { Data, Ack, Nack, Pause, Resume };

enum PacketFlags : uint8_t {
  kCe = 1,          // a switch marked Congestion Experienced on this data packet
  kEce = 2,         // an ACK echoing a CE mark
  kTrimmed = 4,     // a data packet cut to its header by a full queue
  kAckReq = 8,      // a data packet asking for an ACK at once (ACK coalescing)
  kCoalesced = 16,  // an ACK whose seq is one past the last receiver report it covers
  kNoSample = 32,   // an ACK not made of a data packet: no round-trip sample
};

// 32 bytes, so two share a cache line.
struct Packet {
  union {
    TimePs arrive{};   // while on a link: when its last bit reaches the far end
    uint32_t ingress;  // while queued in a lossless switch: the link it came in on
  };
  uint32_t next = kNoPacket;  // intrusive FIFO link
  uint32_t sub = 0;           // subflow
  uint32_t seq = 0;           // packet number within the subflow
  // When the data packet left its sender, in ns modulo 2^32 (an ACK made of it carries it
  // back: RTT samples for delay-based congestion control; differences wrap correctly below
  // 4.29 s).
  uint32_t sent_ns = 0;
  uint16_t size = 0;     // bytes on the wire (the MTU is at most 65535 B)
  uint16_t entropy = 0;  // spray:reps: the path label hashed at every hop (ACKs echo it)
  uint16_t hop = 0;      // links crossed so far (index into a pinned path)
  PacketKind kind = PacketKind::Data;
  uint8_t flags = 0;

  bool is_control() const { return kind != PacketKind::Data || (flags & kTrimmed) != 0; }
};
static_assert(sizeof(Packet) == 32);

class PacketPool {
 public:
  uint32_t alloc() {
    if (free_ != kNoPacket) {
      const uint32_t id = free_;
      free_ = items_[id].next;
      items_[id] = Packet{};
      return id;
    }
    items_.emplace_back();
    return static_cast<uint32_t>(items_.size() - 1);
  }
  void release(uint32_t id) {
    items_[id].next = free_;
    free_ = id;
  }
  Packet& operator[](uint32_t id) { return items_[id]; }
  const Packet& operator[](uint32_t id) const { return items_[id]; }
  size_t capacity() const { return items_.size(); }

 private:
  std::vector<Packet> items_;
  uint32_t free_ = kNoPacket;
};

struct PacketFifo {
  uint32_t head = kNoPacket;
  uint32_t tail = kNoPacket;
  uint64_t bytes = 0;

  bool empty() const { return head == kNoPacket; }
  void push(PacketPool& pool, uint32_t id) {
    pool[id].next = kNoPacket;
    if (tail == kNoPacket) {
      head = id;
    } else {
      pool[tail].next = id;
    }
    tail = id;
    bytes += pool[id].size;
  }
  uint32_t pop(PacketPool& pool) {
    const uint32_t id = head;
    head = pool[id].next;
    if (head == kNoPacket) tail = kNoPacket;
    bytes -= pool[id].size;
    return id;
  }
};

}  // namespace moesim::sim
