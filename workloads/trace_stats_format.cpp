// Trace statistics as text: the fixed-width table `moesim trace stats` prints and the CSV it
// writes with --out.
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "workloads/trace_stats.hpp"

namespace moesim::workload {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string fmt_opt(double v, int precision) {
  if (std::isnan(v)) return "-";
  return fmt::format("{:.{}f}", v, precision);
}

// A CSV cell: shortest exact form, empty when undefined.
std::string cell(double v) {
  return std::isnan(v) ? "" : fmt::format("{}", v);
}

double srp_of(const TraceLayerStats& l) {
  return l.segments ? l.segments->srp : kNaN;
}
double sch_of(const TraceLayerStats& l) {
  return l.segments ? l.segments->sch : kNaN;
}

}  // namespace

std::string format_stats_table(const TraceStats& s) {
  const bool seg = s.segment_options.has_value();
  std::string out =
      fmt::format("{} experts, {}, {} layers\n", s.num_experts,
                  s.top_k ? fmt::format("top-{}", s.top_k) : "counts only", s.layers.size());
  const auto values = [&](double mm, double bmm, double cv, double zipf, double top10, double loc,
                          double srp, double sch) {
    std::vector<std::string> v = {fmt_opt(mm, 3),   fmt_opt(bmm, 3),         fmt_opt(cv, 3),
                                  fmt_opt(zipf, 3), fmt_opt(top10 * 100, 1), fmt_opt(loc, 3),
                                  fmt_opt(srp, 3),  fmt_opt(sch, 3)};
    v.resize(seg ? 8 : 6);  // SRP and SCH only when asked for
    return v;
  };
  const auto emit = [&](std::string_view layer, std::string_view tokens, std::string_view slots,
                        const std::vector<std::string>& v) {
    out += fmt::format("{:>6} {:>9} {:>10}", layer, tokens, slots);
    const int widths[] = {8, 9, 6, 7, 7, 8, 6, 6};
    for (size_t i = 0; i < v.size(); ++i)
      out += fmt::format(" {:>{}}", v[i], widths[i]);
    out += '\n';
  };
  std::vector<std::string> header = {"max/mean", "batch m/m", "CV",  "zipf_s",
                                     "top10%",   "locality",  "SRP", "SCH"};
  header.resize(seg ? 8 : 6);
  emit("layer", "tokens", "slots", header);
  std::vector<double> mm, bmm, cv, zipf, top10, loc, srp, sch;
  for (const TraceLayerStats& l : s.layers) {
    const double locality = l.locality.value_or(kNaN);
    emit(fmt::to_string(l.layer), l.tokens ? fmt::to_string(l.tokens) : "-",
         fmt::to_string(l.selections),
         values(l.max_over_mean, l.mean_batch_max_over_mean, l.cv, l.zipf_s, l.top10_share,
                locality, srp_of(l), sch_of(l)));
    mm.push_back(l.max_over_mean);
    bmm.push_back(l.mean_batch_max_over_mean);
    cv.push_back(l.cv);
    zipf.push_back(l.zipf_s);
    top10.push_back(l.top10_share);
    loc.push_back(locality);
    srp.push_back(srp_of(l));
    sch.push_back(sch_of(l));
  }
  emit("median", "", "",
       values(median_of(mm), median_of(bmm), median_of(cv), median_of(zipf), median_of(top10),
              median_of(loc), median_of(srp), median_of(sch)));
  if (s.top1_share) {
    const ShareStats& sh = *s.top1_share;
    out += fmt::format(
        "top-1 share of gate weight over {} tokens: mean {:.3f}, p10 {:.3f}, p50 {:.3f}, "
        "p90 {:.3f}; mean share by slot: {:.3f}\n",
        sh.tokens, sh.mean, sh.p10, sh.p50, sh.p90, fmt::join(sh.mean_share_by_slot, " "));
  }
  if (seg) {
    const SegmentOptions& o = *s.segment_options;
    const SegmentStats& p = *s.segments_pooled;
    out += fmt::format(
        "segments of m = {} tokens (stride {}), {} in all layers: SRP {} (threshold {}, {} experts "
        "per group), SCH with {} cached experts {}\n",
        o.tokens, o.stride, p.segments, fmt_opt(p.srp, 3), p.srp_threshold, fmt_opt(p.srp_group, 2),
        o.cache_experts, fmt_opt(p.sch, 3));
  }
  return out;
}

std::string format_stats_csv(const TraceStats& s) {
  const bool seg = s.segment_options.has_value();
  std::string out =
      "layer,tokens,selections,max_over_mean,batch_max_over_mean,cv,zipf_s,top10_share,"
      "idle_experts,locality";
  if (seg)
    out +=
        ",segment_tokens,segment_stride,cache_experts,segments,srp,srp_threshold,"
        "srp_group,sch";
  out += '\n';
  const auto segment_cells = [&](const SegmentStats& g) {
    const SegmentOptions& o = *s.segment_options;
    return fmt::format(",{},{},{},{},{},{},{},{}", o.tokens, o.stride, o.cache_experts, g.segments,
                       cell(g.srp), g.segments ? fmt::to_string(g.srp_threshold) : "",
                       cell(g.srp_group), cell(g.sch));
  };
  uint64_t tokens = 0, selections = 0;
  for (const TraceLayerStats& l : s.layers) {
    out += fmt::format("{},{},{},{},{},{},{},{},{},{}", l.layer, l.tokens, l.selections,
                       cell(l.max_over_mean), cell(l.mean_batch_max_over_mean), cell(l.cv),
                       cell(l.zipf_s), cell(l.top10_share), l.idle_experts,
                       cell(l.locality.value_or(kNaN)));
    if (seg) out += segment_cells(l.segments.value_or(SegmentStats{0, 0, kNaN, 0, kNaN, kNaN}));
    out += '\n';
    tokens += l.tokens;
    selections += l.selections;
  }
  out += fmt::format("all,{},{},,,,,,,", tokens, selections);
  if (seg) out += segment_cells(*s.segments_pooled);
  out += '\n';
  return out;
}

}  // namespace moesim::workload
