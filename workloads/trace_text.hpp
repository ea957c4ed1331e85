// Text plumbing shared by the trace readers and writers (internal to workloads/): a buffered
// line reader that counts lines, CSV field splitting, strict number parsing whose errors name
// file:line, field, value and what was expected, and an output file that is written under a
// temporary name and renamed into place only when complete.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

namespace moesim::workload::text {

// Where a value came from, for messages: "path:line".
struct Where {
  const std::string* path = nullptr;
  size_t line = 0;
};

// Throws InputError "path:line: field 'f': value 'v': expected E" (v through quote_excerpt:
// control characters escaped, cut after 60 bytes).
[[noreturn]] void fail(Where w, std::string_view field, std::string_view value,
                       std::string_view expected);
// Throws InputError "path:line: message". File text in `message` must be quote_excerpt'ed.
[[noreturn]] void fail_at(Where w, std::string_view message);

// Reads a file line by line through a 1 MiB buffer. Lines are returned without the '\n' and
// without a trailing '\r', the first without a UTF-8 byte-order mark; a view stays valid
// until the next call.
class LineReader {
 public:
  explicit LineReader(std::string path);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  bool next(std::string_view& line);
  size_t line_no() const { return line_no_; }  // of the line last returned
  const std::string& path() const { return path_; }
  Where where() const { return {&path_, line_no_}; }

 private:
  bool refill();
  std::string path_;
  std::FILE* file_ = nullptr;
  std::vector<char> buf_;
  size_t begin_ = 0, end_ = 0;
  bool eof_ = false;
  size_t line_no_ = 0;
};

// Whole file as a string (for small JSON documents), without a leading byte-order mark;
// InputError if unreadable.
std::string read_file(const std::string& path);

std::string_view trim(std::string_view s);
// Splits on ',' and trims each field; `out` is reused.
void split_csv(std::string_view line, std::vector<std::string_view>& out);

// Plain decimal digits only (no sign, no spaces, no exponent), within the type's range.
// On failure: fail(w, field, text, expected).
uint32_t parse_u32(std::string_view text, Where w, std::string_view field,
                   std::string_view expected = "a whole number >= 0");
uint64_t parse_u64(std::string_view text, Where w, std::string_view field,
                   std::string_view expected = "a whole number >= 0");
// A finite number >= 0 (decimal or exponent form), correctly rounded to float.
float parse_weight(std::string_view text, Where w, std::string_view field);

// An output file written to "<path>.tmp" and renamed to `path` by commit(); destroyed without
// commit, it removes the temporary, so a failed run never leaves a half-written file.
class OutputFile {
 public:
  explicit OutputFile(std::string path);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  fmt::memory_buffer& buffer() { return buf_; }
  // Writes the buffer out once it is large; call after each appended record.
  void maybe_flush() {
    if (buf_.size() >= (1u << 20)) flush();
  }
  void commit();

 private:
  void flush();
  std::string path_, tmp_;
  std::FILE* file_ = nullptr;
  fmt::memory_buffer buf_;
};

}  // namespace moesim::workload::text
