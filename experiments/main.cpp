// The `moesim` command: dispatches subcommands; bad input ends with one line on stderr and
// exit code 2, any other failure with exit code 1.
#include <iostream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "experiments/commands.hpp"
#include "sim/core/error.hpp"
#include "sim/simgrid/simgrid_model.hpp"

namespace {

constexpr const char* kUsage =
    "Usage: moesim <command> [options]\n"
    "Commands:\n"
    "  run    simulate a collective under one or more transports and network models\n"
    "  topo   build a topology, print its metrics, write CSV, GraphML and DOT\n"
    "  rsn    the random-spatial-network experiment: kernels x long-range share\n"
    "  placement  the expert-placement experiment (placements x balancing x transports)\n"
    "  trace  gen | stats | convert router traces\n"
    "  replay replay a real router trace through placement, balancing and the network\n"
    "  place  place experts into slots and GPUs from their loads (CSV to CSV)\n"
    "  balance LLEP least-loaded assignment of one layer's tokens (CSV to CSV)\n"
    "  sweep  run a grid of `moesim run` points in parallel into one resumable results.csv\n"
    "  plot   draw a results, flows, links or traffic-matrix CSV as PNG and SVG\n"
    "  validate  cross-check the fluid model against SimGrid (simgrid model) on a fixed suite\n"
    "Run `moesim <command> --help` for the options of a command.\n"
    "With no command at all, `moesim` runs `moesim run` with its defaults.\n";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  // `--model simgrid`: the SimGrid engine lives above moesim_sim and plugs into make_model here.
  moesim::sim::simgrid::register_simgrid_model();
  try {
    if (args.empty()) return moesim::cli::run_command({});
    const std::string cmd = args.front();
    args.erase(args.begin());
    if (cmd == "run") return moesim::cli::run_command(args);
    if (cmd == "topo") return moesim::cli::topo_command(args);
    if (cmd == "rsn") return moesim::cli::rsn_command(args);
    if (cmd == "replay") return moesim::cli::replay_command(args);
    if (cmd == "placement") return moesim::cli::placement_command(args);
    if (cmd == "trace") return moesim::cli::trace_command(args);
    if (cmd == "place") return moesim::cli::place_command(args);
    if (cmd == "balance") return moesim::cli::balance_command(args);
    if (cmd == "sweep") return moesim::cli::sweep_command(args);
    if (cmd == "plot") return moesim::cli::plot_command(args);
    if (cmd == "validate") return moesim::cli::validate_command(args);
    if (cmd == "--help" || cmd == "-h" || cmd == "help") {
      std::cout << kUsage;
      return 0;
    }
    if (cmd == "--version") {
      fmt::print("moesim {}\n", MOESIM_VERSION);
      return 0;
    }
    throw moesim::InputError(fmt::format(
        "unknown command '{}': expected run, replay, trace, topo, rsn, placement, place, balance, "
        "sweep, plot or validate "
        "(see moesim --help)",
        cmd));
  } catch (const moesim::InputError& e) {
    std::cerr << "moesim: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "moesim: internal error: " << e.what() << "\n";
    return 1;
  }
}
