#include "experiments/commands.hpp"

namespace moesim::cli {

std::span<const CommandEntry> command_table() {
  static const CommandEntry table[] = {
      {"run", "simulate a collective under one or more transports and network models",
       &run_command},
      {"topo", "build a topology, print its metrics, write CSV, GraphML and DOT", &topo_command},
      {"rsn", "the random-spatial-network experiment: kernels x long-range share", &rsn_command},
      {"spraying",
       "single path vs packet spraying on the packet model: workloads x oversubscription x "
       "failures x CCs",
       &spraying_command},
      {"placement", "the expert-placement experiment (placements x balancing x transports)",
       &placement_command},
      {"training", "the MoE training-step experiment (transports x placement x overlap)",
       &training_command},
      {"trace", "gen | stats | convert router traces", &trace_command},
      {"chakra", "export any workload as Chakra execution traces (ASTRA-sim's format)",
       &chakra_command},
      {"replay", "replay a real router trace through placement, balancing and the network",
       &replay_command},
      {"place", "place experts into slots and GPUs from their loads (CSV to CSV)", &place_command},
      {"balance", "LLEP least-loaded assignment of one layer's tokens (CSV to CSV)",
       &balance_command},
      {"sweep", "run a grid of `moesim run` points in parallel into one resumable results.csv",
       &sweep_command},
      {"plot", "draw a results, flows, links or traffic-matrix CSV as PNG and SVG", &plot_command},
      {"report", "one self-contained report.html (tables, SVG figures) of a run or sweep",
       &report_command},
      {"validate", "cross-check the fluid model against SimGrid (simgrid model) on a fixed suite",
       &validate_command},
      {"reproduce", "published numbers side by side with moesim's: reproduce.csv and figures",
       &reproduce_command},
  };
  return table;
}

const CommandEntry* find_command(const std::string& name) {
  for (const CommandEntry& c : command_table()) {
    if (name == c.name) return &c;
  }
  return nullptr;
}

}  // namespace moesim::cli
