// `moesim chakra export PREFIX [moesim run options]`: the workload `moesim run` would simulate
// with the same options, written as Chakra ET rank files PREFIX.r.et (one per host) for
// ASTRA-sim, or for `moesim run --workload chakra --chakra PREFIX`, which reads it back into the
// same DAG (workloads/chakra/chakra_export.hpp).
#include <fmt/format.h>
#include <fmt/ostream.h>

#include "experiments/commands.hpp"
#include "experiments/scenario.hpp"
#include "experiments/scenario_workload.hpp"
#include "sim/core/error.hpp"
#include "workloads/chakra/chakra_export.hpp"
#include "workloads/chakra/chakra_file.hpp"

namespace moesim::cli {
namespace {

const std::vector<std::string> kGroups = {"topology", "workload", "simulation", "output"};

void print_usage() {
  fmt::print(
      "Usage: moesim chakra export PREFIX [options]\n"
      "Writes the workload that `moesim run` would simulate with the same options (a "
      "collective,\nan MoE forward or training step, or a Chakra trace) as Chakra execution "
      "traces\nPREFIX.0.et ... PREFIX.(N-1).et, one per host (ASTRA-sim's workload format). "
      "`moesim run\n--workload chakra --chakra PREFIX` reads them back into the same DAG.\n\n{}",
      fmt::streamed(describe(kGroups)));
}

}  // namespace

int chakra_command(const Context& ctx, const Args& args) {
  const bool help = !args.empty() && (args[0] == "--help" || args[0] == "-h");
  if (args.empty() || help) {
    print_usage();
    return help ? 0 : 2;
  }
  if (args[0] != "export") {
    throw InputError(
        fmt::format("chakra: '{}': expected export (moesim chakra export PREFIX ...)", args[0]));
  }
  if (args.size() < 2 || args[1].starts_with("-")) {
    if (args.size() >= 2 && (args[1] == "--help" || args[1] == "-h")) {
      print_usage();
      return 0;
    }
    throw InputError("chakra export: missing PREFIX: expected moesim chakra export PREFIX ...");
  }
  const std::string prefix = args[1];
  const Settings settings = parse_settings(Args(args.begin() + 2, args.end()), kGroups);
  if (settings.help) {
    print_usage();
    return 0;
  }
  const Scenario sc = parse_scenario(settings, ctx.models);
  const topo::BuiltTopology built = build_topology(settings);
  const BuiltWorkload bw = build_workload(sc, built.topology);
  const std::vector<workload::chakra::RankTrace> ranks =
      workload::chakra::export_workload(bw.workload, prefix);
  workload::chakra::write_ranks(prefix, ranks);
  fmt::print(
      "moesim chakra export: {} on {} hosts ({} nodes, {} flows): wrote {}.0.et ... {}.{}.et\n",
      bw.description, built.topology.num_hosts(), bw.workload.size(), bw.workload.num_flows(),
      prefix, prefix, ranks.size() - 1);
  return 0;
}

}  // namespace moesim::cli
