// A small strict JSON cursor for the trace readers (internal to workloads/). It walks one JSON
// text without building a tree: the caller asks for the token it expects (object start, key,
// number, string, array) and skips what it does not need. Numbers and strings come back as
// views of the input, so the caller validates them with the field's own rule. Chosen over
// boost::property_tree, which keeps every number as a string in a heap-allocated tree and
// cannot tell 7 from "7" (measurements in trace_io.hpp).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace moesim::workload::text {

class JsonCursor {
 public:
  // `path` and `first_line` locate `text` in its file for messages; errors report the line
  // of the offending character.
  JsonCursor(std::string_view text, const std::string& path, size_t first_line)
      : text_(text), path_(path), line_(first_line) {}

  // Skips whitespace; true if the next character is `c` (and consumes it).
  bool consume(char c);
  // Skips whitespace; throws unless the next character is `c`.
  void expect(char c, std::string_view context);
  // Skips whitespace and returns the next character without consuming it ('\0' at the end).
  char peek();
  // A string's raw contents (escapes validated, not decoded).
  std::string_view string();
  // A key and its ':'.
  std::string_view key();
  // A number token per the JSON grammar, as text.
  std::string_view number(std::string_view field);
  // Skips any value.
  void skip_value();
  // Throws unless only whitespace remains.
  void expect_end();

  size_t line() const { return line_; }  // line of the current position
  [[noreturn]] void syntax_error(std::string_view what) const;

 private:
  void skip_ws();
  std::string_view text_;
  const std::string& path_;
  size_t line_;
  size_t pos_ = 0;
  int depth_ = 0;
};

}  // namespace moesim::workload::text
