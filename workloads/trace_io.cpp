// Format dispatch by file extension and whole-trace convenience functions.
#include "workloads/trace_io.hpp"

#include <fmt/format.h>

#include "sim/core/error.hpp"

namespace moesim::workload {
namespace {

enum class Format { kCsv, kJsonl };

Format format_of(const std::string& path) {
  const auto ends_with = [&](std::string_view suffix) {
    return path.size() >= suffix.size() && path.compare(path.size() - suffix.size(),
                                                        suffix.size(), suffix) == 0;
  };
  if (ends_with(".csv")) return Format::kCsv;
  if (ends_with(".jsonl")) return Format::kJsonl;
  throw InputError(fmt::format("{}: unknown trace format: expected a .csv or .jsonl file", path));
}

}  // namespace

std::unique_ptr<TraceReader> open_trace(const std::string& path, const TraceReadOptions& o) {
  return format_of(path) == Format::kCsv ? open_csv_trace(path, o) : open_jsonl_trace(path, o);
}

Trace read_trace(const std::string& path, const TraceReadOptions& o) {
  return read_all(*open_trace(path, o));
}

std::unique_ptr<TraceWriter> make_trace_writer(const std::string& path, const TraceShape& shape) {
  return format_of(path) == Format::kCsv ? make_csv_trace_writer(path, shape)
                                         : make_jsonl_trace_writer(path, shape);
}

void write_trace(const std::string& path, const Trace& trace) {
  MemoryTraceReader reader(trace);
  const auto writer = make_trace_writer(path, trace.shape);
  copy_trace(reader, *writer);
}

void copy_trace(TraceReader& reader, TraceWriter& writer) {
  Batch b;
  while (reader.next(b))
    writer.write(b);
  writer.close();
}

}  // namespace moesim::workload
