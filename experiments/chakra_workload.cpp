#include "experiments/chakra_workload.hpp"

#include <fmt/format.h>

#include "sim/core/error.hpp"
#include "workloads/chakra/chakra_file.hpp"
#include "workloads/chakra/chakra_import.hpp"
#include "workloads/policy_csv.hpp"

namespace moesim::cli {

std::optional<BuiltWorkload> build_chakra_workload(const Scenario& sc, const topo::Topology& t) {
  const Settings& s = sc.options;
  const std::string& prefix = s.text("chakra");
  const std::string& hosts_file = s.text("chakra-hosts");
  if (sc.workload.kind != "chakra") {
    for (const char* name : {"chakra", "chakra-hosts"}) {
      if (!s.text(name).empty()) {
        throw InputError(
            fmt::format("{}: '{}' is only used by --workload chakra", s.where(name), s.text(name)));
      }
    }
    return std::nullopt;
  }
  if (prefix.empty()) {
    throw InputError(fmt::format(
        "{}: chakra needs --chakra PREFIX: expected rank files PREFIX.0.et, PREFIX.1.et, ...",
        s.where("workload")));
  }
  const std::vector<workload::chakra::RankTrace> ranks = workload::chakra::read_ranks(prefix);
  std::vector<uint32_t> host_of_rank;
  if (!hosts_file.empty()) {
    host_of_rank = workload::read_rank_hosts_csv(hosts_file, t.num_hosts());
    if (host_of_rank.size() != ranks.size()) {
      throw InputError(fmt::format("{}: {} ranks: expected one row per rank file of '{}' ({})",
                                   hosts_file, host_of_rank.size(), prefix, ranks.size()));
    }
  }
  Workload w = workload::chakra::import_workload(
      ranks, t.num_hosts(), fmt::format("{} '{}'", s.where("chakra"), prefix), host_of_rank);
  return BuiltWorkload{
      std::move(w), fmt::format("Chakra trace {} ({} ranks)", prefix, ranks.size()), std::nullopt};
}

}  // namespace moesim::cli
