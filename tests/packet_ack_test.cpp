// The packet model's ACKs: --ack-every 0 (an ACK per packet) reproduces the engine as it was
// before congestion controls became pluggable and ACKs coalesced, to the event; coalescing
// sends the derived number of ACKs and changes no finish time where the window never binds.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "fixtures.hpp"
#include "sim/model.hpp"
#include "tests/cli_util.hpp"
#include "topologies/routing.hpp"

using namespace moesim;

namespace {

// One flow of `bytes` from host 0 to host 2 across the spine of the tiny leaf-spine
// (100 Gb/s, 1 us per link), with 4096 B of payload per packet (MTU 4160 B, header 64 B).
sim::RunResult one_flow(uint64_t bytes, uint64_t ack_every) {
  const topo::Topology topo = topo::build_leaf_spine(test::tiny_leaf_spine());
  const topo::Routing routing(topo);
  Workload w(4);
  w.add_flow(0, 2, Bytes{bytes}, w.add_tag(Tag{"single", "", -1, -1}));
  w.finalize();
  sim::PacketConfig c;
  c.mtu = Bytes{4160};
  c.ack_every = Bytes{ack_every};
  const sim::PathSet paths = sim::assign_paths(routing, w, sim::parse_transport("ecmp"), 1);
  return sim::make_model("packet", c)->run(routing, w, paths);
}

// The value of `column` in the first row of a results.csv.
std::string result(const std::string& csv, const std::string& column) {
  const auto lines = test::split(csv, '\n');
  return test::split(lines.at(1), ',').at(test::column(lines.at(0), column));
}

}  // namespace

TEST_CASE("sim::packet: coalesced ACKs number ceil(bytes / ack-every) when the window never binds",
          "[packet]") {
  // 160,000 B = 39 packets of 4096 B + one of 256 B: 40 data packets. The window starts
  // above the path's BDP (4 hops of 2 us propagation plus serialization: about 10.7 us at
  // 12.5 GB/s = 133 KB) plus 64 KiB, more than the 162,560 wire bytes, so the sender never
  // waits and no packet asks for an ACK before the last. The receiver ACKs after packets 4,
  // 8, ..., 36 (16,384 payload bytes each: 9 ACKs) and at the last packet (12,544 B pending):
  // 10 = ceil(160,000 / 16,384) ACKs, against 40 with one per packet.
  const sim::RunResult coalesced = one_flow(160'000, 16'384);
  const sim::RunResult per_packet = one_flow(160'000, 0);
  CHECK(coalesced.packets == 40 + 10);
  CHECK(per_packet.packets == 40 + 40);
  CHECK(coalesced.retransmits == 0);
  // The flow ends when the receiver holds every byte, which ACK timing cannot change here.
  CHECK(coalesced.nodes[0].finish == per_packet.nodes[0].finish);
  // 1 MiB with 64 KiB per ACK: 256 packets of 4096 B, 16 per ACK, 16 ACKs (the window binds
  // now: a packet that fills it asks for an ACK, so at least 16).
  CHECK(one_flow(1 << 20, 65'536).packets >= 256 + 16);
}

TEST_CASE("sim::packet: --ack-every 0 gives the per-packet-ACK engine's runs to the event",
          "[packet]") {
  // Golden values: a 16-host all-to-all of 256 KiB per pair on 4 leaves x 2 spines (400 Gb/s
  // hosts, 800 Gb/s uplinks: 1:1), 64 KiB buffers, run by the packet engine of commit e7b8997
  // (DCTCP, an ACK per packet, before the CC seam): CCT (us), trims, events, packets. Only
  // transports whose paths have not changed since (plan's and split:K's above the up-down
  // path count have) check the engine.
  struct Golden {
    const char* transport;
    const char* cct_us;
    const char* trims;
    const char* events;
    const char* packets;
  };
  const Golden golden[] = {{"ecmp", "94.024960", "112", "213991", "31904"},
                           {"spray:random", "85.605760", "0", "214605", "31680"},
                           {"spray:rr", "85.424640", "0", "212918", "31680"},
                           {"spray:adaptive", "85.303040", "0", "203557", "31680"},
                           {"split:2", "86.048000", "260", "221217", "32200"}};
  test::TempDir dir;
  for (const Golden& g : golden) {
    INFO(g.transport);
    const std::string out = fmt::format("o{}", &g - golden);
    REQUIRE(test::run_moesim(dir, fmt::format("run --workload all-to-all --leaves 4 --spines 2 "
                                              "--hosts-per-leaf 4 --size 256KiB --buffer 64KiB "
                                              "--model packet --ack-every 0 --transport {} "
                                              "--out {}",
                                              g.transport, out)) == 0);
    const std::string csv = test::slurp(dir.path / out / "results.csv");
    CHECK(result(csv, "cct_us") == g.cct_us);
    CHECK(result(csv, "trims") == g.trims);
    CHECK(result(csv, "events") == g.events);
    CHECK(result(csv, "packets") == g.packets);
  }
}

TEST_CASE("sim::packet: coalescing cuts the events of a sprayed all-to-all and keeps its CCT",
          "[packet]") {
  test::TempDir dir;
  const std::string args =
      "run --workload all-to-all --leaves 4 --spines 2 --hosts-per-leaf 4 --size 256KiB "
      "--buffer 64KiB --model packet --transport spray:random";
  REQUIRE(test::run_moesim(dir, args + " --ack-every 0 --out a") == 0);
  REQUIRE(test::run_moesim(dir, args + " --out b") == 0);  // 16 KiB, the default
  const std::string a = test::slurp(dir.path / "a" / "results.csv");
  const std::string b = test::slurp(dir.path / "b" / "results.csv");
  // 240 flows of 256 KiB = 66 packets each (4032 B payload): 15,840 data packets, and as
  // many ACKs per packet; coalesced, about one ACK per 4 packets (plus requests and holes).
  CHECK(std::stod(result(a, "packets")) == 2 * 15'840);
  CHECK(std::stod(result(b, "packets")) < 15'840 * 1.5);
  CHECK(std::stod(result(b, "events")) < 0.8 * std::stod(result(a, "events")));
  // Spraying on a 1:1 fabric: ACK timing moves the CCT by little (the bound is the NICs).
  CHECK(std::stod(result(b, "cct_us")) == Approx(std::stod(result(a, "cct_us"))).epsilon(0.05));
}
