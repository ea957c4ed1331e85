// Exact max-min fair rates by progressive filling, kept up to date incrementally as flows
// arrive and leave.
//
// Flow f uses link l with coefficient c_fl (1 on a single path, a fraction under multipath);
// link l carries sum_f c_fl * rate_f <= capacity_l. Progressive filling raises all unfrozen
// rates together; when a link saturates, its unfrozen flows freeze at the current level.
//
// Incremental rule (why it is exact): the filling below level L is unchanged by
//  - removing a flow whose rate was >= L: it crossed no link that saturated below L (else it
//    would have frozen there), so every link below L sees the same growth; and
//  - adding a flow g when L <= min over g's links of capacity_l / (sum of coefficients on l):
//    no link of g can saturate below that level, so again the filling below L is the same.
// So a solve keeps every flow frozen below L as it is and re-runs the filling only for the
// flows at levels >= L ("U") plus the new ones, on the capacity the frozen flows leave. Flows
// are kept in buckets by level, in increasing order, so U is a suffix of the buckets.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace moesim::sim {

// Link sets of the flows, by flow id: any store with these two accessors (e.g. PathSet).
struct FlowLinks {
  const std::vector<uint32_t>* begin;  // flow f uses [begin[f], begin[f+1]) of links/coefs
  const std::vector<uint32_t>* links;
  const std::vector<double>* coefs;
};

class MaxMinSolver {
 public:
  struct Change {
    uint32_t flow;
    double old_rate;  // 0 for a flow added since the last solve
  };

  // capacity: per link, in rate units (the caller's choice, e.g. bytes/s), all > 0.
  MaxMinSolver(std::vector<double> capacity, FlowLinks flows, size_t num_flows);

  void add(uint32_t flow);
  void remove(uint32_t flow);
  // Recomputes the rates. Returns every active flow whose rate may have changed, with its
  // previous rate; the span is valid until the next call.
  std::span<const Change> solve();
  double rate(uint32_t flow) const { return rate_[flow]; }
  bool active(uint32_t flow) const { return active_[flow]; }

 private:
  struct Bucket {
    double level;
    std::vector<uint32_t> flows;  // may hold flows removed since, skipped on use
  };
  void collect_unfrozen();
  void fill();

  std::vector<double> cap_;
  FlowLinks fl_;
  std::vector<double> rate_;
  std::vector<uint8_t> active_;
  std::vector<double> alloc_;  // per link: sum of coef * rate over active flows
  std::vector<double> wsum_;   // per link: sum of coef over active flows
  std::vector<Bucket> buckets_;
  std::vector<uint32_t> arrivals_;
  double bound_;  // re-solve flows at levels >= bound_

  // Scratch state of one solve, kept to avoid reallocation.
  std::vector<Change> changes_;
  std::vector<double> res_;   // per link: capacity left by frozen flows
  std::vector<double> wu_;    // per link: coefficient sum of unfrozen flows
  std::vector<uint32_t> nu_;  // per link: number of unfrozen flows
  std::vector<uint32_t> touched_;
  std::vector<uint32_t> list_begin_;  // per link: its unfrozen flows are list_[begin, end)
  std::vector<uint32_t> list_end_;
  std::vector<uint32_t> list_;
  std::vector<uint8_t> frozen_;
};

}  // namespace moesim::sim
