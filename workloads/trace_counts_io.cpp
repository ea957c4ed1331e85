// Counts formats: the counts CSV `iteration,layer,expert,count` (reader with key-column filters
// for the OLMoE file, and writer), the headerless layer x expert matrix CSV, and specMoE's
// expert-usage JSON.
#include <algorithm>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "sim/core/error.hpp"
#include "sim/core/quote.hpp"
#include "workloads/trace_io.hpp"
#include "workloads/trace_json.hpp"
#include "workloads/trace_record.hpp"
#include "workloads/trace_text.hpp"

namespace moesim::workload {
namespace {

using text::fail;
using text::fail_at;

struct CountRow {
  uint32_t iteration = 0, layer = 0, expert = 0;
  uint64_t count = 0;
  size_t line = 0;
};

class CsvCountsReader : public CountsReader {
 public:
  CsvCountsReader(const std::string& path, const CountsReadOptions& o)
      : lines_(path),
        num_experts_(o.num_experts),
        expert_expected_(fmt::format("an expert id in [0, {})", o.num_experts)),
        filters_(o.filters) {
    if (num_experts_ == 0) throw InputError(fmt::format("{}: num_experts must be > 0", path));
    check_num_experts(num_experts_, path);  // sizes the per-batch arrays
    read_header();
    have_row_ = read_row(row_);
  }

  uint32_t num_experts() const override { return num_experts_; }

  bool next(LayerCounts& out) override {
    if (!have_row_) return false;
    out.iteration = row_.iteration;
    out.layer = row_.layer;
    out.counts.assign(num_experts_, 0);
    seen_.assign(num_experts_, false);
    order_.start(out.iteration, out.layer, {&lines_.path(), row_.line});
    do {
      if (seen_[row_.expert]) {
        fail({&lines_.path(), row_.line}, "expert", fmt::to_string(row_.expert),
             fmt::format("one row per expert in (iteration {}, layer {})", out.iteration,
                         out.layer));
      }
      seen_[row_.expert] = true;
      out.counts[row_.expert] = row_.count;
      have_row_ = read_row(row_);
    } while (have_row_ && row_.iteration == out.iteration && row_.layer == out.layer);
    return true;
  }

 private:
  void read_header() {
    std::string_view line;
    while (lines_.next(line)) {
      const std::string_view t = text::trim(line);
      if (t.empty() || t.front() == '#') continue;
      text::split_csv(t, fields_);
      for (size_t i = 0; i < fields_.size(); ++i) {
        const std::string_view name = fields_[i];
        std::optional<size_t>* slot = name == "iteration" ? &iteration_
                                      : name == "layer"   ? &layer_
                                      : name == "expert"  ? &expert_
                                      : name == "count"   ? &count_
                                                          : nullptr;
        if (slot) {
          if (slot->has_value()) fail(lines_.where(), "header", name, "each column once");
          *slot = i;
          continue;
        }
        const auto f = std::find_if(filters_.begin(), filters_.end(),
                                    [&](const auto& kv) { return kv.first == name; });
        if (f == filters_.end()) {
          fail(lines_.where(), "header", name,
               "a column of iteration,layer,expert,count or a filter column");
        }
        filter_index_.push_back({i, f->second});
      }
      num_fields_ = fields_.size();
      for (const auto& [name, index] :
           {std::pair{"layer", layer_}, std::pair{"expert", expert_}, std::pair{"count", count_}}) {
        if (!index) {
          fail_at(lines_.where(), fmt::format("field '{}': missing column (header '{}'); "
                                              "expected iteration,layer,expert,count",
                                              name, quote_excerpt(t)));
        }
      }
      if (filter_index_.size() != filters_.size())
        fail_at(lines_.where(), "a filter names a column the header lacks");
      return;
    }
    throw InputError(
        fmt::format("{}: no header line; expected iteration,layer,expert,count", lines_.path()));
  }

  bool read_row(CountRow& row) {
    std::string_view line;
    for (;;) {
      if (!lines_.next(line)) return false;
      const std::string_view t = text::trim(line);
      if (t.empty() || t.front() == '#') continue;
      const text::Where w = lines_.where();
      text::split_csv(t, fields_);
      if (fields_.size() != num_fields_) {
        fail_at(w, fmt::format("field '{}': the line has {} fields, expected {} (the header's "
                               "columns)",
                               fields_.size() < num_fields_ ? "(missing)" : "(extra)",
                               fields_.size(), num_fields_));
      }
      bool keep = true;
      for (const auto& [index, value] : filter_index_)
        keep = keep && fields_[index] == value;
      if (!keep) continue;
      row.line = w.line;
      row.iteration = iteration_ ? text::parse_u32(fields_[*iteration_], w, "iteration") : 0;
      row.layer = text::parse_u32(fields_[*layer_], w, "layer");
      row.expert = text::parse_u32(fields_[*expert_], w, "expert", expert_expected_);
      if (row.expert >= num_experts_) fail(w, "expert", fields_[*expert_], expert_expected_);
      row.count = text::parse_u64(fields_[*count_], w, "count", "a token count >= 0");
      return true;
    }
  }

  text::LineReader lines_;
  uint32_t num_experts_;
  std::string expert_expected_;
  std::vector<std::pair<std::string, std::string>> filters_;
  std::vector<std::pair<size_t, std::string>> filter_index_;
  std::optional<size_t> iteration_, layer_, expert_, count_;
  size_t num_fields_ = 0;
  std::vector<std::string_view> fields_;
  CountRow row_;
  bool have_row_ = false;
  std::vector<bool> seen_;
  text::BatchOrder order_;
};

}  // namespace

std::unique_ptr<CountsReader> open_counts_csv(const std::string& path, const CountsReadOptions& o) {
  return std::make_unique<CsvCountsReader>(path, o);
}

ExpertCounts read_counts_csv(const std::string& path, const CountsReadOptions& o) {
  const auto reader = open_counts_csv(path, o);
  ExpertCounts out{reader->num_experts(), {}};
  LayerCounts c;
  while (reader->next(c))
    out.entries.push_back(c);
  return out;
}

struct CountsWriter::Impl {
  explicit Impl(const std::string& path) : out(path) {}
  text::OutputFile out;
  uint32_t num_experts = 0;
};

CountsWriter::CountsWriter(const std::string& path, uint32_t num_experts)
    : impl_(std::make_unique<Impl>(path)) {
  impl_->num_experts = num_experts;
  impl_->out.buffer().append(std::string_view("iteration,layer,expert,count\n"));
}

CountsWriter::~CountsWriter() = default;

void CountsWriter::write(const LayerCounts& c) {
  if (c.counts.size() != impl_->num_experts) {
    throw InternalError(
        fmt::format("CountsWriter: {} counts, expected {}", c.counts.size(), impl_->num_experts));
  }
  auto& buf = impl_->out.buffer();
  for (uint32_t e = 0; e < impl_->num_experts; ++e)
    fmt::format_to(fmt::appender(buf), "{},{},{},{}\n", c.iteration, c.layer, e, c.counts[e]);
  impl_->out.maybe_flush();
}

void CountsWriter::close() {
  impl_->out.commit();
}

void write_counts_csv(const std::string& path, const ExpertCounts& counts) {
  CountsWriter w(path, counts.num_experts);
  for (const LayerCounts& c : counts.entries)
    w.write(c);
  w.close();
}

ExpertCounts read_count_matrix_csv(const std::string& path) {
  text::LineReader lines(path);
  ExpertCounts out;
  std::vector<std::string_view> fields;
  std::string_view line;
  while (lines.next(line)) {
    const std::string_view t = text::trim(line);
    if (t.empty() || t.front() == '#') continue;
    text::split_csv(t, fields);
    if (out.entries.empty()) {
      check_num_experts(fields.size(), fmt::format("{}:{}", path, lines.line_no()));
      out.num_experts = static_cast<uint32_t>(fields.size());
    }
    if (fields.size() != out.num_experts) {
      fail_at(lines.where(), fmt::format("field 'expert {}': the row has {} counts, expected {} "
                                         "(one per expert, like the first row)",
                                         std::min(fields.size(), size_t{out.num_experts}),
                                         fields.size(), out.num_experts));
    }
    LayerCounts c{0, static_cast<uint32_t>(out.entries.size()), {}};
    for (size_t e = 0; e < fields.size(); ++e) {
      c.counts.push_back(
          text::parse_u64(fields[e], lines.where(), fmt::format("expert {}", e), "a count >= 0"));
    }
    out.entries.push_back(std::move(c));
  }
  if (out.entries.empty()) throw InputError(fmt::format("{}: no rows", path));
  return out;
}

ExpertCounts read_expert_usage_json(const std::string& path) {
  const std::string doc = text::read_file(path);
  text::JsonCursor c(doc, path, 1);
  std::optional<uint32_t> num_experts;
  std::map<uint32_t, std::map<uint32_t, uint64_t>> usage;  // layer -> expert -> count
  std::optional<size_t> usage_line;
  const auto where = [&] { return text::Where{&path, c.line()}; };
  // Keys are numbers written as strings. Each token is read before where() is taken, so a
  // message names the token's own line.
  const auto key_number = [&](std::string_view field) {
    const std::string_view k = c.key();
    return text::parse_u32(k, where(), field);
  };
  const auto number = [&](std::string_view field, std::string_view expected) {
    const std::string_view v = c.number(field);
    return text::parse_u64(v, where(), field, expected);
  };
  c.expect('{', "to start the document");
  if (!c.consume('}')) {
    do {
      const std::string_view key = c.key();
      if (key == "num_experts") {
        const uint64_t n = number(key, "an expert count in 1..65536");
        if (n == 0 || n > (1u << 16)) text::fail(where(), key, fmt::to_string(n), "1..65536");
        num_experts = static_cast<uint32_t>(n);
      } else if (key == "expert_usage_by_layer") {
        usage_line = c.line();
        c.expect('{', "to start the layers");
        if (!c.consume('}')) {
          do {
            const uint32_t layer = key_number("layer");
            auto& experts = usage[layer];
            c.expect('{', "to start a layer's experts");
            if (!c.consume('}')) {
              do {
                const uint32_t e = key_number("expert");
                experts[e] = number("count", "a count >= 0");
              } while (c.consume(','));
              c.expect('}', "to close a layer's experts");
            }
          } while (c.consume(','));
          c.expect('}', "to close the layers");
        }
      } else {
        c.skip_value();
      }
    } while (c.consume(','));
    c.expect('}', "to close the document");
  }
  c.expect_end();
  if (!num_experts || *num_experts == 0)
    throw InputError(fmt::format("{}: field 'num_experts': missing or 0", path));
  if (!usage_line)
    throw InputError(fmt::format("{}: field 'expert_usage_by_layer': missing", path));
  ExpertCounts out{*num_experts, {}};
  for (const auto& [layer, experts] : usage) {
    LayerCounts lc{0, layer, std::vector<uint64_t>(*num_experts, 0)};
    for (const auto& [e, count] : experts) {
      if (e >= *num_experts) {
        fail({&path, *usage_line}, "expert", fmt::to_string(e),
             fmt::format("an expert id in [0, {}) (layer {})", *num_experts, layer));
      }
      lc.counts[e] = count;
    }
    out.entries.push_back(std::move(lc));
  }
  return out;
}

}  // namespace moesim::workload
