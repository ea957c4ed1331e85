// The one reader of `key = value` files, used by --config (options) and --grid (sweeps):
// one assignment per line, blank lines and lines starting with '#' or ';' skipped, blanks
// around key and value trimmed, a UTF-8 byte-order mark at the start of the file skipped
// (spreadsheet tools write one). Every line remembers its number for error messages.
#pragma once

#include <string>
#include <vector>

namespace moesim::cli {

struct IniLine {
  std::string key;
  std::string value;
  int line = 0;
  std::string where;  // "path:line"
};

// InputError naming `option` (e.g. "--config") when the path is not a readable regular file,
// and naming path:line for a line without '=' or with an empty key. `each_key_once`: a key
// given twice is an error naming both lines.
std::vector<IniLine> read_ini_file(const std::string& path, const std::string& option,
                                   bool each_key_once);

}  // namespace moesim::cli
