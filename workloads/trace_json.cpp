// Strict JSON cursor: RFC 8259 tokens, no tree, errors as InputError naming file:line.
#include "workloads/trace_json.hpp"

#include <cctype>

#include <fmt/format.h>

#include "sim/core/error.hpp"
#include "sim/core/quote.hpp"

namespace moesim::workload::text {
namespace {

constexpr int kMaxDepth = 64;  // nesting limit for skip_value: a hostile file cannot recurse deep

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

void JsonCursor::syntax_error(std::string_view what) const {
  // The excerpt is file text: a terminal escape sequence in it must not reach the terminal.
  const std::string near = quote_excerpt(text_.substr(pos_, 20));
  throw InputError(fmt::format("{}:{}: malformed JSON at character {}: {} (near '{}')", path_,
                               line(), pos_ + 1, what, near));
}

void JsonCursor::skip_ws() {
  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
    line_ += c == '\n';  // only whitespace can hold a newline: strings reject control characters
    ++pos_;
  }
}

bool JsonCursor::consume(char c) {
  skip_ws();
  if (pos_ < text_.size() && text_[pos_] == c) {
    ++pos_;
    return true;
  }
  return false;
}

void JsonCursor::expect(char c, std::string_view context) {
  if (!consume(c)) syntax_error(fmt::format("expected '{}' {}", c, context));
}

char JsonCursor::peek() {
  skip_ws();
  return pos_ < text_.size() ? text_[pos_] : '\0';
}

std::string_view JsonCursor::string() {
  expect('"', "to start a string");
  const size_t start = pos_;
  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    if (c == '"') return text_.substr(start, pos_++ - start);
    if (static_cast<unsigned char>(c) < 0x20) syntax_error("control character in a string");
    if (c == '\\') {
      if (++pos_ >= text_.size()) break;
      const char e = text_[pos_];
      if (e == 'u') {
        for (int i = 1; i <= 4; ++i) {
          if (pos_ + i >= text_.size() ||
              !std::isxdigit(static_cast<unsigned char>(text_[pos_ + i])))
            syntax_error("bad \\u escape");
        }
        pos_ += 4;
      } else if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) {
        syntax_error("bad escape");
      }
    }
    ++pos_;
  }
  syntax_error("unterminated string");
}

std::string_view JsonCursor::key() {
  const std::string_view k = string();
  expect(':', "after a key");
  return k;
}

std::string_view JsonCursor::number(std::string_view field) {
  skip_ws();
  const size_t start = pos_;
  const auto digits = [&] {
    const size_t from = pos_;
    while (pos_ < text_.size() && is_digit(text_[pos_]))
      ++pos_;
    return pos_ > from;
  };
  if (pos_ < text_.size() && text_[pos_] == '-') ++pos_;
  const bool leading_zero = pos_ < text_.size() && text_[pos_] == '0';
  const size_t int_start = pos_;
  bool ok = digits() && !(leading_zero && pos_ - int_start > 1);
  if (ok && pos_ < text_.size() && text_[pos_] == '.') {
    ++pos_;
    ok = digits();
  }
  if (ok && pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
    ++pos_;
    if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
    ok = digits();
  }
  if (!ok) {
    pos_ = start;
    syntax_error(fmt::format("expected a number for field '{}'", field));
  }
  return text_.substr(start, pos_ - start);
}

void JsonCursor::skip_value() {
  if (++depth_ > kMaxDepth) syntax_error("nesting too deep");
  const char c = peek();
  if (c == '"') {
    string();
  } else if (c == '{') {
    ++pos_;
    if (!consume('}')) {
      do {
        key();
        skip_value();
      } while (consume(','));
      expect('}', "to close an object");
    }
  } else if (c == '[') {
    ++pos_;
    if (!consume(']')) {
      do {
        skip_value();
      } while (consume(','));
      expect(']', "to close an array");
    }
  } else if (c == '-' || is_digit(c)) {
    number("(skipped)");
  } else {
    for (const std::string_view word : {"true", "false", "null"}) {
      if (text_.substr(pos_, word.size()) == word) {
        pos_ += word.size();
        --depth_;
        return;
      }
    }
    syntax_error("expected a value");
  }
  --depth_;
}

void JsonCursor::expect_end() {
  skip_ws();
  if (pos_ != text_.size()) syntax_error("extra text after the value");
}

}  // namespace moesim::workload::text
