// Parameters of the packet-level model and its default transport, with where each default
// comes from. Per-port buffers are a property of the topology's links (--buffer).
// Valid when 0 < header < mtu <= 65535 B and rto > 0 (the CLI checks, naming the option).
#pragma once

#include <cstdint>
#include <string>

#include "sim/core/units.hpp"

namespace moesim::sim {

enum class LossRecovery : uint8_t {
  Trim,  // an overflowing queue forwards the header only; the receiver NACKs (NDP, UEC)
  Drop,  // an overflowing queue drops; the sender retransmits after a timeout
};

struct PacketConfig {
  // Wire size of a full data packet, headers included: 4 KiB, the RoCE MTU that htsim's
  // spraying experiments and UEC use.
  Bytes mtu = 4_KiB;
  // Header bytes per packet; also the size of ACKs, NACKs and trimmed packets. RoCEv2 framing
  // is Ethernet 14 + IPv4 20 + UDP 8 + BTH 12 + ICRC 4 + FCS 4 = 62 B, rounded to 64.
  Bytes header = 64_B;
  // DCTCP marking threshold K on the instantaneous data queue of a switch port. DCTCP's rule
  // K > C x RTT / 7 gives about 57 KB at 400 Gb/s with an 8 us base RTT (2 tiers, 1 us links).
  Bytes ecn_threshold = 64_KiB;
  LossRecovery recovery = LossRecovery::Trim;
  // Lossless (RoCEv2 over PFC): switches pause the upstream port of an ingress whose buffered
  // data reaches XOFF and resume it at XON, so no data packet is trimmed or dropped (fabric.hpp
  // derives the thresholds). Needs LossRecovery::Trim (nothing is lost to recover).
  bool lossless = false;
  // ECN marking of a data packet on a switch port: a step at ecn_threshold (DCTCP's K), or,
  // with red_max > 0, RED between red_min and red_max with probability up to red_pmax (what
  // DCQCN runs; the CLI's defaults, 5 KB, 100 KB and 10%, are those of the HPCC artifact's
  // ns-3 DCQCN configuration).
  Bytes red_min = Bytes{5000};
  Bytes red_max = 0_B;
  double red_pmax = 0.01;
  // Retransmission timeout. Above the worst queueing RTT the default 1 MiB buffers allow
  // (4 hops x 1 MiB at 100 Gb/s = 0.34 ms); with trimming it only backs up lost control packets.
  TimePs rto = TimePs{1'000'000'000};  // 1 ms
  // DCTCP's EWMA gain g = 1/16 (Alizadeh et al., SIGCOMM 2010); see dctcp.hpp for alpha's
  // starting value.
  double dctcp_g = 1.0 / 16.0;
  // The congestion control (cc.hpp), by name.
  std::string cc = "dctcp";
  // ACK coalescing: a receiver acknowledges every ack_every payload bytes (and at once on the
  // events packet_model.cpp lists); 0 = an ACK per packet. 16 KiB as htsim's UEC and EQDS
  // sinks (_bytes_unacked_threshold = 16384).
  Bytes ack_every = 16_KiB;
  // --detail timeseries: sample every port this often (0: never).
  TimePs sample_every{0};
  // Root seed for spray:random's per-packet choices (stream "spray").
  uint64_t seed = 1;
};

}  // namespace moesim::sim
