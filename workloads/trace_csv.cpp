// Long-CSV trace reader and writer: `iteration,layer,token,rank,expert,weight`, one row per
// (token, chosen expert). The reader groups a token's consecutive rows into one record.
#include <array>
#include <optional>

#include <fmt/format.h>

#include "sim/core/error.hpp"
#include "sim/core/quote.hpp"
#include "workloads/trace_io.hpp"
#include "workloads/trace_record.hpp"
#include "workloads/trace_text.hpp"

namespace moesim::workload {
namespace {

using text::fail;
using text::fail_at;

enum Column { kIteration, kLayer, kToken, kRank, kExpert, kWeight, kNumColumns };
constexpr std::array<std::string_view, kNumColumns> kColumnNames = {
    "iteration", "layer", "token", "rank", "expert", "weight"};
constexpr std::string_view kAllColumns = "iteration,layer,token,rank,expert,weight";

struct Row {
  uint32_t iteration = 0, layer = 0, token = 0, rank = 0;
  ExpertId expert = 0;
  float weight = 0;
  size_t line = 0;
};

class CsvTraceReader : public text::RecordTraceReader {
 public:
  CsvTraceReader(const std::string& path, const TraceReadOptions& o)
      : RecordTraceReader(path, o, "token"),
        lines_(path),
        expert_expected_(fmt::format("an expert id in [0, {})", o.num_experts)) {
    read_header();
    have_row_ = read_row(row_);
    prime();
  }

 private:
  void read_header() {
    std::string_view line;
    while (lines_.next(line)) {
      const std::string_view t = text::trim(line);
      if (t.empty() || t.front() == '#') continue;
      text::split_csv(t, fields_);
      for (size_t i = 0; i < fields_.size(); ++i) {
        size_t c = 0;
        while (c < kNumColumns && kColumnNames[c] != fields_[i])
          ++c;
        if (c == kNumColumns) {
          fail(lines_.where(), "header", fields_[i], fmt::format("a column of {}", kAllColumns));
        }
        if (index_[c]) fail(lines_.where(), "header", fields_[i], "each column once");
        index_[c] = i;
      }
      num_fields_ = fields_.size();
      for (const Column c : {kIteration, kLayer, kToken, kExpert}) {
        if (!index_[c]) {
          fail_at(lines_.where(), fmt::format("field '{}': missing column (header '{}'); "
                                              "expected columns {} (rank and weight optional)",
                                              kColumnNames[c], quote_excerpt(t), kAllColumns));
        }
      }
      shape_.has_ranks = index_[kRank].has_value();
      shape_.has_weights = index_[kWeight].has_value();
      return;
    }
    throw InputError(fmt::format("{}: no header line; expected {}", path_, kAllColumns));
  }

  bool read_row(Row& row) {
    std::string_view line;
    for (;;) {
      if (!lines_.next(line)) return false;
      const std::string_view t = text::trim(line);
      if (!t.empty() && t.front() != '#') {
        line = t;
        break;
      }
    }
    const text::Where w = lines_.where();
    text::split_csv(line, fields_);
    if (fields_.size() != num_fields_) {
      // Name the first column this line lacks (or the extra position) for the message.
      std::string_view field = "(extra)";
      for (size_t c = 0; c < kNumColumns; ++c) {
        if (index_[c] && *index_[c] == std::min(fields_.size(), num_fields_))
          field = kColumnNames[c];
      }
      fail_at(w, fmt::format("field '{}': the line has {} fields, expected {} (the header's "
                             "columns)",
                             field, fields_.size(), num_fields_));
    }
    const auto u32 = [&](Column c) {
      return text::parse_u32(fields_[*index_[c]], w, kColumnNames[c]);
    };
    row.line = w.line;
    row.iteration = u32(kIteration);
    row.layer = u32(kLayer);
    row.token = u32(kToken);
    if (shape_.has_ranks) row.rank = u32(kRank);
    const std::string_view e = fields_[*index_[kExpert]];
    row.expert = text::parse_u32(e, w, "expert", expert_expected_);
    if (row.expert >= shape_.num_experts) fail(w, "expert", e, expert_expected_);
    if (shape_.has_weights) row.weight = text::parse_weight(fields_[*index_[kWeight]], w, "weight");
    return true;
  }

  bool read_record(text::TokenRecord& rec) override {
    if (!have_row_) return false;
    rec.iteration = row_.iteration;
    rec.layer = row_.layer;
    rec.token = row_.token;
    rec.rank = row_.rank;
    rec.line = row_.line;
    rec.experts.assign(1, row_.expert);
    rec.weights.assign(1, row_.weight);
    size_t last_line = row_.line;
    for (;;) {
      have_row_ = read_row(row_);
      if (!have_row_ || row_.iteration != rec.iteration || row_.layer != rec.layer ||
          row_.token != rec.token)
        break;
      const text::Where w = where(row_.line);
      if (shape_.has_ranks && row_.rank != rec.rank) {
        fail(w, "rank", fmt::to_string(row_.rank),
             fmt::format("rank {} on every row of token {} (its first row, line {})", rec.rank,
                         rec.token, rec.line));
      }
      if (shape_.top_k != 0 && rec.experts.size() == shape_.top_k) {
        fail(w, "expert", fmt::to_string(row_.expert),
             fmt::format("{} rows for token {} of (iteration {}, layer {}), the top-k of the "
                         "first token; this is row {}",
                         shape_.top_k, rec.token, rec.iteration, rec.layer, shape_.top_k + 1));
      }
      rec.experts.push_back(row_.expert);
      rec.weights.push_back(row_.weight);
      last_line = row_.line;
    }
    if (shape_.top_k == 0) {
      shape_.top_k = static_cast<uint32_t>(rec.experts.size());
    } else if (rec.experts.size() != shape_.top_k) {
      fail(where(last_line), "expert", fmt::format("{} row(s)", rec.experts.size()),
           fmt::format("{} rows for token {} of (iteration {}, layer {}), the top-k of the "
                       "first token",
                       shape_.top_k, rec.token, rec.iteration, rec.layer));
    }
    return true;
  }

  text::LineReader lines_;
  std::string expert_expected_;
  std::array<std::optional<size_t>, kNumColumns> index_{};  // field position of each column
  size_t num_fields_ = 0;
  std::vector<std::string_view> fields_;
  Row row_;
  bool have_row_ = false;
};

class CsvTraceWriter : public TraceWriter {
 public:
  CsvTraceWriter(const std::string& path, const TraceShape& shape) : shape_(shape), out_(path) {
    fmt::format_to(fmt::appender(out_.buffer()), "iteration,layer,token,{}expert{}\n",
                   shape_.has_ranks ? "rank," : "", shape_.has_weights ? ",weight" : "");
  }

  void write(const Batch& b) override {
    check_batch(b, shape_);
    auto& buf = out_.buffer();
    for (size_t t = 0; t < b.num_tokens(); ++t) {
      for (uint32_t j = 0; j < b.top_k; ++j) {
        fmt::format_to(fmt::appender(buf), "{},{},{},", b.iteration, b.layer, b.token_ids[t]);
        if (shape_.has_ranks) fmt::format_to(fmt::appender(buf), "{},", b.ranks[t]);
        fmt::format_to(fmt::appender(buf), "{}", b.experts[t * b.top_k + j]);
        if (shape_.has_weights)
          fmt::format_to(fmt::appender(buf), ",{}", b.weights[t * b.top_k + j]);
        buf.push_back('\n');
      }
      out_.maybe_flush();
    }
  }

  void close() override { out_.commit(); }

 private:
  TraceShape shape_;
  text::OutputFile out_;
};

}  // namespace

std::unique_ptr<TraceReader> open_csv_trace(const std::string& path, const TraceReadOptions& o) {
  return std::make_unique<CsvTraceReader>(path, o);
}

std::unique_ptr<TraceWriter> make_csv_trace_writer(const std::string& path,
                                                   const TraceShape& shape) {
  return std::make_unique<CsvTraceWriter>(path, shape);
}

}  // namespace moesim::workload
