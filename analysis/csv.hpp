// CSV writers (fmt) for the result files: results.csv (one row per run: parameters then
// summary metrics), flows.csv, links.csv and collectives.csv. Numbers are printed with fixed
// precision so equal results give byte-identical files.
#pragma once

#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "analysis/metrics.hpp"

namespace moesim::analysis {

using Params = std::vector<std::pair<std::string, std::string>>;  // column -> value, in order

// The metric columns of results.csv, in order.
const std::vector<std::string>& summary_columns();

void write_results_header(std::ostream& os, const Params& params);
void write_results_row(std::ostream& os, const Params& params, const Summary& s);

// `run` identifies the (model, transport) run the rows belong to.
void write_flows(std::ostream& os, const std::string& run, const Workload& w,
                 const sim::RunResult& r, bool header);
void write_links(std::ostream& os, const std::string& run, const topo::Topology& topo,
                 const sim::RunResult& r, bool header);
void write_collectives(std::ostream& os, const std::string& run, const Workload& w,
                       const sim::RunResult& r, bool header);

// Quotes a CSV field when it contains a comma, quote or newline (RFC 4180).
std::string csv_field(const std::string& s);

}  // namespace moesim::analysis
