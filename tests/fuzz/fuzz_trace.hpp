// The body of the trace-format harnesses (fuzz_trace_csv, _jsonl, _binary, _npy, _npz): read the
// input through the format's streaming reader; if it is accepted, write it back in the same
// format and read that again, which must give the same trace (trace_io.hpp promises that
// written files read back exactly).
#pragma once

#include <memory>
#include <string>

#include "tests/fuzz/fuzz_common.hpp"
#include "workloads/trace_io.hpp"

namespace moesim::fuzz {

using OpenTrace = std::unique_ptr<workload::TraceReader> (*)(const std::string&,
                                                             const workload::TraceReadOptions&);

inline void fuzz_trace(const uint8_t* data, size_t size, const char* extension, OpenTrace open,
                       const workload::TraceReadOptions& options) {
  static ScratchFile input{std::string(extension)};
  static ScratchFile copy{std::string(".copy") + extension};
  const std::string& path = input.write(data, size);
  reject_only_input_errors([&] {
    workload::Trace trace;
    {
      auto reader = open(path, options);
      trace.shape = reader->shape();
      workload::Batch b;
      while (reader->next(b))
        trace.batches.push_back(b);
    }
    workload::write_trace(copy.path(), trace);
    // An accepted trace that does not survive its own writer is a finding: no InputError
    // is expected here, so anything thrown escapes reject_only_input_errors' first clause.
    workload::Trace again;
    try {
      again = workload::read_trace(copy.path(), options);
    } catch (const InputError& e) {
      std::fprintf(stderr, "moesim fuzz: written trace rejected: %s\n", e.what());
      std::abort();
    }
    if (!(again == trace)) {
      std::fprintf(stderr, "moesim fuzz: trace changed on write and read back\n");
      std::abort();
    }
  });
}

}  // namespace moesim::fuzz
