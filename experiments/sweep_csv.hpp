// CSV reading and writing for the sweep's results.csv files (RFC 4180: fields that hold a
// comma, quote or newline are quoted, quotes doubled). Self-contained so that the sweep
// library (shared with moesim-mpi) depends on neither the simulator nor the analysis code.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace moesim::cli {

std::string csv_quote(std::string_view field);
// The fields quoted as needed, comma-separated, ending with '\n'.
std::string csv_line(const std::vector<std::string>& fields);

struct CsvRecord {
  std::vector<std::string> fields;
  size_t line = 0;          // 1-based line where the record starts
  size_t begin = 0;         // byte offset of its first character
  size_t end = 0;           // byte offset just past its terminating '\n' (or the text's end)
  bool terminated = false;  // false: the text ended inside this record (a torn last line)
};

// Splits `text` into records. Never throws: an unterminated quote runs to the end of the text
// and leaves the last record unterminated, as a torn write would.
std::vector<CsvRecord> parse_csv(std::string_view text);

}  // namespace moesim::cli
