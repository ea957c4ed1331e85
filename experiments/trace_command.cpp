// `moesim trace gen|stats|convert`: router traces on their own.
//   gen      the synthetic router (the --workload moe options) -> a trace file
//   stats    per-layer max/mean, a Zipf fit, temporal locality, gate-weight shares, and the
//            local routing consistency SRP and SCH of a trace (--out: also as CSV)
//   convert  one trace format into another (by extension: .csv, .jsonl, .mtrace)
#include <algorithm>
#include <filesystem>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "experiments/commands.hpp"
#include "experiments/moe_options.hpp"
#include "experiments/output_dir.hpp"
#include "sim/core/error.hpp"
#include "workloads/trace_gen.hpp"
#include "workloads/trace_io.hpp"
#include "workloads/trace_stats.hpp"

namespace moesim::cli {
namespace {

constexpr const char* kUsage =
    "Usage: moesim trace gen [--moe-model M --tokens-per-gpu T --gpus P --iterations I ...] "
    "--out FILE\n"
    "       moesim trace stats TRACE [--moe-model M | --experts E] [--segment-tokens M]\n"
    "              [--segment-stride S] [--cache-experts C] [--out FILE.csv]\n"
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

// SRP and SCH's parameters; the cache must fit the trace's experts (auto: 2 x top-k).
workload::SegmentOptions segment_options(const Settings& s, const workload::TraceShape& shape) {
  workload::SegmentOptions o;
  o.tokens = static_cast<uint32_t>(s.count("segment-tokens"));
  o.stride = static_cast<uint32_t>(s.count("segment-stride"));
  if (s.is("cache-experts", "auto")) {
    o.cache_experts = std::clamp<uint32_t>(2 * shape.top_k, 1, shape.num_experts);
    return o;
  }
  const uint64_t c = s.count("cache-experts");
  if (c > shape.num_experts) {
    throw InputError(fmt::format("{}: '{}': expected 1..{} (the trace's experts) or auto",
                                 s.where("cache-experts"), s.get("cache-experts"),
                                 shape.num_experts));
  }
  o.cache_experts = static_cast<uint32_t>(c);
  return o;
}

}  // namespace

int trace_command(const Context&, const Args& all) {
  std::vector<std::string> args = all;
  if (args.empty() || args.front() == "--help" || args.front() == "-h") {
    fmt::print(kUsage, fmt::streamed(describe({"workload", "stats", "policy", "output"})));
    return args.empty() ? 2 : 0;
  }
  const std::string sub = args.front();
  args.erase(args.begin());
  std::string input;
  if (sub == "stats" || sub == "convert") input = take_path(args, sub.c_str());
  const Settings s = parse_settings(args, {"topology", "workload", "stats", "policy", "output"});
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
    const std::string out = s.get("out");
    if (!out.empty()) refuse_existing(out, s);
    auto reader = workload::open_trace(input, read);
    const workload::TraceStats st =
        workload::compute_stats(*reader, segment_options(s, reader->shape()));
    fmt::print("{}", workload::format_stats_table(st));
    if (!out.empty()) {
      write_new_file(out, workload::format_stats_csv(st), s.where("out"));
      fmt::print("wrote {}\n", out);
    }
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
