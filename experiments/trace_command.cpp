// `moesim trace gen|stats|convert`: router traces on their own.
//   gen      the synthetic router (the --workload moe options) -> a trace file
//   stats    per-layer max/mean, a Zipf fit, temporal locality, gate-weight shares of a trace
//   convert  one trace format into another (by extension: .csv, .jsonl, .mtrace)
#include <filesystem>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "experiments/commands.hpp"
#include "experiments/moe_options.hpp"
#include "sim/core/error.hpp"
#include "workloads/trace_gen.hpp"
#include "workloads/trace_io.hpp"
#include "workloads/trace_stats.hpp"

namespace moesim::cli {
namespace {

constexpr const char* kUsage =
    "Usage: moesim trace gen [--moe-model M --tokens-per-gpu T --gpus P --iterations I ...] "
    "--out FILE\n"
    "       moesim trace stats TRACE [--moe-model M | --experts E]\n"
    "       moesim trace convert TRACE --out FILE [--moe-model M | --experts E]\n"
    "Formats by extension: .jsonl (as data/traces), .csv (iteration,layer,token,rank,expert,"
    "weight), .mtrace (compact binary).\n\n{}";

// The positional TRACE argument, then the options.
std::string take_path(std::vector<std::string>& args, const char* what) {
  if (args.empty() || args.front().starts_with("-")) {
    throw InputError(fmt::format("trace {}: missing TRACE: expected a trace file", what));
  }
  std::string path = args.front();
  args.erase(args.begin());
  if (!std::filesystem::exists(path)) {
    throw InputError(
        fmt::format("trace {}: '{}' does not exist: expected a trace file", what, path));
  }
  return path;
}

void refuse_existing(const std::string& out, const Settings& s) {
  if (out.empty())
    throw InputError(fmt::format("{}: missing: expected a file to write", s.where("out")));
  if (std::filesystem::exists(out)) {
    throw InputError(
        fmt::format("{}: '{}' exists: expected a new file (results are never "
                    "overwritten)",
                    s.where("out"), out));
  }
}

}  // namespace

int trace_command(const Context&, const Args& all) {
  std::vector<std::string> args = all;
  if (args.empty() || args.front() == "--help" || args.front() == "-h") {
    fmt::print(kUsage, fmt::streamed(describe({"workload", "policy", "output"})));
    return args.empty() ? 2 : 0;
  }
  const std::string sub = args.front();
  args.erase(args.begin());
  std::string input;
  if (sub == "stats" || sub == "convert") input = take_path(args, sub.c_str());
  const Settings s = parse_settings(args, {"topology", "workload", "policy", "output"});
  const workload::MoeSpec spec = parse_moe(s, s.count("seed"));
  const workload::TraceReadOptions read{spec.shape.experts, 0, spec.trace_layout};
  if (sub == "gen") {
    refuse_existing(s.get("out"), s);
    const workload::TraceGenSpec gen =
        workload::router_for(spec, static_cast<uint32_t>(s.count("gpus")));
    workload::TraceGenerator g(gen);
    auto writer = workload::make_trace_writer(s.get("out"), g.shape());
    workload::copy_trace(g, *writer);
    fmt::print("wrote {}: {} iterations x {} layers x {} tokens, {} experts, top-{}\n",
               s.get("out"), gen.num_iterations, gen.num_layers, gen.tokens_per_batch,
               gen.num_experts, gen.top_k);
    return 0;
  }
  if (sub == "stats") {
    auto reader = workload::open_trace(input, read);
    fmt::print("{}", workload::format_stats_table(workload::compute_stats(*reader)));
    return 0;
  }
  if (sub == "convert") {
    refuse_existing(s.get("out"), s);
    auto reader = workload::open_trace(input, read);
    auto writer = workload::make_trace_writer(s.get("out"), reader->shape());
    workload::copy_trace(*reader, *writer);
    fmt::print("wrote {}\n", s.get("out"));
    return 0;
  }
  throw InputError(
      fmt::format("trace: unknown subcommand '{}': expected gen, stats or convert", sub));
}

}  // namespace moesim::cli
