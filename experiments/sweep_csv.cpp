#include "experiments/sweep_csv.hpp"

namespace moesim::cli {

std::string csv_quote(std::string_view field) {
  if (field.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(field);
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string csv_line(const std::vector<std::string>& fields) {
  std::string line;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) line += ',';
    line += csv_quote(fields[i]);
  }
  return line + "\n";
}

std::vector<CsvRecord> parse_csv(std::string_view text) {
  std::vector<CsvRecord> records;
  size_t pos = 0;
  size_t line = 1;
  while (pos < text.size()) {
    CsvRecord rec;
    rec.line = line;
    rec.begin = pos;
    std::string field;
    bool quoted = false;
    while (pos < text.size()) {
      const char c = text[pos++];
      if (quoted) {
        if (c == '"' && pos < text.size() && text[pos] == '"') {
          field += '"';
          ++pos;
        } else if (c == '"') {
          quoted = false;
        } else {
          if (c == '\n') ++line;
          field += c;
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        rec.fields.push_back(std::move(field));
        field.clear();
      } else if (c == '\n') {
        rec.terminated = true;
        ++line;
        break;
      } else if (c != '\r') {
        field += c;
      }
    }
    rec.fields.push_back(std::move(field));
    rec.end = pos;
    records.push_back(std::move(rec));
  }
  return records;
}

}  // namespace moesim::cli
