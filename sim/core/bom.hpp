// The UTF-8 byte-order mark (EF BB BF) that some editors and spreadsheet exports put at the
// start of a text file. It is not part of the content: every reader of a text input (traces,
// counts, traffic matrices, policy CSVs, edge lists, GraphML) skips it at the start of the file,
// and only there, so a header reads "iteration,..." rather than "\xEF\xBB\xBFiteration,...".
#pragma once

#include <istream>
#include <string_view>

namespace moesim {

inline constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// `text` without a leading byte-order mark (for the first line or a whole file read at once).
inline std::string_view strip_bom(std::string_view text) {
  if (text.starts_with(kUtf8Bom)) text.remove_prefix(kUtf8Bom.size());
  return text;
}

// Consumes a byte-order mark at the current position of `in` (call it before the first read);
// leaves the stream where it was if there is none.
inline void skip_bom(std::istream& in) {
  if (in.peek() != static_cast<unsigned char>(kUtf8Bom[0])) return;  // also at end of input
  const std::istream::pos_type start = in.tellg();
  char got[3] = {};
  in.read(got, 3);
  const std::streamsize n = in.gcount();
  if (n == 3 && std::string_view(got, 3) == kUtf8Bom) return;
  // Not a mark: put back what was read, by position where the stream has one (files, strings),
  // else character by character.
  in.clear();
  if (start != std::istream::pos_type(-1)) {
    in.seekg(start);
  } else {
    for (std::streamsize k = n; k > 0; --k)
      in.unget();
  }
}

}  // namespace moesim
