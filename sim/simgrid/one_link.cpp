// One transfer over one link on SimGrid 3.32 (see one_link.hpp for the contract).
#include "sim/simgrid/one_link.hpp"

#include <simgrid/s4u.hpp>

#include <array>
#include <string>

#include "sim/core/error.hpp"

namespace moesim::sim::simgrid {
namespace {

namespace sg4 = ::simgrid::s4u;

// Configuration that makes SimGrid a plain max-min flow model (toolchain.md §4.3):
// CM02 has no TCP correction factors (P11), crosstraffic:0 stops the 5% reverse ACK load (P1),
// optim:Full avoids Lazy's too-early finish times (P2). The log flag goes first so that the
// "Configuration change" messages of the flags after it are silenced too.
constexpr std::array kEngineArgs = {"moesim", "--log=root.thres:critical",
                                    "--cfg=network/model:CM02", "--cfg=network/crosstraffic:0",
                                    "--cfg=network/optim:Full"};

}  // namespace

double simgrid_transfer_time(Bytes size, BitsPerSec rate, TimePs latency) {
  if (rate.bps == 0) throw InputError("simgrid: link rate: value '0': expected a rate > 0 bit/s");
  if (latency.ps < 0) {
    throw InputError("simgrid: link latency: value '" + std::to_string(latency.ps) +
                     " ps': expected a latency >= 0");
  }

  // The Engine takes a mutable argc/argv and removes the flags it consumes; give it private
  // copies so the caller's command line is never touched.
  std::array<std::string, kEngineArgs.size()> storage;
  std::array<char*, kEngineArgs.size() + 1> argv{};
  for (size_t i = 0; i < kEngineArgs.size(); ++i) {
    storage[i] = kEngineArgs[i];
    argv[i] = storage[i].data();
  }
  int argc = static_cast<int>(kEngineArgs.size());
  sg4::Engine engine(&argc, argv.data());

  auto* zone = sg4::create_full_zone("one_link");
  sg4::Host* src = zone->create_host("src", 1e9);  // flop/s; no computation happens
  sg4::Host* dst = zone->create_host("dst", 1e9);
  // Split-duplex: each direction is its own resource, so nothing else can share this one.
  sg4::Link* link = zone->create_split_duplex_link("link", rate.bytes_per_sec())
                        ->set_latency(static_cast<double>(latency.ps) / 1e12);
  using Lir = sg4::LinkInRoute;
  zone->add_route(src->get_netpoint(), dst->get_netpoint(), nullptr, nullptr,
                  {Lir(link, Lir::Direction::UP)}, /*symmetrical=*/true);
  zone->seal();

  // Started from maestro (no actors). Keep the handle alive until the run ends (P4).
  sg4::CommPtr comm = sg4::Comm::sendto_init(src, dst)->set_payload_size(size.count);
  comm->start();
  engine.run();
  if (comm->get_state() != sg4::Activity::State::FINISHED) {
    throw InternalError("simgrid: the lone transfer did not finish");
  }
  return comm->get_finish_time();
}

}  // namespace moesim::sim::simgrid
