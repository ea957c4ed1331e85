// The SimGrid Engine configuration (engine.hpp).
#include "sim/simgrid/engine.hpp"

#include <simgrid/s4u/Engine.hpp>

#include <string>
#include <vector>

#include "sim/core/error.hpp"

namespace moesim::sim::simgrid {

const char* model_name(SimgridMode mode) {
  switch (mode) {
    case SimgridMode::MaxMin:
      return "simgrid";
    case SimgridMode::LatencyFirst:
      return "simgrid:latency-first";
    case SimgridMode::LV08:
      return "simgrid:LV08";
  }
  return "simgrid";
}

std::unique_ptr<::simgrid::s4u::Engine> make_engine(SimgridMode mode) {
  if (::simgrid::s4u::Engine::has_instance()) {
    throw InternalError("simgrid: this process already created a SimGrid Engine (one per process)");
  }
  // The log flag goes first so that the "Configuration change" notes of the flags after it are
  // silenced too. Actor stacks of 128 KiB: the actors run short loops, never deep recursion.
  std::vector<std::string> args = {"moesim", "--log=root.thres:critical",
                                   "--cfg=network/crosstraffic:0", "--cfg=network/optim:Full",
                                   "--cfg=contexts/stack-size:128"};
  if (mode == SimgridMode::LV08) {
    args.push_back("--cfg=network/model:LV08");
  } else {
    args.push_back("--cfg=network/model:CM02");
    args.push_back("--cfg=network/TCP-gamma:0");  // no window cap on long routes (P12)
  }
  // The Engine takes a mutable argc/argv and removes the flags it consumes.
  std::vector<char*> argv;
  for (std::string& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  int argc = static_cast<int>(args.size());
  return std::make_unique<::simgrid::s4u::Engine>(&argc, argv.data());
}

}  // namespace moesim::sim::simgrid
