#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "experiments/commands.hpp"
#include "experiments/output_dir.hpp"
#include "experiments/scenario.hpp"
#include "topologies/export.hpp"
#include "topologies/routing.hpp"

namespace moesim::cli {

int topo_command(const std::vector<std::string>& args) {
  const Settings settings = parse_settings(args, {"topology", "output"});
  if (settings.help) {
    fmt::print(
        "Usage: moesim topo [options]\nBuilds the topology, prints a summary and writes "
        "topology.graphml and topology.dot.\n\n{}",
        fmt::streamed(describe({"topology", "output"})));
    return 0;
  }
  const topo::LeafSpineParams params = parse_topology(settings);
  const topo::Topology t = topo::build_leaf_spine(params);
  OutputDir out(settings.get("out"), {"topology.graphml", "topology.dot"}, settings.where("out"));
  topo::write_graphml(out.open("topology.graphml"), t);
  topo::write_dot(out.open("topology.dot"), t);

  std::map<std::string, uint32_t> kinds;
  for (uint32_t v = 0; v < t.num_vertices(); ++v)
    ++kinds[topo::to_string(t.graph()[v].kind)];
  fmt::print("{}\n", t.description());
  for (const auto& [kind, count] : kinds)
    fmt::print("  {:<10} {}\n", kind, count);
  fmt::print("  links      {} full-duplex ({} directed)\n", t.num_links() / 2, t.num_links());
  fmt::print("  fabric     {} per leaf-spine link, oversubscription {}\n",
             topo::effective_fabric_rate(params), params.oversubscription);
  // Equal-cost paths between host pairs, from up to 16 evenly spread sources to every host.
  const topo::Routing routing(t);
  std::vector<uint64_t> counts;
  const uint32_t n = t.num_hosts(), step = std::max(1u, n / 16);
  for (uint32_t s = 0; s < n; s += step) {
    for (uint32_t d = 0; d < n; ++d) {
      if (d != s) counts.push_back(topo::count_paths(routing, s, d));
    }
  }
  if (!counts.empty()) {
    std::sort(counts.begin(), counts.end());
    fmt::print("  equal-cost paths per host pair: min {} median {} max {}\n", counts.front(),
               counts[counts.size() / 2], counts.back());
  }
  out.commit();
  fmt::print("wrote topology.graphml, topology.dot in {}\n", out.path().string());
  return 0;
}

}  // namespace moesim::cli
