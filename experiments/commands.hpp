// The `moesim` subcommands. Each is a thin driver: parse -> validate -> build -> run -> write.
// They throw InputError for bad input (main turns it into one line on stderr and exit 2).
#pragma once

#include <string>
#include <vector>

namespace moesim::cli {

// `moesim run`: the scenario on every (transport, model) pair given; prints a table, writes
// results.csv + run.json (+ detail CSVs) into the output directory. Returns the exit code.
int run_command(const std::vector<std::string>& args);
// `moesim replay TRACE ...`: `moesim run --workload moe --trace TRACE --detail layers ...`.
int replay_command(const std::vector<std::string>& args);
// `moesim trace gen|stats|convert`.
int trace_command(const std::vector<std::string>& args);
// `moesim topo`: builds the topology, prints a summary, writes GraphML and DOT.
int topo_command(const std::vector<std::string>& args);
// `moesim rsn`: the random-spatial-network experiment (rsn.csv).
int rsn_command(const std::vector<std::string>& args);
// `moesim placement`: placements x balancing x transports on a skewed and a real trace.
int placement_command(const std::vector<std::string>& args);
// `moesim place` / `moesim balance`: expert placement and LLEP from CSV to CSV.
int place_command(const std::vector<std::string>& args);
int balance_command(const std::vector<std::string>& args);
// `moesim sweep`: a grid of `moesim run` points in child processes, --jobs at a time, into
// one resumable results.csv; also --shard I/N and --merge of shard results.
int sweep_command(const std::vector<std::string>& args);
// `moesim plot`: PNG and SVG figures from a CSV, drawn by analysis/plot.py.
int plot_command(const std::vector<std::string>& args);
// `moesim validate`: the fluid model against the simgrid model on a fixed suite; prints the
// table and writes validate.csv.
int validate_command(const std::vector<std::string>& args);

}  // namespace moesim::cli
