#include "sim/core/options.hpp"

#include "sim/core/text.hpp"

#include <charconv>
#include <cmath>

#include <fmt/format.h>

namespace moesim {
namespace {

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& i : items) {
    if (!out.empty()) out += sep;
    out += i.empty() ? "''" : i;
  }
  return out;
}

bool contains(const std::vector<std::string>& v, std::string_view x) {
  for (const auto& i : v) {
    if (i == x) return true;
  }
  return false;
}

}  // namespace

std::string OptionSpec::expected() const {
  std::string base;
  switch (kind) {
    case OptionKind::Text:
      base = "text";
      break;
    case OptionKind::Count:
      base = count_max == UINT64_MAX
                 ? fmt::format("a whole number >= {}", count_min)
                 : fmt::format("a whole number from {} to {}", count_min, count_max);
      break;
    case OptionKind::Real:
      base = fmt::format("a number from {} to {}", real_min, real_max);
      break;
    case OptionKind::Bytes:
      base = "a size with a unit such as 4KiB or 2MB";
      break;
    case OptionKind::Rate:
      base = "a rate with a unit such as 400Gbps or 100G";
      break;
    case OptionKind::Time:
      base = "a time with a unit such as 1.5us or 500ns";
      break;
    case OptionKind::YesNo:
      base = "yes or no";
      break;
    case OptionKind::Choice:
      base = "one of " + join(choices, ", ");
      break;
    case OptionKind::List:
      base = choices.empty() ? "a comma-separated list without empty items"
                             : "a comma-separated list of " + join(choices, ", ");
      break;
  }
  std::vector<std::string> words;
  for (const auto& k : keywords) {
    if (!k.empty()) words.push_back(k);
  }
  if (words.empty()) return base;
  return join(words, ", ") + " or " + base;
}

OptionSpec text_option(std::string name, std::string def, std::string group, std::string help) {
  OptionSpec s;
  s.name = std::move(name), s.def = std::move(def), s.group = std::move(group);
  s.help = std::move(help);
  return s;
}

OptionSpec count_option(std::string name, std::string def, std::string group, std::string help,
                        uint64_t min, uint64_t max) {
  OptionSpec s = text_option(std::move(name), std::move(def), std::move(group), std::move(help));
  s.kind = OptionKind::Count, s.count_min = min, s.count_max = max;
  return s;
}

OptionSpec real_option(std::string name, std::string def, std::string group, std::string help,
                       double min, double max) {
  OptionSpec s = text_option(std::move(name), std::move(def), std::move(group), std::move(help));
  s.kind = OptionKind::Real, s.real_min = min, s.real_max = max;
  return s;
}

OptionSpec unit_option(OptionKind kind, std::string name, std::string def, std::string group,
                       std::string help) {
  OptionSpec s = text_option(std::move(name), std::move(def), std::move(group), std::move(help));
  s.kind = kind;
  return s;
}

OptionSpec choice_option(std::string name, std::string def, std::string group, std::string help,
                         std::vector<std::string> choices) {
  OptionSpec s = text_option(std::move(name), std::move(def), std::move(group), std::move(help));
  s.kind = OptionKind::Choice, s.choices = std::move(choices);
  return s;
}

OptionSpec list_option(std::string name, std::string def, std::string group, std::string help,
                       std::vector<std::string> choices) {
  OptionSpec s = text_option(std::move(name), std::move(def), std::move(group), std::move(help));
  s.kind = OptionKind::List, s.choices = std::move(choices);
  return s;
}

OptionSpec param(OptionSpec s) {
  s.is_param = true;
  return s;
}

OptionSpec with_keywords(OptionSpec s, std::vector<std::string> keywords) {
  s.keywords = std::move(keywords);
  return s;
}

std::optional<uint64_t> parse_whole(std::string_view text) {
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return v;
}

std::optional<double> parse_finite(std::string_view text) {
  double v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(v)) {
    return std::nullopt;
  }
  return v;
}

std::optional<std::vector<std::string>> split_items(std::string_view text) {
  std::vector<std::string> items;
  size_t begin = 0;
  while (true) {
    const size_t comma = text.find(',', begin);
    const size_t len = comma == std::string_view::npos ? std::string_view::npos : comma - begin;
    std::string item(trim_blanks(text.substr(begin, len)));
    if (item.empty()) return std::nullopt;
    items.push_back(std::move(item));
    if (comma == std::string_view::npos) return items;
    begin = comma + 1;
  }
}

void OptionValues::set(const OptionSpec& spec, std::string text, std::string source) {
  Entry e{spec, std::move(text), std::move(source), std::monostate{}};
  const std::string& t = e.text;
  const std::string where = e.source == "default" || e.source == "command line"
                                ? "--" + spec.name
                                : e.source + ": " + spec.name;
  const auto fail = [&]() {
    throw InputError(fmt::format("{}: '{}': expected {}", where, t, spec.expected()));
  };
  if (!contains(spec.keywords, t)) {
    switch (spec.kind) {
      case OptionKind::Text:
        e.value = t;
        break;
      case OptionKind::Count: {
        const auto v = parse_whole(t);
        if (!v || *v < spec.count_min || *v > spec.count_max) fail();
        e.value = *v;
        break;
      }
      case OptionKind::Real: {
        const auto v = parse_finite(t);
        if (!v || *v < spec.real_min || *v > spec.real_max) fail();
        e.value = *v;
        break;
      }
      case OptionKind::Bytes:
        e.value = parse_bytes(t, where);
        break;
      case OptionKind::Rate:
        e.value = parse_rate(t, where);
        break;
      case OptionKind::Time:
        e.value = parse_time(t, where);
        break;
      case OptionKind::YesNo:
        if (t != "yes" && t != "no") fail();
        e.value = t == "yes";
        break;
      case OptionKind::Choice:
        if (!contains(spec.choices, t)) fail();
        e.value = t;
        break;
      case OptionKind::List: {
        auto items = split_items(t);
        if (!items) fail();
        for (const auto& i : *items) {
          if (!spec.choices.empty() && !contains(spec.choices, i)) {
            throw InputError(fmt::format("{}: '{}': unknown item '{}': expected {}", where, t, i,
                                         spec.expected()));
          }
        }
        e.value = std::move(*items);
        break;
      }
    }
  }
  const std::string name = spec.name;
  values_.insert_or_assign(name, std::move(e));
}

void OptionValues::set(const std::string& name, std::string text, std::string source) {
  const OptionSpec s = entry(name).spec;
  set(s, std::move(text), std::move(source));
}

const OptionValues::Entry& OptionValues::entry(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) throw InternalError("option not declared: " + name);
  return it->second;
}

template <class T>
const T& OptionValues::typed(const std::string& name) const {
  const Entry& e = entry(name);
  if (const T* v = std::get_if<T>(&e.value)) return *v;
  throw InternalError(
      fmt::format("option {} = '{}' read as the wrong kind (a keyword?)", name, e.text));
}

const std::string& OptionValues::text(const std::string& name) const {
  return entry(name).text;
}
uint64_t OptionValues::count(const std::string& name) const {
  return typed<uint64_t>(name);
}
double OptionValues::real(const std::string& name) const {
  return typed<double>(name);
}
Bytes OptionValues::bytes(const std::string& name) const {
  return typed<Bytes>(name);
}
BitsPerSec OptionValues::rate(const std::string& name) const {
  return typed<BitsPerSec>(name);
}
TimePs OptionValues::time(const std::string& name) const {
  return typed<TimePs>(name);
}
bool OptionValues::yes(const std::string& name) const {
  return typed<bool>(name);
}
const std::vector<std::string>& OptionValues::list(const std::string& name) const {
  return typed<std::vector<std::string>>(name);
}

std::string OptionValues::where(const std::string& name) const {
  const std::string& src = entry(name).source;
  if (src == "default" || src == "command line") return "--" + name;
  return fmt::format("{}: {}", src, name);
}

const std::string& OptionValues::source(const std::string& name) const {
  return entry(name).source;
}

void OptionValues::reject(const std::string& name, std::string_view expected) const {
  throw InputError(fmt::format("{}: '{}': expected {}", where(name), text(name), expected));
}

const OptionSpec& OptionValues::spec(const std::string& name) const {
  return entry(name).spec;
}

std::vector<std::string> OptionValues::names() const {
  std::vector<std::string> out;
  for (const auto& [name, e] : values_)
    out.push_back(name);
  return out;
}

FieldError::FieldError(std::string field, std::string value, std::string expected)
    : InputError(fmt::format("--{}: value '{}': expected {}", field, value, expected)),
      field_(std::move(field)),
      value_(std::move(value)),
      expected_(std::move(expected)) {}

void rethrow_with_source(const OptionValues& values, const FieldError& e,
                         const std::map<std::string, std::string>& aliases) {
  auto alias = aliases.find(e.field());
  const std::string option = alias != aliases.end() ? alias->second : e.field();
  if (!values.has(option)) throw e;
  const std::string where = values.where(option);
  if (values.text(option) == e.value()) {
    throw InputError(fmt::format("{}: '{}': expected {}", where, e.value(), e.expected()));
  }
  throw InputError(fmt::format("{} ('{}'): value '{}': expected {}", where, values.text(option),
                               e.value(), e.expected()));
}

}  // namespace moesim
