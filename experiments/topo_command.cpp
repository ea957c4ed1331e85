// `moesim topo`: builds any topology, prints its structural metrics and writes them as
// topology.csv (metric,value), with topology.graphml and topology.dot.
#include <fmt/format.h>
#include <fmt/ostream.h>

#include "experiments/commands.hpp"
#include "experiments/output_dir.hpp"
#include "experiments/scenario.hpp"
#include "topologies/export.hpp"
#include "topologies/metrics.hpp"
#include "topologies/routing.hpp"

namespace moesim::cli {
namespace {

// The draw's own figures: what the RSN builder asked for and what it got.
std::string rsn_rows(const topo::RsnInfo& info) {
  return fmt::format(
      "rsn_pairs,{}\nrsn_clipped_pairs,{}\nrsn_target_mean_degree,{:.4f}\n"
      "rsn_expected_mean_degree,{:.4f}\nrsn_realised_mean_degree,{:.4f}\nrsn_components,{}\n"
      "rsn_giant_size,{}\nrsn_dropped_switches,{}\nrsn_dropped_hosts,{}\n",
      info.pairs, info.clipped_pairs, info.target_mean_degree, info.expected_mean_degree,
      info.realised_mean_degree, info.components, info.giant_size, info.dropped_switches,
      info.dropped_hosts);
}

}  // namespace

int topo_command(const Context&, const Args& args) {
  const Settings settings = parse_settings(args, {"topology", "output"});
  if (settings.help) {
    fmt::print(
        "Usage: moesim topo [options]\nBuilds the topology, prints its metrics and writes "
        "topology.csv (metric,value), topology.graphml and topology.dot.\n\n{}",
        fmt::streamed(describe({"topology", "output"})));
    return 0;
  }
  const topo::RouteCost cost = parse_route_cost(settings);
  const topo::BuiltTopology built = build_topology(settings);
  const std::vector<std::string> files = {"topology.csv", "topology.graphml", "topology.dot"};
  OutputDir out(settings.get("out"), files, settings.where("out"));
  const topo::Topology& t = built.topology;
  const topo::Routing routing(t, cost);

  topo::MetricsOptions options;
  options.routing = &routing;
  options.seed = settings.count("seed");
  if (built.rsn) options.edge_length = built.rsn->edge_length;
  const topo::TopoMetrics m = topo::compute_metrics(t, options);
  std::string csv = topo::metrics_csv(m);  // with its header
  if (built.rsn) csv += rsn_rows(*built.rsn);
  if (built.fabric_rate) csv += fmt::format("fabric_rate,{}\n", *built.fabric_rate);
  out.open("topology.csv") << csv;
  topo::write_graphml(out.open("topology.graphml"), t);
  topo::write_dot(out.open("topology.dot"), t);
  out.commit();

  fmt::print("{}\n", t.description());
  for (size_t begin = csv.find('\n') + 1; begin < csv.size();) {
    const size_t end = csv.find('\n', begin);
    const std::string row = csv.substr(begin, end - begin);
    const size_t comma = row.find(',');
    fmt::print("  {:<28} {}\n", row.substr(0, comma), row.substr(comma + 1));
    begin = end + 1;
  }
  fmt::print("wrote {} in {}\n", fmt::join(files, ", "), out.path().string());
  return 0;
}

}  // namespace moesim::cli
