// Typed options: an option is declared once as an OptionSpec (name, kind, default, group, help,
// allowed range or choices), and its text is parsed once, where it enters ("parse, don't
// validate"), into a typed value that remembers where it came from ("--leaves", "exp.ini:3" or
// the default). Any later error about the value can then name its source. The command line and
// config files are read in experiments/; everything below it reads OptionValues.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sim/core/error.hpp"
#include "sim/core/units.hpp"

namespace moesim {

enum class OptionKind : uint8_t {
  Text,    // free text (a path, a name checked later by a registry)
  Count,   // a whole number in [count_min, count_max]
  Real,    // a finite number in [real_min, real_max]
  Bytes,   // a size with a unit: 4KiB
  Rate,    // a rate with a unit: 400Gbps
  Time,    // a time with a unit: 1.5us
  YesNo,   // yes | no
  Choice,  // one of `choices`
  List,    // comma-separated items, none empty; each in `choices` when that is not empty
};

struct OptionSpec {
  std::string name;
  OptionKind kind = OptionKind::Text;
  std::string def;    // default value as text
  std::string group;  // "topology", "workload", "simulation", "output", ...
  // Further groups whose commands accept the option too (one name, one spec: `--loads` is the
  // MoE run's slot counts and `moesim place`'s loads); --help lists it under each.
  std::vector<std::string> also_in;
  std::string help;
  uint64_t count_min = 0, count_max = UINT64_MAX;
  double real_min = -1e300, real_max = 1e300;
  std::vector<std::string> choices;
  // Words accepted in place of a typed value ("auto", "preset", "" for not given).
  std::vector<std::string> keywords;
  bool is_param = false;  // a scenario parameter: becomes a column of results.csv

  bool in_group(std::string_view g) const {
    return group == g || std::find(also_in.begin(), also_in.end(), g) != also_in.end();
  }

  // What a value must look like, for help text and errors: "a whole number from 1 to 64".
  std::string expected() const;
};

// Declaration helpers: the table of a command reads as one line per option.
OptionSpec text_option(std::string name, std::string def, std::string group, std::string help);
OptionSpec count_option(std::string name, std::string def, std::string group, std::string help,
                        uint64_t min, uint64_t max);
OptionSpec real_option(std::string name, std::string def, std::string group, std::string help,
                       double min, double max);
OptionSpec unit_option(OptionKind kind, std::string name, std::string def, std::string group,
                       std::string help);
OptionSpec choice_option(std::string name, std::string def, std::string group, std::string help,
                         std::vector<std::string> choices);
OptionSpec list_option(std::string name, std::string def, std::string group, std::string help,
                       std::vector<std::string> choices = {});
// Marks a spec as a results.csv parameter / adds keywords, for chaining.
OptionSpec param(OptionSpec s);
OptionSpec with_keywords(OptionSpec s, std::vector<std::string> keywords);

// The one number parser: the whole text must be a number. std::nullopt otherwise.
std::optional<uint64_t> parse_whole(std::string_view text);
std::optional<double> parse_finite(std::string_view text);
// Splits "a,b,c" into items trimmed of blanks; std::nullopt if an item is empty.
std::optional<std::vector<std::string>> split_items(std::string_view text);

// Resolved option values, typed, each with its source. Reading an option that was not declared
// is an InternalError (a bug); a value of the wrong kind likewise.
class OptionValues {
 public:
  using Value = std::variant<std::monostate, std::string, uint64_t, double, Bytes, BitsPerSec,
                             TimePs, bool, std::vector<std::string>>;

  // Parses `text` by `spec` and stores it; InputError naming `source` when it does not parse.
  // `source` is "default", "command line" or "file:line".
  void set(const OptionSpec& spec, std::string text, std::string source);
  // Re-sets a declared option from code (an experiment's point): parsed like any other value.
  void set(const std::string& name, std::string text, std::string source);

  bool has(const std::string& name) const { return values_.count(name) != 0; }
  const std::string& text(const std::string& name) const;
  const std::string& get(const std::string& name) const { return text(name); }
  uint64_t count(const std::string& name) const;
  double real(const std::string& name) const;
  Bytes bytes(const std::string& name) const;
  BitsPerSec rate(const std::string& name) const;
  TimePs time(const std::string& name) const;
  bool yes(const std::string& name) const;
  const std::vector<std::string>& list(const std::string& name) const;
  // Whether the value is the keyword `word` (e.g. "preset"); typed accessors throw then.
  bool is(const std::string& name, std::string_view word) const { return text(name) == word; }

  // What to name in an error about this option: "--leaves" or "exp.ini:3: leaves".
  std::string where(const std::string& name) const;
  // Where the value came from: "default", "command line" or "file:line".
  const std::string& source(const std::string& name) const;
  // Throws InputError "<where>: '<text>': expected <expected>".
  [[noreturn]] void reject(const std::string& name, std::string_view expected) const;

  const OptionSpec& spec(const std::string& name) const;
  // Declared options in name order.
  std::vector<std::string> names() const;

 private:
  struct Entry {
    OptionSpec spec;
    std::string text;
    std::string source;
    Value value;
  };
  const Entry& entry(const std::string& name) const;
  template <class T>
  const T& typed(const std::string& name) const;
  std::map<std::string, Entry> values_;
};

// A builder's complaint about one of its parameters, by field name (the option it comes from,
// without dashes): what() reads "--leaves: value '0': expected an integer >= 1", and the CLI,
// which knows where the value came from, rewrites it to name the config line instead.
class FieldError : public InputError {
 public:
  FieldError(std::string field, std::string value, std::string expected);
  const std::string& field() const { return field_; }
  const std::string& value() const { return value_; }
  const std::string& expected() const { return expected_; }

 private:
  std::string field_, value_, expected_;
};

// Runs `f`; a FieldError whose field is a declared option is rethrown as an InputError naming
// the option's source (`aliases` maps builder fields to options, e.g. host-latency -> latency).
template <class F>
auto with_sources(const OptionValues& values, F&& f,
                  const std::map<std::string, std::string>& aliases = {}) -> decltype(f());

[[noreturn]] void rethrow_with_source(const OptionValues& values, const FieldError& e,
                                      const std::map<std::string, std::string>& aliases);

template <class F>
auto with_sources(const OptionValues& values, F&& f,
                  const std::map<std::string, std::string>& aliases) -> decltype(f()) {
  try {
    return f();
  } catch (const FieldError& e) {
    rethrow_with_source(values, e, aliases);
  }
}

}  // namespace moesim
