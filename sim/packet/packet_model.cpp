// The packet model's hosts and event loop. Each subflow is a sender/receiver pair running one
// congestion control's window (cc.hpp; DCTCP by default) over selective ACKs: an ACK names
// the packets it covers, so a receiver accepts sprayed packets in any order. With
// --ack-every 0 every data packet turns into its own ACK. Otherwise the receiver coalesces:
// it reports the packets it took since its last ACK (in arrival order, each with its CE mark)
// once they hold ack_every payload bytes, and at once when a packet asks for it (the sender
// sets the request on a packet after which its window is full or it has nothing left), when
// a packet arrives behind a later one (it fills a hole), on a duplicate, on the subflow's last
// packet, and before a NACK; the coalesced retransmission tick below also flushes a receiver
// that has held bytes for a whole tick. The sender feeds each reported packet to its window
// as if acknowledged alone. A trimmed packet reaches the receiver as a header and is NACKed
// at once; the sender retransmits it ahead of new data. A retransmission timeout backs up lost
// headers, ACKs and, with drop recovery, lost data. Timers are coalesced: one tick every rto/8
// scans the subflows with packets in flight, so a timeout fires between 1 and 1.125 rto after the
// last progress and the event heap holds no per-flow timers. A flow finishes when its receiver
// holds every byte of every subflow.
#include <algorithm>
#include <new>

#include <fmt/format.h>

#include "sim/core/error.hpp"
#include "sim/dag_frontier.hpp"
#include "sim/model.hpp"
#include "sim/packet/cc.hpp"
#include "sim/packet/fabric.hpp"
#include "sim/packet/subflow.hpp"
#include "sim/time_limits.hpp"

namespace moesim::sim {
namespace {

using namespace packet_detail;

template <class CC>
class PacketRun {
 public:
  PacketRun(const topo::Routing& routing, const Workload& w, const PathSet& p,
            const PacketConfig& config)
      : w_(w),
        p_(p),
        config_(config),
        ends_(subflow_ends(w, p)),
        fabric_(routing, p, ends_, config, pool_, events_),
        frontier_(w),
        subs_(p.num_subflows()),
        subs_left_(w.size(), 0),
        ring_head_(routing.topology().num_links(), kNoPacket),
        ring_tail_(routing.topology().num_links(), kNoPacket),
        payload_(config.mtu.count - config.header.count),
        reps_(p.transport.policy == PathPolicy::Spray && p.transport.spray == SprayMode::Reps),
        reps_rng_(make_stream(config.seed, "reps")) {
    const topo::Topology& topo = routing.topology();
    host_vertex_.resize(topo.num_hosts());
    for (uint32_t h = 0; h < topo.num_hosts(); ++h)
      host_vertex_[h] = static_cast<uint32_t>(topo.host_vertex(h));
    link_rate_.resize(topo.num_links());
    for (uint32_t l = 0; l < topo.num_links(); ++l)
      link_rate_[l] = topo.link(l).rate.bytes_per_sec();
    r_.nodes.assign(w.size(), NodeRecord{});
    uint64_t total = 0;
    for (uint32_t s = 0; s < p.num_subflows(); ++s) {
      Subflow<CC>& sf = subs_[s];
      sf.first = total;
      sf.bytes = p.bytes[s];
      // A zero-byte message still sends one header-only packet. Counted in 64 bits (bytes
      // near 2^64 cannot overflow: the quotient is computed before any rounding up).
      const uint64_t pkts = std::max<uint64_t>(1, sf.bytes / payload_ + (sf.bytes % payload_ != 0));
      if (pkts > kMaxPacketsPerSubflow) refuse_packets(w, s, pkts);
      sf.num_pkts = static_cast<uint32_t>(pkts);
      total += pkts;  // < 2^32 per subflow and < 2^32 subflows: no overflow in 64 bits
    }
    // One state byte per packet of the run.
    try {
      state_.assign(total, kUnsent);
    } catch (const std::bad_alloc&) {
      throw InputError(fmt::format(
          "--model packet: the run sends {} packets and the packet model keeps one byte of "
          "state per packet, more memory than this machine gives: expected less traffic or a "
          "larger --mtu",
          total));
    }
  }

  RunResult run() {
    frontier_.start_roots([this](uint32_t n) { start(n); });
    if (config_.sample_every.ps > 0) events_.schedule(config_.sample_every, kSample, 0);
    while (!events_.empty()) {
      const Event e = events_.pop();
      switch (e.kind) {
        case kLinkFree:
          if (fabric_.on_link_free(e.id)) fabric_.transmit(e.id, pull(e.id));
          break;
        case kArrive: {
          uint32_t pull_link = kNoPacket;
          if (const uint32_t id = fabric_.on_arrive(e.id, pull_link); id != kNoPacket) {
            receive(id);
          } else if (pull_link != kNoPacket) {
            fabric_.transmit(pull_link, pull(pull_link));
          }
          break;
        }
        case kTimer:
          on_tick();
          break;
        case kTaskDone:
          finish(e.id);
          break;
        case kPace:
          subs_[e.id].pace_pending = false;
          wake(e.id);
          break;
        case kSample:
          fabric_.sample(r_.samples);
          // Sample while anything else is pending, and once more when the run ends.
          if (!events_.empty()) events_.schedule(events_.now() + config_.sample_every, kSample, 0);
          break;
        default:
          throw InternalError("packet model: unknown event kind");
      }
    }
    for (uint32_t n = 0; n < w_.size(); ++n) {
      if (w_.node(n).kind == NodeKind::Flow && subs_left_[n] != 0) {
        throw InternalError("packet model: a flow never completed");
      }
    }
    r_.events = events_.events_processed();
    for (uint32_t s = 0; s < p_.num_subflows(); ++s) {
      NodeRecord& rec = r_.nodes[p_.owner[s]];
      rec.retransmits += subs_[s].retransmits;
      rec.trims += fabric_.trims(s);
      r_.retransmits += subs_[s].retransmits;
    }
    return std::move(r_);
  }

  void fill_links(RunResult& r) const { fabric_.fill(r); }

  // The next packet host port `link` sends, or kNoPacket: the first subflow of its ring that
  // may send.
  uint32_t pull(uint32_t link) {
    while (ring_head_[link] != kNoPacket) {
      const uint32_t s = ring_head_[link];
      Subflow<CC>& sf = subs_[s];
      ring_head_[link] = sf.ring_next;
      if (ring_head_[link] == kNoPacket) ring_tail_[link] = kNoPacket;
      sf.in_ring = false;
      if (!can_send(sf) || !paced_ready(s)) continue;
      const uint32_t id = make_packet(s);
      if (can_send(sf)) push_ring(s);
      return id;
    }
    return kNoPacket;
  }

  // Packet `id` reached the host it was addressed to.
  void receive(uint32_t id) {
    const Packet pkt = pool_[id];  // a copy: handling it may grow the pool
    const uint32_t s = pkt.sub;
    if (pkt.kind == PacketKind::Data) {
      on_data(id, s);
      return;
    }
    const Feedback f = feedback(pkt);
    const uint32_t seq = pkt.seq;
    if (pkt.kind == PacketKind::Nack) {
      on_nack(s, seq, f);
    } else {
      const bool ece = (pkt.flags & kEce) != 0;
      recycle(subs_[s], pkt, ece);
      if ((pkt.flags & kCoalesced) != 0) {
        on_reports(s, seq, f);
      } else if (ack_packet(subs_[s], seq, ece, f)) {
        wake(s);
      }
    }
    pool_.release(id);
  }

 private:
  static SubflowEnds subflow_ends(const Workload& w, const PathSet& p) {
    SubflowEnds e;
    e.src.resize(p.num_subflows());
    e.dst.resize(p.num_subflows());
    for (uint32_t s = 0; s < p.num_subflows(); ++s) {
      e.src[s] = w.node(p.owner[s]).src;
      e.dst[s] = w.node(p.owner[s]).dst;
    }
    return e;
  }

  // Packet numbers are 32-bit (Packet::seq, Subflow::num_pkts), which keeps a packet record
  // at 32 bytes on the hot path, less the bit a coalesced report marks CE with; 2^31 - 1
  // packets of a 4 KiB MTU are 8.7 TB per subflow.
  static constexpr uint64_t kMaxPacketsPerSubflow = kReportCe - 1;

  [[noreturn]] void refuse_packets(const Workload& w, uint32_t s, uint64_t pkts) const {
    const uint32_t n = p_.owner[s];
    throw InputError(fmt::format(
        "--model packet: flow {} (host {} -> host {}) sends {}B on one path, {} packets of "
        "{}B payload, more than the {} packets per path the packet model numbers: expected a "
        "smaller size, a larger --mtu or split:K",
        n, w.node(n).src, w.node(n).dst, p_.bytes[s], pkts, payload_, kMaxPacketsPerSubflow));
  }

  uint32_t wire_size(const Subflow<CC>& sf, uint32_t seq) const {
    const uint64_t body = seq + 1 < sf.num_pkts ? payload_ : sf.bytes - uint64_t{seq} * payload_;
    return static_cast<uint32_t>(body + config_.header.count);
  }
  uint8_t& state(const Subflow<CC>& sf, uint32_t seq) { return state_[sf.first + seq]; }

  // Drops retransmission entries that an ACK has overtaken.
  bool has_retx(Subflow<CC>& sf) {
    while (sf.retx_head < sf.retx.size() &&
           (state(sf, sf.retx[sf.retx_head]) & kSenderMask) != kLost) {
      ++sf.retx_head;
    }
    if (sf.retx_head == sf.retx.size() && sf.retx_head != 0) {
      sf.retx.clear();
      sf.retx_head = 0;
    }
    return sf.retx_head < sf.retx.size();
  }

  bool can_send(Subflow<CC>& sf) {
    uint32_t seq;
    if (has_retx(sf)) {
      seq = sf.retx[sf.retx_head];
    } else if (sf.next_new < sf.num_pkts) {
      seq = sf.next_new;
    } else {
      return false;
    }
    return sf.in_flight == 0 ||
           static_cast<double>(sf.in_flight + wire_size(sf, seq)) <= sf.cc.window();
  }

  uint32_t make_packet(uint32_t s) {
    Subflow<CC>& sf = subs_[s];
    uint32_t seq;
    if (has_retx(sf)) {
      seq = sf.retx[sf.retx_head++];
      ++sf.retransmits;
    } else {
      seq = sf.next_new++;
    }
    state(sf, seq) = static_cast<uint8_t>((state(sf, seq) & kReceived) | kInFlight);
    const uint32_t size = wire_size(sf, seq);
    if (sf.in_flight == 0) sf.last_progress = events_.now();
    sf.in_flight += size;
    if (!sf.timer_armed) {
      sf.timer_armed = true;
      timed_.push_back(s);
      if (!tick_pending_) {
        tick_pending_ = true;
        events_.schedule(events_.now() + tick(), kTimer, 0);
      }
    }
    const uint32_t id = pool_.alloc();
    Packet& pkt = pool_[id];
    pkt.sub = s;
    pkt.seq = seq;
    pkt.size = static_cast<uint16_t>(size);
    pkt.kind = PacketKind::Data;
    if constexpr (CC::kUsesRtt) pkt.sent_ns = static_cast<uint32_t>(events_.now().ps / 1000);
    if constexpr (CC::kPaced) {
      const TimePs now = events_.now();
      sf.cc.on_send(size, now);
      // Rounded down, so a flow at line rate is never held back behind its own NIC.
      const auto gap = static_cast<int64_t>(static_cast<double>(size) * 1e12 / sf.cc.rate());
      sf.next_send = std::max(sf.next_send, now) + TimePs{gap};
    }
    if (reps_) pkt.entropy = next_entropy(sf);
    // Ask for an ACK at once when the window is now full or nothing is left to send: the
    // receiver's byte count alone might never reach ack_every.
    if (coalescing() && !can_send(sf)) pkt.flags = kAckReq;
    return id;
  }

  void push_ring(uint32_t s) {
    Subflow<CC>& sf = subs_[s];
    sf.in_ring = true;
    sf.ring_next = kNoPacket;
    if (ring_tail_[sf.link] == kNoPacket) {
      ring_head_[sf.link] = s;
    } else {
      subs_[ring_tail_[sf.link]].ring_next = s;
    }
    ring_tail_[sf.link] = s;
  }

  void wake(uint32_t s) {
    Subflow<CC>& sf = subs_[s];
    if (sf.in_ring || !can_send(sf) || !paced_ready(s)) return;
    push_ring(s);
    if (fabric_.kick(sf.link)) fabric_.transmit(sf.link, pull(sf.link));
  }

  bool coalescing() const { return config_.ack_every.count != 0; }

  // Paced congestion controls: true if subflow s may send now; else a kPace event will wake
  // it when it may.
  bool paced_ready(uint32_t s) {
    if constexpr (CC::kPaced) {
      Subflow<CC>& sf = subs_[s];
      if (events_.now() >= sf.next_send) return true;
      if (!sf.pace_pending) {
        sf.pace_pending = true;
        events_.schedule(sf.next_send, kPace, s);
      }
      return false;
    } else {
      (void)s;
      return true;
    }
  }

  // Receiver: whether a CE mark on subflow s's data is echoed (at most once per
  // CC::kEchoIntervalPs: DCQCN's CNP rate limit).
  bool echo(Subflow<CC>& sf, bool ce) {
    if constexpr (CC::kEchoIntervalPs == 0) {
      return ce;
    } else {
      if (!ce || (events_.now() - sf.last_echo).ps < CC::kEchoIntervalPs) return false;
      sf.last_echo = events_.now();
      return true;
    }
  }

  // The time, and the round trip of the data packet an ACK or NACK was made of.
  Feedback feedback(const Packet& pkt) const {
    Feedback f{.now = events_.now()};
    if (CC::kUsesRtt && (pkt.flags & kNoSample) == 0) {
      const auto now_ns = static_cast<uint32_t>(f.now.ps / 1000);
      f.rtt = TimePs{int64_t{static_cast<uint32_t>(now_ns - pkt.sent_ns)} * 1000};
    }
    return f;
  }

  // spray:reps: an entropy whose ACK came back unmarked is used again; a marked or trimmed
  // one is forgotten, and a new one drawn when none is waiting.
  void recycle(Subflow<CC>& sf, const Packet& ack, bool ece) {
    if (!reps_ || ece || (ack.flags & kNoSample) != 0 || sf.reps_count == sf.reps.size()) return;
    sf.reps[(sf.reps_head + sf.reps_count++) % sf.reps.size()] = ack.entropy;
  }
  uint16_t next_entropy(Subflow<CC>& sf) {
    if (sf.reps_count == 0) return static_cast<uint16_t>(reps_rng_.next_u64());
    const uint16_t e = sf.reps[sf.reps_head];
    sf.reps_head = static_cast<uint32_t>((sf.reps_head + 1) % sf.reps.size());
    --sf.reps_count;
    return e;
  }

  // Receiver: the packet turns into its ACK (or NACK) in place and heads back.
  void on_data(uint32_t id, uint32_t s) {
    if (coalescing()) {
      on_data_coalescing(id, s);
      return;
    }
    Packet& pkt = pool_[id];
    Subflow<CC>& sf = subs_[s];
    if ((pkt.flags & kTrimmed) != 0) {
      pkt.kind = PacketKind::Nack;
      pkt.flags = 0;
    } else {
      uint8_t& st = state(sf, pkt.seq);
      if ((st & kReceived) == 0) {
        st |= kReceived;
        if (++sf.received == sf.num_pkts) subflow_done(s);
      }
      pkt.kind = PacketKind::Ack;
      pkt.flags = echo(sf, (pkt.flags & kCe) != 0) ? kEce : 0;
    }
    pkt.size = static_cast<uint16_t>(config_.header.count);
    pkt.hop = 0;
    fabric_.forward(id, host_vertex_[ends_.dst[s]]);
  }

  // Receiver with coalescing: takes the packet, and turns it into an ACK of every report since
  // the last when a rule of the header comment says so (else releases it).
  void on_data_coalescing(uint32_t id, uint32_t s) {
    Packet& pkt = pool_[id];
    Subflow<CC>& sf = subs_[s];
    bool now = false;
    if ((pkt.flags & kTrimmed) != 0) {
      // Reports first, so the NACK does not overtake what arrived before it.
      if (sf.reports_sent != sf.reports_base + sf.reports.size()) send_ack(pool_.alloc(), s, false);
      Packet& nack = pool_[id];  // alloc() may have moved the pool
      nack.kind = PacketKind::Nack;
      nack.flags = 0;
      send_back(id, s);
      return;
    }
    uint8_t& st = state(sf, pkt.seq);
    if ((st & kReceived) == 0) {
      st |= kReceived;
      const bool ce = echo(sf, (pkt.flags & kCe) != 0);
      sf.reports.push_back(pkt.seq | (ce ? kReportCe : 0));
      sf.unacked_bytes += wire_size(sf, pkt.seq) - config_.header.count;
      // A rate-limited echo (a CNP) goes at once.
      now = (pkt.flags & kAckReq) != 0 || pkt.seq + 1 < sf.highest ||
            sf.unacked_bytes >= config_.ack_every.count || (ce && CC::kEchoIntervalPs != 0);
      sf.highest = std::max(sf.highest, pkt.seq + 1);
      if (++sf.received == sf.num_pkts) {
        now = true;
        subflow_done(s);
      }
    } else {
      now = true;  // a duplicate: the sender may be waiting on a lost ACK
    }
    if (now) {
      send_ack(id, s, true);
    } else {
      pool_.release(id);
    }
  }

  // Turns packet `id` into an ACK of subflow s's reports so far and sends it back. With
  // `from_data`, `id` is the data packet that triggered it: the ACK echoes its send time,
  // entropy and CE mark; otherwise (a flush) it carries no sample.
  void send_ack(uint32_t id, uint32_t s, bool from_data) {
    Subflow<CC>& sf = subs_[s];
    sf.reports_sent = sf.reports_base + static_cast<uint32_t>(sf.reports.size());
    sf.unacked_bytes = 0;
    Packet& pkt = pool_[id];
    const bool ce = from_data && (pkt.flags & kCe) != 0;
    pkt.sub = s;
    pkt.seq = sf.reports_sent;
    pkt.kind = PacketKind::Ack;
    pkt.flags = static_cast<uint8_t>(kCoalesced | (ce ? kEce : 0) | (from_data ? 0 : kNoSample));
    send_back(id, s);
  }

  void send_back(uint32_t id, uint32_t s) {
    Packet& pkt = pool_[id];
    pkt.size = static_cast<uint16_t>(config_.header.count);
    pkt.hop = 0;
    fabric_.forward(id, host_vertex_[ends_.dst[s]]);
  }

  // Sender: a coalesced ACK covering the reports before `end` (absolute numbers); an ACK
  // overtaken by a later one covers nothing new.
  void on_reports(uint32_t s, uint32_t end, const Feedback& f) {
    Subflow<CC>& sf = subs_[s];
    while (sf.reports_done < end) {
      const uint32_t r = sf.reports[sf.reports_done++ - sf.reports_base];
      ack_packet(sf, r & ~kReportCe, (r & kReportCe) != 0, f);
    }
    // Drop consumed reports once the receiver has none waiting either.
    const auto total = sf.reports_base + static_cast<uint32_t>(sf.reports.size());
    if (sf.reports_done == total) {
      sf.reports.clear();
      sf.reports_base = total;
    }
    wake(s);
  }

  // Feeds one acknowledged packet to the window; false if it was acknowledged before.
  bool ack_packet(Subflow<CC>& sf, uint32_t seq, bool ece, const Feedback& f) {
    uint8_t& st = state(sf, seq);
    const uint8_t sender = st & kSenderMask;
    if (sender == kAcked) return false;
    const uint32_t size = wire_size(sf, seq);
    if (sender == kInFlight) sf.in_flight -= size;
    st = static_cast<uint8_t>((st & kReceived) | kAcked);
    ++sf.acked;
    sf.last_progress = events_.now();
    sf.cc.on_ack(size, ece, f);
    return true;
  }

  // A NACK says the packet was trimmed: resend it, and take it as a loss.
  void on_nack(uint32_t s, uint32_t seq, const Feedback& f) {
    Subflow<CC>& sf = subs_[s];
    uint8_t& st = state(sf, seq);
    if ((st & kSenderMask) != kInFlight) return;
    const uint32_t size = wire_size(sf, seq);
    sf.in_flight -= size;
    st = static_cast<uint8_t>((st & kReceived) | kLost);
    sf.retx.push_back(seq);
    sf.last_progress = events_.now();
    sf.cc.on_loss(size, f);
    wake(s);
  }

  TimePs tick() const { return TimePs{std::max<int64_t>(1, config_.rto.ps / 8)}; }

  void on_tick() {
    tick_pending_ = false;
    size_t kept = 0;
    for (const uint32_t s : timed_) {
      Subflow<CC>& sf = subs_[s];
      // A receiver that has held bytes for a whole tick (the sender stalled on a window that
      // shrank under packets that asked for no ACK) reports them.
      if (sf.unacked_bytes != 0 && sf.held_at_tick) send_ack(pool_.alloc(), s, false);
      sf.held_at_tick = sf.unacked_bytes != 0;
      if (sf.acked == sf.num_pkts || sf.in_flight == 0) {
        sf.timer_armed = false;
        continue;
      }
      if (events_.now() >= sf.last_progress + config_.rto) time_out(s);
      timed_[kept++] = s;
    }
    timed_.resize(kept);
    if (!timed_.empty()) {
      tick_pending_ = true;
      events_.schedule(events_.now() + tick(), kTimer, 0);
    }
  }

  void time_out(uint32_t s) {
    Subflow<CC>& sf = subs_[s];
    ++r_.timeouts;
    for (uint32_t seq = 0; seq < sf.next_new; ++seq) {
      uint8_t& st = state(sf, seq);
      if ((st & kSenderMask) != kInFlight) continue;
      st = static_cast<uint8_t>((st & kReceived) | kLost);
      sf.retx.push_back(seq);
    }
    sf.in_flight = 0;
    sf.cc.on_timeout();
    sf.last_progress = events_.now();
    wake(s);
  }

  void start(uint32_t n) {
    const TimePs now = events_.now();
    NodeRecord& rec = r_.nodes[n];
    rec.start = now;
    const DagNode& node = w_.node(n);
    if (node.kind == NodeKind::Compute) {
      events_.schedule(now + node.duration, kTaskDone, n);
      return;
    }
    rec.subflows = p_.node_begin[n + 1] - p_.node_begin[n];
    subs_left_[n] = rec.subflows;
    if (rec.subflows == 0) finish(n);  // cannot happen for a valid PathSet; never hang
    for (uint32_t s = p_.node_begin[n]; s < p_.node_begin[n + 1]; ++s) {
      Subflow<CC>& sf = subs_[s];
      sf.link = fabric_.first_link(s);
      const TimePs rtt = fabric_.base_rtt(s);
      const double bdp = link_rate_[sf.link] * static_cast<double>(rtt.ps) * 1e-12;
      sf.cc = CC::start({.bdp = bdp,
                         .mss = static_cast<double>(config_.mtu.count),
                         .base_rtt = rtt,
                         .line_rate = link_rate_[sf.link],
                         .now = events_.now(),
                         .config = &config_});
      if (reps_) {
        const auto pkts =
            static_cast<uint64_t>(sf.cc.window() / static_cast<double>(config_.mtu.count));
        sf.reps.assign(std::clamp<uint64_t>(pkts, kRepsMinEntropies, kRepsMaxEntropies), 0);
      }
      wake(s);
    }
  }

  void subflow_done(uint32_t s) {
    const uint32_t n = p_.owner[s];
    if (--subs_left_[n] == 0) finish(n);
  }

  void finish(uint32_t n) {
    r_.nodes[n].finish = events_.now();
    frontier_.finish(n, [this](uint32_t m) { start(m); });
  }

 private:
  const Workload& w_;
  const PathSet& p_;
  PacketConfig config_;
  PacketPool pool_;
  EventQueue events_;
  SubflowEnds ends_;
  Fabric fabric_;
  DagFrontier frontier_;
  std::vector<Subflow<CC>> subs_;
  std::vector<uint8_t> state_;  // per packet: sender state | kReceived
  std::vector<uint32_t> subs_left_;
  std::vector<uint32_t> timed_;  // subflows whose timer is armed
  bool tick_pending_ = false;
  std::vector<uint32_t> ring_head_, ring_tail_;  // per host port: subflows ready to send
  std::vector<uint32_t> host_vertex_;
  std::vector<double> link_rate_;
  uint64_t payload_;
  bool reps_;
  Rng reps_rng_;
  RunResult r_;
};

// Runs the engine instantiated for the congestion control named config.cc; false if none is.
template <class... Cc>
bool run_with(CcList<Cc...>, const topo::Routing& routing, const Workload& w, const PathSet& paths,
              const PacketConfig& config, RunResult& r) {
  const auto one = [&]<class CC>(CC*) {
    if (config.cc != CC::kName) return false;
    PacketRun<CC> run(routing, w, paths, config);
    r = run.run();
    complete_result(routing.topology(), w, paths, r);
    run.fill_links(r);  // the packet model's own link counts, after the path-based ones
    return true;
  };
  return (one(static_cast<Cc*>(nullptr)) || ...);
}

template <class... Cc>
std::vector<std::string> names_of(CcList<Cc...>) {
  return {Cc::kName...};
}

}  // namespace

RunResult run_packet(const topo::Routing& routing, const Workload& w, const PathSet& paths,
                     const PacketConfig& config) {
  if (config.header.count == 0 || config.header.count >= config.mtu.count ||
      config.mtu.count > 65535 || config.rto.ps <= 0) {
    throw InternalError("packet model: invalid PacketConfig (the CLI validates it)");
  }
  if (paths.transport.policy == PathPolicy::Ideal) {
    throw InputError(
        "--transport ideal: fluid multipath has no packet-level form: expected ecmp, split:K, "
        "plan or spray:* with --model packet");
  }
  check_run_fits_clock(routing.topology(), w, paths);
  RunResult r;
  if (!run_with(CongestionControls{}, routing, w, paths, config, r)) {
    throw InternalError(fmt::format("packet model: unknown congestion control '{}'", config.cc));
  }
  return r;
}

std::vector<std::string> cc_names() {
  return names_of(CongestionControls{});
}

}  // namespace moesim::sim
