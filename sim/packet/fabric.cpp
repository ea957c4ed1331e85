#include "sim/packet/fabric.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "sim/core/error.hpp"

namespace moesim::sim {

Fabric::Fabric(const topo::Routing& routing, const PathSet& paths, const SubflowEnds& ends,
               const PacketConfig& config, PacketPool& pool, EventQueue& events)
    : routing_(routing),
      topo_(routing.topology()),
      paths_(paths),
      ends_(ends),
      config_(config),
      pool_(pool),
      events_(events),
      spray_(paths.transport.policy == PathPolicy::Spray),
      ports_(topo_.num_links()),
      is_host_(topo_.num_vertices(), 0),
      rr_(topo_.num_vertices(), 0),
      rr_phase_(topo_.num_vertices(), 0),
      sub_trims_(paths.num_subflows(), 0),
      rng_(make_stream(config.seed, "spray")),
      red_rng_(make_stream(config.seed, "red")) {
  for (uint32_t h = 0; h < topo_.num_hosts(); ++h)
    is_host_[topo_.host_vertex(h)] = 1;
  Rng salts = make_stream(config.seed, "ack-ecmp");
  salt_.resize(topo_.num_vertices());
  for (auto& s : salt_)
    s = salts.next_u64();
  for (uint32_t l = 0; l < topo_.num_links(); ++l) {
    const topo::DirLink& link = topo_.link(l);
    Port& port = ports_[l];
    port.to = link.to;
    port.latency = link.latency;
    port.rate = link.rate;
    if (8'000'000'000'000ULL % link.rate.bps == 0) {
      port.ps_per_byte = static_cast<int64_t>(8'000'000'000'000ULL / link.rate.bps);
    }
    port.buffer = link.buffer.count;
    port.host_port = is_host_[link.from] != 0;
  }
  if (config_.lossless) set_pfc_thresholds();
}

void Fabric::set_pfc_thresholds() {
  const uint64_t mtu = config_.mtu.count;
  for (uint32_t l = 0; l < ports_.size(); ++l) {
    Port& port = ports_[l];
    if (is_host_[port.to]) continue;  // hosts take what arrives: no ingress to protect
    // 2 x latency x rate, in bytes (rounded up), + 3 MTU; then 2 MTU between XON and XOFF.
    const double wire =
        2.0 * static_cast<double>(port.latency.ps) * 1e-12 * port.rate.bytes_per_sec();
    const uint64_t headroom = static_cast<uint64_t>(wire) + 1 + 3 * mtu;
    const uint64_t least = headroom + 3 * mtu;  // XON at least one MTU
    if (port.buffer < least) {
      throw InputError(fmt::format(
          "--fabric lossless: link {} ({}, {}) has a {} B buffer, but PFC needs {} B of "
          "headroom (2 x latency x rate + 3 MTU) and 2 MTU between XON and XOFF above one "
          "MTU: expected --buffer of at least {}B",
          topo_.link_name(l), to_string(port.rate), to_string(port.latency), port.buffer, headroom,
          least));
    }
    port.xoff = port.buffer - headroom;
    port.xon = port.xoff - 2 * mtu;
  }
}

// Counts data packet `id`, just arrived over `link` at a switch, against that ingress.
void Fabric::hold(uint32_t id, uint32_t link) {
  Packet& p = pool_[id];
  p.ingress = link;
  Port& in = ports_[link];
  in.held += p.size;
  if (!in.pause_sent && in.held >= in.xoff) {
    in.pause_sent = true;
    send_pfc(link, PacketKind::Pause);
  }
}

// Data packet `p` leaves its switch: its ingress holds less.
void Fabric::release_hold(const Packet& p) {
  Port& in = ports_[p.ingress];
  in.held -= p.size;
  if (in.pause_sent && in.held <= in.xon) {
    in.pause_sent = false;
    send_pfc(p.ingress, PacketKind::Resume);
  }
}

// A PAUSE or RESUME for `link`, from its far end back up the reverse link (ids 2e, 2e + 1).
void Fabric::send_pfc(uint32_t link, PacketKind kind) {
  ++pfc_frames_;
  const uint32_t id = pool_.alloc();
  Packet& f = pool_[id];
  f.kind = kind;
  f.seq = link;
  f.size = static_cast<uint16_t>(config_.header.count);
  const uint32_t back = link ^ 1u;
  ports_[back].control.push(pool_, id);
  wake_port(back);  // a switch port: never asks a host for data
}

bool Fabric::mark(const Port& port) {
  const uint64_t q = port.data.bytes;
  if (config_.red_max.count == 0) return q >= config_.ecn_threshold.count;
  if (q < config_.red_min.count) return false;
  if (q >= config_.red_max.count) return true;
  const double p = config_.red_pmax * static_cast<double>(q - config_.red_min.count) /
                   static_cast<double>(config_.red_max.count - config_.red_min.count);
  return red_rng_.uniform01() < p;
}

TimePs Fabric::serialization(const Port& port, uint32_t bytes) const {
  if (port.ps_per_byte != 0) return TimePs{port.ps_per_byte * bytes};
  return serialization_time(Bytes{bytes}, port.rate);
}

uint32_t Fabric::spray_link(std::span<const uint32_t> hops, uint32_t v, const Packet& p) {
  const auto n = static_cast<uint32_t>(hops.size());
  switch (paths_.transport.spray) {
    case SprayMode::Reps:
      // The entropy picks the path, hop by hop, as ECMP hashes a flow's header.
      return hops[mix64(p.entropy ^ salt_[v]) % n];
    case SprayMode::Random:
      return hops[rng_.below(n)];
    case SprayMode::RoundRobin: {
      // Every egress once per round, the round starting at a random egress (as htsim's RR
      // re-permutes): a fixed order would lock onto the interleaving of arriving flows.
      const uint32_t pos = rr_[v]++ % n;
      if (pos == 0) rr_phase_[v] = static_cast<uint32_t>(rng_.below(n));
      return hops[(pos + rr_phase_[v]) % n];
    }
    case SprayMode::Adaptive: {
      // Least-queued egress; the scan starts at a rotating position so ties spread out.
      const uint32_t start = rr_[v]++;
      uint32_t best = hops[start % n];
      uint64_t best_q = UINT64_MAX;
      for (uint32_t i = 0; i < n; ++i) {
        const uint32_t l = hops[(start + i) % n];
        const Port& p = ports_[l];
        const uint64_t q = p.data.bytes + p.control.bytes + (p.busy_until > events_.now() ? 1 : 0);
        if (q < best_q) {
          best_q = q;
          best = l;
        }
      }
      return best;
    }
  }
  return hops[0];
}

uint32_t Fabric::choose_link(const Packet& p, uint32_t v) {
  if (p.kind == PacketKind::Data) {
    if (!spray_) return paths_.links[paths_.link_begin[p.sub] + p.hop];
    auto hops = routing_.next_hops(v, ends_.dst[p.sub]);
    return hops.size() == 1 ? hops[0] : spray_link(hops, v, p);
  }
  // ACKs and NACKs: sprayed like their data under spray:*, otherwise per-flow ECMP on the
  // way back (hash of the subflow with a per-switch salt).
  auto hops = routing_.next_hops(v, ends_.src[p.sub]);
  if (hops.empty()) throw InternalError("packet model: no route back to the sender");
  if (hops.size() == 1) return hops[0];
  return spray_ ? spray_link(hops, v, p) : hops[mix64(p.sub ^ salt_[v]) % hops.size()];
}

uint32_t Fabric::first_link(uint32_t sub) const {
  const uint32_t src_v = topo_.host_vertex(ends_.src[sub]);
  if (!spray_) return paths_.links[paths_.link_begin[sub]];
  auto hops = routing_.next_hops(src_v, ends_.dst[sub]);
  return hops.size() == 1 ? hops[0] : hops[mix64(sub ^ salt_[src_v]) % hops.size()];
}

TimePs Fabric::base_rtt(uint32_t sub) const {
  TimePs rtt{0};
  const uint32_t dst_v = topo_.host_vertex(ends_.dst[sub]);
  uint32_t v = topo_.host_vertex(ends_.src[sub]);
  for (uint32_t hop = 0; v != dst_v; ++hop) {
    const uint32_t l = spray_ ? routing_.next_hops(v, ends_.dst[sub])[0]
                              : paths_.links[paths_.link_begin[sub] + hop];
    const Port& p = ports_[l];
    // Out: the data packet; back: the ACK, which may wait for one data packet in service.
    const TimePs full = serialization(p, static_cast<uint32_t>(config_.mtu.count));
    rtt += p.latency + p.latency + full + full +
           serialization(p, static_cast<uint32_t>(config_.header.count));
    v = p.to;
  }
  return rtt;
}

void Fabric::forward(uint32_t id, uint32_t v) {
  if (is_host_[v]) ++packets_;
  enqueue(id, choose_link(pool_[id], v));
}

void Fabric::enqueue(uint32_t id, uint32_t link) {
  Port& port = ports_[link];
  Packet& p = pool_[id];
  if (!p.is_control()) {
    if (!config_.lossless && port.data.bytes + p.size > port.buffer) {
      if (config_.recovery == LossRecovery::Drop) {
        ++drops_;
        pool_.release(id);
        return;
      }
      ++trims_;
      ++sub_trims_[p.sub];
      p.size = static_cast<uint16_t>(config_.header.count);
      p.flags |= kTrimmed;
    } else {
      if (mark(port)) p.flags |= kCe;
      port.data.push(pool_, id);
      wake_port(link);
      port.max_queue = std::max(port.max_queue, port.data.bytes);
      return;
    }
  }
  if (port.control.bytes + p.size > port.buffer) {
    ++drops_;
    pool_.release(id);
    return;
  }
  port.control.push(pool_, id);
  wake_port(link);
}

bool Fabric::wake_port(uint32_t link) {
  Port& port = ports_[link];
  if (port.free_pending) return false;  // the port will look at its queues when it falls idle
  if (port.busy_until <= events_.now()) return start_next(link);
  port.free_pending = true;
  events_.schedule(port.busy_until, kLinkFree, link);
  return false;
}

bool Fabric::start_next(uint32_t link) {
  Port& port = ports_[link];
  if (!port.control.empty()) {
    send(link, port.control.pop(pool_));
  } else if (port.paused) {
    return false;  // PFC: no data until the far end resumes this port
  } else if (!port.data.empty()) {
    const uint32_t id = port.data.pop(pool_);
    if (config_.lossless && !port.host_port) release_hold(pool_[id]);
    send(link, id);
  } else {
    return port.host_port;  // the host may have data for it
  }
  return false;
}

void Fabric::transmit(uint32_t link, uint32_t id) {
  if (id == kNoPacket) return;
  ++packets_;
  send(link, id);
}

void Fabric::send(uint32_t link, uint32_t id) {
  Port& port = ports_[link];
  Packet& p = pool_[id];
  port.wire_bytes += p.size;
  if (p.kind == PacketKind::Data && (p.flags & kTrimmed) == 0) {
    port.payload_bytes += p.size - config_.header.count;
  }
  // The packet is on the wire: it lands at the far end after serialization and propagation.
  port.busy_until = events_.now() + serialization(port, p.size);
  p.arrive = port.busy_until + port.latency;
  const bool was_empty = port.pipe.empty();
  port.pipe.push(pool_, id);
  if (was_empty) events_.schedule(p.arrive, kArrive, link);
  // Only a port with more to send needs to wake when this packet is out; an idle switch port
  // costs no event per packet. Host ports may have more to pull.
  if (!port.control.empty() || (!port.paused && (!port.data.empty() || port.host_port))) {
    port.free_pending = true;
    events_.schedule(port.busy_until, kLinkFree, link);
  }
}

bool Fabric::on_link_free(uint32_t link) {
  ports_[link].free_pending = false;
  return start_next(link);
}

uint32_t Fabric::on_arrive(uint32_t link, uint32_t& pull) {
  Port& port = ports_[link];
  const uint32_t id = port.pipe.pop(pool_);
  if (!port.pipe.empty()) events_.schedule(pool_[port.pipe.head].arrive, kArrive, link);
  Packet& p = pool_[id];
  if (p.kind == PacketKind::Pause || p.kind == PacketKind::Resume) {
    Port& target = ports_[p.seq];
    const bool pause = p.kind == PacketKind::Pause;
    pool_.release(id);
    if (pause) {
      target.paused = true;
      target.paused_since = events_.now();
    } else {
      target.paused = false;
      target.paused_total += events_.now() - target.paused_since;
      if (wake_port(p.seq)) pull = p.seq;
    }
    return kNoPacket;
  }
  ++p.hop;
  if (is_host_[port.to]) return id;
  const uint32_t out = choose_link(p, port.to);
  if (config_.lossless && !p.is_control()) hold(id, link);
  enqueue(id, out);
  return kNoPacket;
}

void Fabric::sample(std::vector<LinkSample>& out) {
  for (uint32_t l = 0; l < ports_.size(); ++l) {
    Port& p = ports_[l];
    const uint64_t sent = p.wire_bytes - p.sampled_wire;
    const uint64_t queue = p.data.bytes + p.control.bytes;
    if (sent == 0 && queue == 0 && !p.paused) continue;
    out.push_back(
        {.link = l, .t = events_.now(), .bytes = sent, .queue = queue, .paused = p.paused});
    p.sampled_wire = p.wire_bytes;
  }
}

void Fabric::fill(RunResult& r) const {
  r.links.resize(ports_.size());
  r.link_bound_s = 0;
  for (size_t l = 0; l < ports_.size(); ++l) {
    LinkRecord& rec = r.links[l];
    rec.bytes = static_cast<double>(ports_[l].payload_bytes);
    rec.wire_bytes = ports_[l].wire_bytes;
    rec.max_queue = ports_[l].max_queue;
    r.link_bound_s = std::max(r.link_bound_s, rec.bytes / ports_[l].rate.bytes_per_sec());
  }
  r.packets = packets_;
  r.trims = trims_;
  r.drops = drops_;
  r.pfc_frames = pfc_frames_;
  r.pause_s = 0;
  for (const Port& port : ports_) {
    TimePs paused = port.paused_total;
    if (port.paused) paused += events_.now() - port.paused_since;
    r.pause_s += paused.seconds();
  }
}

}  // namespace moesim::sim
