// Format dispatch by file extension and whole-trace convenience functions.
#include "workloads/trace_io.hpp"

#include <fmt/format.h>

#include "sim/core/error.hpp"

namespace moesim::workload {
namespace {

enum class Format { kCsv, kJsonl, kBinary, kNumpy };

Format format_of(const std::string& path) {
  const auto ends_with = [&](std::string_view suffix) {
    return path.size() >= suffix.size() &&
           path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (ends_with(".csv")) return Format::kCsv;
  if (ends_with(".jsonl")) return Format::kJsonl;
  if (ends_with(".mtrace")) return Format::kBinary;
  if (ends_with(".npy") || ends_with(".npz")) return Format::kNumpy;
  throw InputError(fmt::format(
      "{}: unknown trace format: expected a .csv, .jsonl, .mtrace, .npy or .npz file", path));
}

}  // namespace

std::unique_ptr<TraceReader> open_trace(const std::string& path, const TraceReadOptions& o) {
  switch (format_of(path)) {
    case Format::kCsv:
      return open_csv_trace(path, o);
    case Format::kJsonl:
      return open_jsonl_trace(path, o);
    case Format::kBinary:
      return open_binary_trace(path, o);
    case Format::kNumpy:
      return open_npy_trace(path, o);
  }
  throw InternalError("open_trace: unhandled format");
}

Trace read_trace(const std::string& path, const TraceReadOptions& o) {
  return read_all(*open_trace(path, o));
}

std::unique_ptr<TraceWriter> make_trace_writer(const std::string& path, const TraceShape& shape) {
  switch (format_of(path)) {
    case Format::kCsv:
      return make_csv_trace_writer(path, shape);
    case Format::kJsonl:
      return make_jsonl_trace_writer(path, shape);
    case Format::kBinary:
      return make_binary_trace_writer(path, shape);
    case Format::kNumpy:
      return make_npy_trace_writer(path, shape);
  }
  throw InternalError("make_trace_writer: unhandled format");
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
