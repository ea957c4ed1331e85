// The `moesim` subcommands. Each is a thin driver: parse -> validate -> build -> run -> write.
// They throw InputError for bad input (main turns it into one line on stderr and exit 2).
// The command table (commands.cpp) lists them with a one-line summary: `moesim --help` and the
// unknown-command error are made from it. Adding a subcommand: its file and one table row.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "sim/model.hpp"

namespace moesim::cli {

// What main builds once and hands to every command: the network models this program links
// (the built-in ones and SimGrid), instead of any process-wide registration.
struct Context {
  sim::ModelRegistry models;
};

using Args = std::vector<std::string>;

struct CommandEntry {
  const char* name;
  const char* summary;
  int (*run)(const Context& ctx, const Args& args);
};

std::span<const CommandEntry> command_table();
const CommandEntry* find_command(const std::string& name);

// `moesim run`: the scenario on every (transport, model) pair given; prints a table, writes
// results.csv + run.json (+ detail CSVs) into the output directory. Returns the exit code.
int run_command(const Context& ctx, const Args& args);
// `moesim replay TRACE ...`: `moesim run --workload moe --trace TRACE --detail layers ...`.
int replay_command(const Context& ctx, const Args& args);
// `moesim trace gen|stats|convert`.
int trace_command(const Context& ctx, const Args& args);
// `moesim chakra export PREFIX ...`: the workload of the run options as Chakra ET rank files.
int chakra_command(const Context& ctx, const Args& args);
// `moesim topo`: builds the topology, prints a summary, writes GraphML and DOT.
int topo_command(const Context& ctx, const Args& args);
// `moesim rsn`: the random-spatial-network experiment (rsn.csv).
int rsn_command(const Context& ctx, const Args& args);
int spraying_command(const Context& ctx, const Args& args);
// `moesim placement`: placements x balancing x transports on a skewed and a real trace.
int placement_command(const Context& ctx, const Args& args);
int training_command(const Context& ctx, const Args& args);
// `moesim place` / `moesim balance`: expert placement and LLEP from CSV to CSV.
int place_command(const Context& ctx, const Args& args);
int balance_command(const Context& ctx, const Args& args);
// `moesim sweep`: a grid of `moesim run` points in child processes, --jobs at a time, into
// one resumable results.csv; also --shard I/N and --merge of shard results.
int sweep_command(const Context& ctx, const Args& args);
// `moesim plot`: PNG and SVG figures from a CSV, drawn by analysis/plot.py.
int plot_command(const Context& ctx, const Args& args);
// `moesim report DIR`: DIR/report.html with tables and inline SVG figures, by analysis/report.py.
int report_command(const Context& ctx, const Args& args);
// `moesim validate`: the fluid model against the simgrid model on a fixed suite; prints the
// table and writes validate.csv.
int validate_command(const Context& ctx, const Args& args);
// `moesim reproduce`: the claim groups of experiments/reproduce/ -> reproduce.csv and figures.
int reproduce_command(const Context& ctx, const Args& args);

}  // namespace moesim::cli
