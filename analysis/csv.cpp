#include "analysis/csv.hpp"

#include <iterator>

#include <fmt/format.h>
#include <fmt/ostream.h>

namespace moesim::analysis {
namespace {

// Metric values as results.csv prints them: fixed 6 decimals (byte-identical for equal
// results), counts as integers.
std::string value(double x) {
  return fmt::format("{:.6f}", x);
}
std::string value(uint64_t x) {
  return fmt::format("{}", x);
}

}  // namespace

std::span<const SummaryColumn> summary_column_table() {
  using S = Summary;
  static const SummaryColumn table[] = {
      {"cct_us", "completion time of the whole DAG (µs)", &S::cct_us},
      {"link_bound_us", "max over directed links of bytes / rate (µs): a lower bound on `cct_us`",
       &S::link_bound_us},
      {"cct_over_bound", "`cct_us / link_bound_us`; ≥ 1, and 1 means the busiest link never idled",
       &S::cct_over_bound},
      {"fct_p50_us", "median flow completion time (finish − start, nearest rank; µs)",
       &S::fct_p50_us},
      {"fct_p99_us", "99th-percentile flow completion time (µs)", &S::fct_p99_us},
      {"fct_max_us", "longest flow completion time (µs)", &S::fct_max_us},
      {"max_link_util", "max over links of bytes / (rate × CCT)", &S::max_link_util},
      {"mean_fabric_util", "the same, averaged over switch-to-switch links", &S::mean_fabric_util},
      {"flows", "flows in the workload", &S::flows},
      {"subflows", "subflows after the transport split the flows", &S::subflows},
      {"split_flows",
       "flows laid out as more than one subflow (`split:K`; `plan`'s minimal splits)",
       &S::split_flows},
      {"bytes", "flow bytes of the workload", &S::bytes},
      {"events",
       "discrete events processed (flow/task starts, drains, arrivals; packet departures and "
       "arrivals)",
       &S::events},
      {"solves", "max-min recomputations (fluid)", &S::solves},
      {"packets", "packet model: packets sent by hosts (data, ACKs, NACKs); 0 elsewhere",
       &S::packets},
      {"trims", "packet model: data packets trimmed to their header", &S::trims},
      {"drops", "packet model: packets dropped", &S::drops},
      {"retransmits", "packet model: data packets sent again", &S::retransmits},
      {"timeouts", "packet model: retransmission timeouts", &S::timeouts},
      {"max_queue_bytes", "packet model: the largest data queue at any port", &S::max_queue_bytes},
      {"pause_us", "packet model, `--fabric lossless`: total time links spent paused by PFC (µs)",
       &S::pause_us},
      {"pfc_frames", "packet model, `--fabric lossless`: PFC pause and resume frames sent",
       &S::pfc_frames},
      {"step_us", "the whole step (MoE `--step`), the same as `cct_us`", &S::step_us},
      {"compute_us", "the busiest GPU's compute time: the sum of its compute tasks (µs)",
       &S::compute_us},
      {"exposed_comm_us", "`step_us - compute_us`: time the busiest GPU is not computing (µs)",
       &S::exposed_comm_us},
      {"nic_bytes", "bytes leaving hosts over their NIC links, as the model carried them",
       &S::nic_bytes},
      {"nvlink_bytes", "bytes leaving hosts over NVLink", &S::nvlink_bytes},
  };
  return table;
}

const std::vector<std::string>& summary_columns() {
  static const std::vector<std::string> cols = [] {
    std::vector<std::string> c;
    for (const SummaryColumn& col : summary_column_table())
      c.emplace_back(col.name);
    return c;
  }();
  return cols;
}

std::string summary_columns_markdown() {
  std::string md = "| column | meaning |\n|---|---|\n";
  for (const SummaryColumn& c : summary_column_table())
    md += fmt::format("| `{}` | {} |\n", c.name, c.help);
  return md;
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
  for (const SummaryColumn& c : summary_column_table()) {
    std::visit(
        [&](auto field) { fmt::format_to(std::back_inserter(line), "{},", value(s.*field)); },
        c.field);
  }
  line.back() = '\n';
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

void write_timeseries(std::ostream& os, const std::string& run, const topo::Topology& topo,
                      const sim::RunResult& r, bool header) {
  if (header) os << "run,link,t_us,bytes,queue_bytes,paused\n";
  for (const sim::LinkSample& s : r.samples) {
    fmt::print(os, "{},{},{:.6f},{},{},{}\n", run, topo.link_name(s.link), s.t.us(), s.bytes,
               s.queue, s.paused ? 1 : 0);
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
