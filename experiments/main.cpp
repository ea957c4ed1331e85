// The `moesim` command: dispatches subcommands from the command table; bad input ends with one
// line on stderr and exit code 2, any other failure with exit code 1.
#include <iostream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "experiments/commands.hpp"
#include "sim/core/error.hpp"
#include "sim/simgrid/simgrid_model.hpp"

namespace {

void print_usage() {
  fmt::print("Usage: moesim <command> [options]\nCommands:\n");
  for (const moesim::cli::CommandEntry& c : moesim::cli::command_table()) {
    fmt::print("  {:<10} {}\n", c.name, c.summary);
  }
  fmt::print(
      "Run `moesim <command> --help` for the options of a command.\n"
      "With no command at all, `moesim` runs `moesim run` with its defaults.\n");
}

std::string command_names() {
  std::string names;
  for (const moesim::cli::CommandEntry& c : moesim::cli::command_table()) {
    names += names.empty() ? c.name : std::string(", ") + c.name;
  }
  return names;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    // The models this program links: the built-in ones and SimGrid (`--model simgrid`).
    const moesim::cli::Context ctx{moesim::sim::simgrid::all_models()};
    if (args.empty()) return moesim::cli::run_command(ctx, {});
    const std::string cmd = args.front();
    args.erase(args.begin());
    if (const moesim::cli::CommandEntry* c = moesim::cli::find_command(cmd)) {
      return c->run(ctx, args);
    }
    if (cmd == "--help" || cmd == "-h" || cmd == "help") {
      print_usage();
      return 0;
    }
    if (cmd == "--version") {
      fmt::print("moesim {}\n", MOESIM_VERSION);
      return 0;
    }
    throw moesim::InputError(fmt::format(
        "unknown command '{}': expected one of {} (see moesim --help)", cmd, command_names()));
  } catch (const moesim::InputError& e) {
    std::cerr << "moesim: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "moesim: internal error: " << e.what() << "\n";
    return 1;
  }
}
