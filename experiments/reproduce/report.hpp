// reproduce.csv and the README table made from it: one writer for the CSV, one reader that
// turns a CSV written by it into a Markdown table (so the README never holds hand-copied
// numbers).
#pragma once

#include <iosfwd>
#include <string>

#include "experiments/reproduce/claim.hpp"

namespace moesim::cli::reproduce {

// claim,source,setting,paper_value,moesim_value,ratio,unit,note,band,status
extern const char* const kCsvHeader;

void write_csv_row(std::ostream& os, const Row& r);
// "ok" or "OUTSIDE".
const char* status(const Row& r);

// The Markdown table of a reproduce.csv's text; InputError naming `what` if it is not one.
std::string markdown_table(const std::string& csv, const std::string& what);

}  // namespace moesim::cli::reproduce
