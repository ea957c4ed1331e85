// Record-to-batch assembly shared by the line-based trace readers (internal to workloads/). A
// format reader parses one token (one JSONL line, or the consecutive CSV rows of a token) into
// a TokenRecord; this base groups consecutive records of one (iteration, layer) into a Batch
// and enforces the ordering rules every format shares (trace_io.hpp).
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "workloads/trace.hpp"
#include "workloads/trace_io.hpp"
#include "workloads/trace_text.hpp"

namespace moesim::workload::text {

struct TokenRecord {
  uint32_t iteration = 0;
  uint32_t layer = 0;
  uint32_t token = 0;
  uint32_t rank = 0;  // meaningful when the shape has ranks
  std::vector<ExpertId> experts;
  std::vector<float> weights;
  size_t line = 0;  // first line of the record
};

// Checks that a batch key comes in trace order: iterations nondecreasing, each
// (iteration, layer) once. Shared by the trace and counts readers.
class BatchOrder {
 public:
  void start(uint32_t iteration, uint32_t layer, Where w);

 private:
  bool started_ = false;
  uint32_t iteration_ = 0;
  std::set<uint32_t> layers_seen_;  // in the current iteration
};

class RecordTraceReader : public TraceReader {
 public:
  bool next(Batch& out) final;
  const TraceShape& shape() const final { return shape_; }

 protected:
  RecordTraceReader(const std::string& path, const TraceReadOptions& o, std::string token_field);
  // Parses the next record into `rec` (storage reused); false at the end of the input. Checks
  // values, top_k (setting shape_.top_k from the first record if it is 0) and the presence of
  // weights and ranks against shape_.
  virtual bool read_record(TokenRecord& rec) = 0;
  // Reads the first record; derived constructors call it last.
  void prime();
  Where where(size_t line) const { return {&path_, line}; }

  std::string path_;
  TraceShape shape_;

 private:
  std::string token_field_;
  TokenRecord pending_;
  bool have_pending_ = false;
  BatchOrder order_;
};

}  // namespace moesim::workload::text
