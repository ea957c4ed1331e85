// `moesim validate`: the fixed cross-validation suite (validate_suite.hpp) of the fluid model
// against the simgrid model (SimGrid 3.32, CM02): prints one row per scenario and transport
// and writes them to validate.csv in --out.
#include <fmt/format.h>
#include <fmt/ostream.h>

#include "experiments/commands.hpp"
#include "experiments/options.hpp"
#include "experiments/output_dir.hpp"
#include "experiments/validate_suite.hpp"
#include "sim/core/error.hpp"

namespace moesim::cli {

int validate_command(const Context&, const Args& args) {
  const Settings s = parse_settings(args, {"output"});
  if (s.help) {
    fmt::print(
        "Usage: moesim validate [--out DIR]\n"
        "Runs a fixed suite (all-to-all, permutation, ring all-reduce and an MoE layer from a\n"
        "skewed synthetic trace, under ecmp and ideal, on a 16-host leaf-spine and a 16-host\n"
        "random spatial network) on the fluid and simgrid models, and prints and writes\n"
        "validate.csv: scenario, transport, both completion times, their ratio and the largest\n"
        "relative difference of a flow's finish time.\n\n{}",
        fmt::streamed(describe({"output"})));
    return 0;
  }
  if (!s.get("detail").empty()) {
    throw InputError(fmt::format("{}: '{}': moesim validate writes validate.csv only",
                                 s.where("detail"), s.get("detail")));
  }
  OutputDir out(s.get("out"), {"validate.csv"}, s.where("out"));
  std::ofstream& csv = out.open("validate.csv");
  csv << "scenario,transport,flows,fluid_cct_us,simgrid_cct_us,ratio,max_flow_finish_rel_diff,"
         "median_flow_finish_rel_diff,latency_first_ratio,differs_by_design\n";
  fmt::print("{:<26} {:<9} {:>5} {:>13} {:>14} {:>9} {:>9} {:>9} {:>9}\n", "scenario", "transport",
             "flows", "fluid CCT us", "simgrid CCT us", "ratio", "max flow", "med flow",
             "lat-first");
  bool by_design = false;
  run_validate_suite([&csv, &by_design](ValidateRow&& r) {
    fmt::print("{:<26} {:<9} {:>5} {:>13.3f} {:>14.3f} {:>9.6f} {:>8.4f}% {:>8.4f}% {:>9.6f}{}\n",
               r.scenario, r.transport, r.flows, r.fluid_cct_us, r.simgrid_cct_us, r.ratio,
               100 * r.max_flow_diff, 100 * r.median_flow_diff, r.latency_first_ratio,
               r.differs_by_design ? " *" : "");
    fmt::print(csv, "{},{},{},{:.6f},{:.6f},{:.8f},{:.8f},{:.8f},{:.8f},{}\n", r.scenario,
               r.transport, r.flows, r.fluid_cct_us, r.simgrid_cct_us, r.ratio, r.max_flow_diff,
               r.median_flow_diff, r.latency_first_ratio, r.differs_by_design ? "yes" : "no");
    by_design = by_design || r.differs_by_design;
  });
  fmt::print(
      "ratio: simgrid / fluid CCT; max/med flow: largest and median relative difference of a\n"
      "flow's finish time; lat-first: simgrid:latency-first / fluid CCT (SimGrid's own latency\n"
      "placement: latency before the bytes).\n");
  if (by_design) {
    fmt::print(
        "* differs by design: SimGrid runs each path of a multipath (ideal) flow as its own\n"
        "  transfer with its own max-min rate and latency, fluid one rate per flow over all its\n"
        "  paths with the slowest path's latency; where a flow's paths have different\n"
        "  bottlenecks, finish times move and shift later flows of the DAG.\n");
  }
  out.commit();
  fmt::print("wrote {}\n", (out.path() / "validate.csv").string());
  return 0;
}

}  // namespace moesim::cli
