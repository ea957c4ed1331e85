// The `moesim` command: dispatches subcommands; bad input ends with one line on stderr and
// exit code 2, any other failure with exit code 1.
#include <iostream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "experiments/commands.hpp"
#include "sim/core/error.hpp"

namespace {

constexpr const char* kUsage =
    "Usage: moesim <command> [options]\n"
    "Commands:\n"
    "  run    simulate a collective under one or more transports and network models\n"
    "  topo   build a topology, print its metrics, write CSV, GraphML and DOT\n"
    "  rsn    the random-spatial-network experiment: kernels x long-range share\n"
    "Run `moesim <command> --help` for the options of a command.\n"
    "With no command at all, `moesim` runs `moesim run` with its defaults.\n";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.empty()) return moesim::cli::run_command({});
    const std::string cmd = args.front();
    args.erase(args.begin());
    if (cmd == "run") return moesim::cli::run_command(args);
    if (cmd == "topo") return moesim::cli::topo_command(args);
    if (cmd == "rsn") return moesim::cli::rsn_command(args);
    if (cmd == "--help" || cmd == "-h" || cmd == "help") {
      std::cout << kUsage;
      return 0;
    }
    if (cmd == "--version") {
      fmt::print("moesim {}\n", MOESIM_VERSION);
      return 0;
    }
    throw moesim::InputError(
        fmt::format("unknown command '{}': expected run, topo or rsn (see moesim --help)", cmd));
  } catch (const moesim::InputError& e) {
    std::cerr << "moesim: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "moesim: internal error: " << e.what() << "\n";
    return 1;
  }
}
