// Excerpts of input text for one-line error messages. A reader that echoes what it found in a
// file (a value, a header, the text near a JSON error) passes it through quote_excerpt, so a
// newline, a terminal escape sequence or a 2 MB line in the file cannot break the rule that
// moesim reports bad input on exactly one line of plain text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace moesim {

// `text` made printable and short: control characters become \n, \r, \t or \xNN (so do
// DEL, the C1 controls U+0080..U+009F, the line and paragraph separators U+2028 and U+2029, a
// byte-order mark U+FEFF and bytes that are not valid UTF-8); other UTF-8 text is kept as is. If
// the result would exceed `max` bytes it is cut, never inside an escape or a UTF-8 sequence, and
// "..." is appended. Backslashes are kept unescaped: the excerpt is for a person to read, not to be
// parsed back.
inline std::string quote_excerpt(std::string_view text, size_t max = 80) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size() < max ? text.size() + 8 : max + 8);
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    // The next piece of output: one escape, or one whole character.
    std::string_view piece;
    char esc[16];
    size_t esc_len = 0;
    const auto escape_bytes = [&](size_t n) {
      for (size_t k = 0; k < n; ++k) {
        const auto b = static_cast<unsigned char>(text[i + k]);
        esc[esc_len++] = '\\';
        esc[esc_len++] = 'x';
        esc[esc_len++] = kHex[b >> 4];
        esc[esc_len++] = kHex[b & 15];
      }
    };
    size_t consumed = 1;
    if (c == '\n' || c == '\r' || c == '\t') {
      esc[esc_len++] = '\\';
      esc[esc_len++] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
    } else if (c < 0x20 || c == 0x7f) {
      escape_bytes(1);
    } else if (c < 0x80) {
      piece = text.substr(i, 1);
    } else {
      // A UTF-8 sequence: its length from the lead byte, then continuation bytes 10xxxxxx,
      // and no overlong or surrogate forms (RFC 3629).
      const size_t len = c >= 0xc2 && c <= 0xdf   ? 2
                         : c >= 0xe0 && c <= 0xef ? 3
                         : c >= 0xf0 && c <= 0xf4 ? 4
                                                  : 0;
      bool valid = len != 0 && i + len <= text.size();
      uint32_t cp = len == 2 ? c & 0x1f : len == 3 ? c & 0x0f : c & 0x07;
      for (size_t k = 1; valid && k < len; ++k) {
        const auto b = static_cast<unsigned char>(text[i + k]);
        valid = (b & 0xc0) == 0x80;
        cp = (cp << 6) | (b & 0x3f);
      }
      if (valid) {
        const uint32_t min_cp = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
        valid = cp >= min_cp && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff);
      }
      if (!valid) {
        escape_bytes(1);
      } else if ((cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 || cp == 0xfeff) {
        escape_bytes(len);
        consumed = len;
      } else {
        piece = text.substr(i, len);
        consumed = len;
      }
    }
    if (esc_len > 0) piece = std::string_view(esc, esc_len);
    if (out.size() + piece.size() > max) {
      out += "...";
      return out;
    }
    out += piece;
    i += consumed;
  }
  return out;
}

}  // namespace moesim
