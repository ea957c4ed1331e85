// The network half of the packet model: output-queued ports on every directed link, with a
// strict-priority control queue (ACKs, NACKs, trimmed headers) ahead of a FIFO data queue of
// finite bytes, ECN marking above a threshold, store-and-forward links with serialization and
// propagation, and the per-hop forwarding decision of each path policy. Hosts do not queue
// data at their NIC: when a host port falls idle it asks the host for the next packet (a NIC
// scheduling its queue pairs round robin), so only control packets queue there.
// The fabric knows nothing of the hosts' transport: the engine calls it and acts on what it
// returns (a packet delivered to a host; a host port wanting data), so the per-packet path has
// no virtual call and no callback.
// Lossless (PacketConfig::lossless, RoCEv2 over PFC): data is never trimmed or dropped. Each
// switch counts, per ingress link, the data bytes it holds that came in over it; at XOFF it
// sends a PAUSE frame (a header-sized control packet, so it takes link time) back up that
// link, whose port then sends no data (control still flows) until a RESUME at XON. A paused
// port's queue grows in turn, so pauses spread upstream to the senders' NICs. Per ingress, the
// link's --buffer is the budget: XOFF = buffer - headroom, headroom = 2 x latency x rate
// (the wire's bytes when the pause leaves, and those sent while it travels) + 3 MTU (the
// packet delaying the pause at this port, the one upstream is sending when it lands, the one
// arriving here); XON = XOFF - 2 MTU.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/core/event_queue.hpp"
#include "sim/core/rng.hpp"
#include "sim/packet/config.hpp"
#include "sim/packet/packet.hpp"
#include "sim/paths.hpp"
#include "sim/results.hpp"
#include "topologies/routing.hpp"

namespace moesim::sim {

enum PacketEvent : uint32_t {
  kLinkFree = 0,
  kArrive = 1,
  kTimer = 2,
  kTaskDone = 3,
  kPace = 4,
  kSample = 5
};

// Per subflow: the hosts it joins. Data goes src -> dst, ACKs and NACKs dst -> src.
struct SubflowEnds {
  std::vector<uint32_t> src;
  std::vector<uint32_t> dst;
};

class Fabric {
 public:
  Fabric(const topo::Routing& routing, const PathSet& paths, const SubflowEnds& ends,
         const PacketConfig& config, PacketPool& pool, EventQueue& events);

  // Sends packet `id` from vertex v (a host sending, or a switch forwarding) onwards.
  void forward(uint32_t id, uint32_t v);
  // Host port `link` may have data: true if it is idle and wants the host's next packet now
  // (the caller then hands it to transmit()); otherwise it asks when it falls idle.
  bool kick(uint32_t link) { return wake_port(link); }
  // A kLinkFree event: true if the port is a host port with nothing queued, wanting the
  // host's next packet (hand it to transmit()).
  bool on_link_free(uint32_t link);
  // Puts the host's packet `id` (or nothing, kNoPacket) on idle host port `link`.
  void transmit(uint32_t link, uint32_t id);
  // A kArrive event: the packet reaching the far end of `link` is forwarded, or, at a host,
  // returned (kNoPacket otherwise) for the host to receive. A RESUME that frees an idle host
  // port sets `pull` to that port (the caller hands the host's next packet to transmit()).
  uint32_t on_arrive(uint32_t link, uint32_t& pull);

  // The link a subflow's data leaves its source host on.
  uint32_t first_link(uint32_t sub) const;
  // Round-trip time of a subflow's first route with empty queues: at every hop both
  // propagation delays, a full data packet forward, and on the way back the ACK plus one
  // full data packet it may wait behind (ACKs have priority but do not preempt).
  TimePs base_rtt(uint32_t sub) const;

  uint32_t trims(uint32_t sub) const { return sub_trims_[sub]; }
  // Appends a LinkSample for every port that sent, queued or was paused since the last call.
  void sample(std::vector<LinkSample>& out);
  // Per-link bytes, wire bytes and maximum queue, and the run counters.
  void fill(RunResult& r) const;

 private:
  struct Port {
    PacketFifo control;  // strict priority
    PacketFifo data;
    PacketFifo pipe;            // on the wire (serializing or propagating), in arrival order
    TimePs busy_until;          // the packet in service has left the port by then
    bool free_pending = false;  // a kLinkFree event is scheduled at busy_until
    uint32_t to = 0;
    TimePs latency;
    BitsPerSec rate;
    int64_t ps_per_byte = 0;  // exact serialization when the rate divides 8 Tb/s, else 0
    uint64_t buffer = 0;
    bool host_port = false;
    uint64_t payload_bytes = 0;
    uint64_t wire_bytes = 0;
    uint64_t max_queue = 0;
    // Lossless: this port is paused by its far end; the data its far end holds from it, and
    // whether it has paused this port (PFC state of the far end's ingress from this link).
    bool paused = false;
    bool pause_sent = false;
    TimePs paused_since;
    TimePs paused_total;
    uint64_t held = 0;
    uint64_t xoff = 0, xon = 0;
    uint64_t sampled_wire = 0;  // wire_bytes at the last sample
  };

  uint32_t choose_link(const Packet& p, uint32_t v);
  uint32_t spray_link(std::span<const uint32_t> hops, uint32_t v, const Packet& p);
  void enqueue(uint32_t id, uint32_t link);
  bool wake_port(uint32_t link);
  bool start_next(uint32_t link);
  void send(uint32_t link, uint32_t id);
  void set_pfc_thresholds();
  void hold(uint32_t id, uint32_t link);
  void release_hold(const Packet& p);
  void send_pfc(uint32_t link, PacketKind kind);
  bool mark(const Port& port);
  TimePs serialization(const Port& port, uint32_t bytes) const;

  const topo::Routing& routing_;
  const topo::Topology& topo_;
  const PathSet& paths_;
  const SubflowEnds& ends_;
  PacketConfig config_;
  PacketPool& pool_;
  EventQueue& events_;
  bool spray_;
  std::vector<Port> ports_;
  std::vector<uint8_t> is_host_;    // per vertex
  std::vector<uint64_t> salt_;      // per vertex, hashes ACKs (and ECMP-style choices) per hop
  std::vector<uint32_t> rr_;        // per vertex, round-robin position
  std::vector<uint32_t> rr_phase_;  // per vertex, where this round started
  std::vector<uint32_t> sub_trims_;
  Rng rng_;
  Rng red_rng_;
  uint64_t packets_ = 0, trims_ = 0, drops_ = 0, pfc_frames_ = 0;
};

}  // namespace moesim::sim
