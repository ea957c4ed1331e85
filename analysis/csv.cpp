#include "analysis/csv.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

namespace moesim::analysis {

const std::vector<std::string>& summary_columns() {
  static const std::vector<std::string> cols = {
      "cct_us",      "link_bound_us", "cct_over_bound",   "fct_p50_us", "fct_p99_us",
      "fct_max_us",  "max_link_util", "mean_fabric_util", "flows",      "subflows",
      "split_flows", "bytes",         "events",           "solves",     "packets",
      "trims",       "drops",         "retransmits",      "timeouts",   "max_queue_bytes"};
  return cols;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

void write_results_header(std::ostream& os, const Params& params) {
  std::string line;
  for (const auto& [name, value] : params)
    line += csv_field(name) + ",";
  for (const auto& c : summary_columns())
    line += c + ",";
  line.back() = '\n';
  os << line;
}

void write_results_row(std::ostream& os, const Params& params, const Summary& s) {
  std::string line;
  for (const auto& [name, value] : params)
    line += csv_field(value) + ",";
  line += fmt::format(
      "{:.6f},{:.6f},{:.6f},{:.6f},{:.6f},{:.6f},{:.6f},{:.6f},{},{},{},{},{},{},{},{},{},{},{},{}"
      "\n",
      s.cct_us, s.link_bound_us, s.cct_over_bound, s.fct_p50_us, s.fct_p99_us, s.fct_max_us,
      s.max_link_util, s.mean_fabric_util, s.flows, s.subflows, s.split_flows, s.bytes, s.events,
      s.solves, s.packets, s.trims, s.drops, s.retransmits, s.timeouts, s.max_queue_bytes);
  os << line;
}

void write_flows(std::ostream& os, const std::string& run, const Workload& w,
                 const sim::RunResult& r, bool header) {
  if (header) {
    os << "run,node,tag,src,dst,bytes,subflows,start_us,finish_us,fct_us,retransmits,trims\n";
  }
  for (uint32_t n = 0; n < w.size(); ++n) {
    const DagNode& d = w.node(n);
    if (d.kind != NodeKind::Flow) continue;
    const sim::NodeRecord& rec = r.nodes[n];
    fmt::print(os, "{},{},{},{},{},{},{},{:.6f},{:.6f},{:.6f},{},{}\n", run, n, d.tag, d.src, d.dst,
               d.size.count, rec.subflows, rec.start.us(), rec.finish.us(),
               (rec.finish - rec.start).us(), rec.retransmits, rec.trims);
  }
}

void write_links(std::ostream& os, const std::string& run, const topo::Topology& topo,
                 const sim::RunResult& r, bool header) {
  if (header)
    os << "run,link,from,to,kind,rate_gbps,bytes,utilization,wire_bytes,max_queue_bytes\n";
  const double span_s = r.makespan.seconds();
  for (uint32_t l = 0; l < r.links.size(); ++l) {
    const topo::DirLink& link = topo.link(l);
    const auto& g = topo.graph();
    const double util = span_s > 0 ? r.links[l].bytes / (link.rate.bytes_per_sec() * span_s) : 0;
    fmt::print(os, "{},{},{},{},{},{:.3f},{:.1f},{:.6f},{},{}\n", run, l, g[link.from].name,
               g[link.to].name, topo::to_string(link.kind),
               static_cast<double>(link.rate.bps) / 1e9, r.links[l].bytes, util,
               r.links[l].wire_bytes, r.links[l].max_queue);
  }
}

void write_collectives(std::ostream& os, const std::string& run, const Workload& w,
                       const sim::RunResult& r, bool header) {
  if (header)
    os << "run,tag,collective,phase,layer,iteration,flows,bytes,start_us,finish_us,cct_us\n";
  for (uint32_t t = 0; t < r.tags.size(); ++t) {
    const Tag& tag = w.tags()[t];
    const sim::TagRecord& rec = r.tags[t];
    fmt::print(os, "{},{},{},{},{},{},{},{},{:.6f},{:.6f},{:.6f}\n", run, t,
               csv_field(tag.collective), csv_field(tag.phase), tag.layer, tag.iteration, rec.flows,
               rec.bytes, rec.start.us(), rec.finish.us(), (rec.finish - rec.start).us());
  }
}

}  // namespace moesim::analysis
