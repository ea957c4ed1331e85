#include "experiments/ini_file.hpp"

#include <filesystem>
#include <fstream>
#include <map>

#include <fmt/format.h>

#include "sim/core/error.hpp"
#include "sim/core/text.hpp"

namespace moesim::cli {
namespace {

std::string trim(std::string_view s) {
  return std::string(trim_blanks(s));
}

}  // namespace

std::vector<IniLine> read_ini_file(const std::string& path, const std::string& option,
                                   bool each_key_once) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw InputError(
        fmt::format("{}: '{}' is a directory: expected a file of key = value lines", option, path));
  }
  std::ifstream in(path);
  if (!in) {
    throw InputError(fmt::format("{}: cannot open '{}': expected a readable file", option, path));
  }
  std::vector<IniLine> out;
  std::map<std::string, int> seen;
  std::string line;
  for (int lineno = 1; std::getline(in, line); ++lineno) {
    if (lineno == 1 && line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);
    const std::string t = trim(line);
    if (t.empty() || t[0] == '#' || t[0] == ';') continue;
    const std::string where = fmt::format("{}:{}", path, lineno);
    const size_t eq = t.find('=');
    if (eq == std::string::npos) {
      throw InputError(fmt::format("{}: '{}': expected key = value", where, t));
    }
    IniLine l{trim(t.substr(0, eq)), trim(t.substr(eq + 1)), lineno, where};
    if (l.key.empty()) {
      throw InputError(fmt::format("{}: '{}': expected a key before '='", where, t));
    }
    if (each_key_once) {
      auto [it, fresh] = seen.emplace(l.key, lineno);
      if (!fresh) {
        throw InputError(fmt::format("{}: key '{}' repeats line {}: expected each key once", where,
                                     l.key, it->second));
      }
    }
    out.push_back(std::move(l));
  }
  return out;
}

}  // namespace moesim::cli
