// JSONL trace reader and writer: one object per (token, layer), the layout of the real Mixtral
// traces in data/traces (see trace_io.hpp for the keys and how iterations are delimited).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "sim/core/error.hpp"
#include "workloads/trace_io.hpp"
#include "workloads/trace_json.hpp"
#include "workloads/trace_record.hpp"
#include "workloads/trace_text.hpp"

namespace moesim::workload {
namespace {

using text::fail;
using text::fail_at;

// Which optional keys a line carries; the first record fixes the pattern for the file.
struct Keys {
  bool iteration = false, token = false, weights = false, rank = false;
};

class JsonlTraceReader : public text::RecordTraceReader {
 public:
  JsonlTraceReader(const std::string& path, const TraceReadOptions& o)
      : RecordTraceReader(path, o, "token_idx"),
        lines_(path),
        expert_expected_(fmt::format("an expert id in [0, {})", o.num_experts)) {
    prime();
  }

 private:
  // Parses one line into rec (iteration and token as given, if given) and `keys`.
  void parse_line(std::string_view line, text::TokenRecord& rec, Keys& keys) {
    const text::Where w = lines_.where();
    text::JsonCursor c(line, path_, w.line);
    bool have_layer = false, have_experts = false;
    request_.clear();
    keys = {};
    const auto once = [&](bool& seen, std::string_view key) {
      if (seen) fail_at(w, fmt::format("field '{}': appears twice, expected once", key));
      seen = true;
    };
    bool have_dataset = false, have_problem = false;
    c.expect('{', "to start a record");
    if (!c.consume('}')) {
      do {
        const std::string_view key = c.key();
        if (key == "layer") {
          once(have_layer, key);
          rec.layer = text::parse_u32(c.number(key), w, key, "a layer index >= 0");
        } else if (key == "experts") {
          once(have_experts, key);
          rec.experts.clear();
          c.expect('[', "to start the expert list");
          if (!c.consume(']')) {
            do {
              const std::string_view v = c.number(key);
              const uint32_t e = text::parse_u32(v, w, key, expert_expected_);
              if (e >= shape_.num_experts) fail(w, key, v, expert_expected_);
              rec.experts.push_back(e);
            } while (c.consume(','));
            c.expect(']', "to close the expert list");
          }
        } else if (key == "gating_probs") {
          once(keys.weights, key);
          rec.weights.clear();
          c.expect('[', "to start the gate weights");
          if (!c.consume(']')) {
            do {
              rec.weights.push_back(text::parse_weight(c.number(key), w, key));
            } while (c.consume(','));
            c.expect(']', "to close the gate weights");
          }
        } else if (key == "token_idx" || key == "token_pos") {
          once(keys.token, "token_idx");
          rec.token = text::parse_u32(c.number(key), w, key, "a token index >= 0");
        } else if (key == "iteration") {
          once(keys.iteration, key);
          rec.iteration = text::parse_u32(c.number(key), w, key, "an iteration >= 0");
        } else if (key == "rank") {
          once(keys.rank, key);
          rec.rank = text::parse_u32(c.number(key), w, key, "a GPU rank >= 0");
        } else if (key == "dataset" || key == "problem_id") {
          // The request key, compared raw: any change starts a new iteration.
          once(key == "dataset" ? have_dataset : have_problem, key);
          request_.append(key).push_back(':');
          if (c.peek() == '"') {
            request_.append(c.string());
          } else {
            request_.append(c.number(key));
          }
          request_.push_back('\n');
        } else {
          c.skip_value();
        }
      } while (c.consume(','));
      c.expect('}', "to close the record");
    }
    c.expect_end();
    if (!have_layer) fail_at(w, "field 'layer': missing, expected on every record");
    if (!have_experts) fail_at(w, "field 'experts': missing, expected on every record");
  }

  void check_record(const text::TokenRecord& rec, const Keys& keys, text::Where w) {
    if (rec.experts.empty()) fail(w, "experts", "[]", "at least one expert id");
    if (shape_.top_k == 0) shape_.top_k = static_cast<uint32_t>(rec.experts.size());
    if (rec.experts.size() != shape_.top_k) {
      fail(w, "experts", fmt::format("[{}]", fmt::join(rec.experts, ", ")),
           fmt::format("{} expert ids (the top-k of the first record)", shape_.top_k));
    }
    if (keys.weights && rec.weights.size() != rec.experts.size()) {
      fail(w, "gating_probs", fmt::format("[{}]", fmt::join(rec.weights, ", ")),
           fmt::format("{} weights, one per expert", rec.experts.size()));
    }
    const auto same = [&](bool now, bool first, std::string_view key) {
      if (now == first) return;
      fail_at(w, fmt::format("field '{}': {}, expected {} on every record, like the first "
                             "record (line {})",
                             key, now ? "present" : "missing", first ? "present" : "absent",
                             first_line_));
    };
    same(keys.iteration, first_keys_.iteration, "iteration");
    same(keys.token, first_keys_.token, "token_idx");
    same(keys.weights, first_keys_.weights, "gating_probs");
    same(keys.rank, first_keys_.rank, "rank");
  }

  bool read_record(text::TokenRecord& rec) override {
    std::string_view line;
    do {
      if (!lines_.next(line)) return false;
    } while (text::trim(line).empty());
    Keys keys;
    parse_line(line, rec, keys);
    rec.line = lines_.line_no();
    const bool first = first_line_ == 0;
    if (first) {
      first_line_ = rec.line;
      first_keys_ = keys;
      shape_.has_weights = keys.weights;
      shape_.has_ranks = keys.rank;
    }
    check_record(rec, keys, lines_.where());

    // Implicit iterations and token ids (trace_io.hpp): a new iteration when the request
    // changes, the layer goes down, or the layer stays and the token index does not go up.
    const bool same_layer = !first && rec.layer == prev_layer_;
    if (!keys.iteration) {
      const bool new_iteration = !first && (request_ != prev_request_ || rec.layer < prev_layer_ ||
                                            (same_layer && keys.token && rec.token <= prev_token_));
      if (new_iteration) ++implicit_iteration_;
      rec.iteration = implicit_iteration_;
    }
    if (!keys.token) {
      rec.token = (same_layer && rec.iteration == prev_iteration_) ? prev_token_ + 1 : 0;
    }
    prev_request_.swap(request_);
    prev_layer_ = rec.layer;
    prev_token_ = rec.token;
    prev_iteration_ = rec.iteration;
    return true;
  }

  text::LineReader lines_;
  std::string expert_expected_;
  size_t first_line_ = 0;  // 0 until the first record is read
  Keys first_keys_;
  std::string request_, prev_request_;
  uint32_t prev_layer_ = 0, prev_token_ = 0, prev_iteration_ = 0;
  uint32_t implicit_iteration_ = 0;
};

class JsonlTraceWriter : public TraceWriter {
 public:
  JsonlTraceWriter(const std::string& path, const TraceShape& shape) : shape_(shape), out_(path) {}

  void write(const Batch& b) override {
    check_batch(b, shape_);
    auto& buf = out_.buffer();
    for (size_t t = 0; t < b.num_tokens(); ++t) {
      fmt::format_to(fmt::appender(buf), "{{\"iteration\": {}, \"layer\": {}, \"experts\": [{}]",
                     b.iteration, b.layer, fmt::join(b.experts_of(t), ", "));
      if (shape_.has_weights) {
        fmt::format_to(fmt::appender(buf), ", \"gating_probs\": [{}]",
                       fmt::join(b.weights_of(t), ", "));
      }
      fmt::format_to(fmt::appender(buf), ", \"token_idx\": {}", b.token_ids[t]);
      if (shape_.has_ranks) fmt::format_to(fmt::appender(buf), ", \"rank\": {}", b.ranks[t]);
      buf.append(std::string_view("}\n"));
      out_.maybe_flush();
    }
  }

  void close() override { out_.commit(); }

 private:
  TraceShape shape_;
  text::OutputFile out_;
};

}  // namespace

std::unique_ptr<TraceReader> open_jsonl_trace(const std::string& path, const TraceReadOptions& o) {
  return std::make_unique<JsonlTraceReader>(path, o);
}

std::unique_ptr<TraceWriter> make_jsonl_trace_writer(const std::string& path,
                                                     const TraceShape& shape) {
  return std::make_unique<JsonlTraceWriter>(path, shape);
}

}  // namespace moesim::workload
