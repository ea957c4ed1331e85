#include "experiments/chakra_workload.hpp"

#include <fmt/format.h>

#include "sim/core/error.hpp"
#include "workloads/chakra/chakra_file.hpp"
#include "workloads/chakra/chakra_import.hpp"

namespace moesim::cli {

std::optional<BuiltWorkload> build_chakra_workload(const Scenario& sc, const topo::Topology& t) {
  const Settings& s = sc.options;
  const std::string& prefix = s.text("chakra");
  if (sc.workload.kind != "chakra") {
    if (!prefix.empty()) {
      throw InputError(
          fmt::format("{}: '{}' is only used by --workload chakra", s.where("chakra"), prefix));
    }
    return std::nullopt;
  }
  if (prefix.empty()) {
    throw InputError(fmt::format(
        "{}: chakra needs --chakra PREFIX: expected rank files PREFIX.0.et, PREFIX.1.et, ...",
        s.where("workload")));
  }
  const std::vector<workload::chakra::RankTrace> ranks = workload::chakra::read_ranks(prefix);
  Workload w = workload::chakra::import_workload(ranks, t.num_hosts(),
                                                 fmt::format("{} '{}'", s.where("chakra"), prefix));
  return BuiltWorkload{
      std::move(w), fmt::format("Chakra trace {} ({} ranks)", prefix, ranks.size()), std::nullopt};
}

}  // namespace moesim::cli
