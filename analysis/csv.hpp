// CSV writers (fmt) for the result files: results.csv (one row per run: parameters then
// summary metrics), flows.csv, links.csv and collectives.csv. Numbers are printed with fixed
// precision so equal results give byte-identical files.
#pragma once

#include <ostream>
#include <span>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "analysis/metrics.hpp"

namespace moesim::analysis {

using Params = std::vector<std::pair<std::string, std::string>>;  // column -> value, in order

// A metric column of results.csv, declared once: its name, its meaning (the README's table
// is made from these, see summary_columns_markdown) and the Summary field it prints (doubles
// with 6 decimals, counts as integers). Adding a metric: a Summary field, its computation in
// metrics.cpp, and one row of the table in csv.cpp.
struct SummaryColumn {
  const char* name;
  const char* help;
  std::variant<double Summary::*, uint64_t Summary::*> field;
};
std::span<const SummaryColumn> summary_column_table();

// The metric columns of results.csv, in order.
const std::vector<std::string>& summary_columns();
// The table `| column | meaning |` of every metric column, as the README shows it.
std::string summary_columns_markdown();

void write_results_header(std::ostream& os, const Params& params);
void write_results_row(std::ostream& os, const Params& params, const Summary& s);

// `run` identifies the (model, transport) run the rows belong to.
void write_flows(std::ostream& os, const std::string& run, const Workload& w,
                 const sim::RunResult& r, bool header);
// --detail timeseries (packet model): run,link,t_us,bytes,queue_bytes,paused, one row per
// port and sampling interval in which it sent, queued or was paused; link as from->to.
void write_timeseries(std::ostream& os, const std::string& run, const topo::Topology& topo,
                      const sim::RunResult& r, bool header);
void write_links(std::ostream& os, const std::string& run, const topo::Topology& topo,
                 const sim::RunResult& r, bool header);
void write_collectives(std::ostream& os, const std::string& run, const Workload& w,
                       const sim::RunResult& r, bool header);

// Quotes a CSV field when it contains a comma, quote or newline (RFC 4180).
std::string csv_field(const std::string& s);

}  // namespace moesim::analysis
