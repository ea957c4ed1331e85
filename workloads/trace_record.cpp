// Record-to-batch assembly: groups token records by (iteration, layer) and checks trace order.
#include "workloads/trace_record.hpp"

#include <fmt/format.h>

#include "sim/core/error.hpp"

namespace moesim::workload::text {

void BatchOrder::start(uint32_t iteration, uint32_t layer, Where w) {
  if (started_ && iteration < iteration_) {
    fail(w, "iteration", fmt::to_string(iteration),
         fmt::format("iterations in nondecreasing order (an earlier batch has iteration {})",
                     iteration_));
  }
  if (!started_ || iteration != iteration_) layers_seen_.clear();
  if (!layers_seen_.insert(layer).second) {
    fail(w, "layer", fmt::to_string(layer),
         fmt::format("the rows of (iteration {}, layer {}) in one contiguous run, but that "
                     "batch appeared earlier",
                     iteration, layer));
  }
  started_ = true;
  iteration_ = iteration;
}

RecordTraceReader::RecordTraceReader(const std::string& path, const TraceReadOptions& o,
                                     std::string token_field)
    : path_(path), token_field_(std::move(token_field)) {
  if (o.num_experts == 0) throw InputError(fmt::format("{}: num_experts must be > 0", path));
  check_num_experts(o.num_experts, path);
  shape_.num_experts = o.num_experts;
  shape_.top_k = o.top_k;
}

void RecordTraceReader::prime() {
  have_pending_ = read_record(pending_);
}

bool RecordTraceReader::next(Batch& out) {
  out.clear();
  if (!have_pending_) return false;
  out.iteration = pending_.iteration;
  out.layer = pending_.layer;
  out.top_k = shape_.top_k;
  order_.start(out.iteration, out.layer, where(pending_.line));
  for (;;) {
    const TokenRecord& r = pending_;
    out.token_ids.push_back(r.token);
    out.experts.insert(out.experts.end(), r.experts.begin(), r.experts.end());
    if (shape_.has_weights)
      out.weights.insert(out.weights.end(), r.weights.begin(), r.weights.end());
    if (shape_.has_ranks) out.ranks.push_back(r.rank);

    have_pending_ = read_record(pending_);
    if (!have_pending_) return true;
    if (pending_.iteration != out.iteration || pending_.layer != out.layer) return true;
    if (pending_.token <= out.token_ids.back()) {
      fail(where(pending_.line), token_field_, fmt::to_string(pending_.token),
           fmt::format("token ids increasing within (iteration {}, layer {}); the previous "
                       "token is {}",
                       out.iteration, out.layer, out.token_ids.back()));
    }
  }
}

}  // namespace moesim::workload::text
