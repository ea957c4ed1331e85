// moesim Workload DAG -> Chakra rank traces, one per host (rank r = host r), so moesim's
// workloads (collectives, MoE forward, training and serving steps) can be fed to ASTRA-sim and
// read back by chakra_import.hpp into the same DAG. A compute task becomes a COMP_NODE on its
// GPU; a flow a COMM_SEND_NODE on its source and a COMM_RECV_NODE on its destination (comm_tag =
// the flow's DAG id). A dependency goes into the file of a rank both ends touch (a flow touches
// its source and destination): on the send when the flow's source is such a rank, else on the
// recv. Tags, DAG ids and picosecond durations travel as moesim_* attributes (chakra_attrs.hpp).
#pragma once

#include <string>
#include <vector>

#include "sim/core/workload_dag.hpp"
#include "workloads/chakra/chakra_file.hpp"

namespace moesim::workload::chakra {

// The rank traces of finalized `w`, paths PREFIX.r.et. InputError for a dependency between
// nodes on disjoint hosts, which a Chakra rank file cannot hold.
std::vector<RankTrace> export_workload(const Workload& w, const std::string& prefix);

}  // namespace moesim::workload::chakra
