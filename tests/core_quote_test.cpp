// Tests for sim/core/quote.hpp and sim/core/bom.hpp: excerpts of file text that keep error
// messages on one printable line, and the byte-order mark that text readers skip.
#include <catch2/catch.hpp>

#include <sstream>
#include <string>

#include "sim/core/bom.hpp"
#include "sim/core/quote.hpp"

using moesim::quote_excerpt;

TEST_CASE("core::quote_excerpt: plain text is kept as is") {
  REQUIRE(quote_excerpt("iteration,layer,expert") == "iteration,layer,expert");
  REQUIRE(quote_excerpt("") == "");
  // UTF-8 that is not a control character stays readable: "µs" and "ε".
  REQUIRE(quote_excerpt("1.5\xC2\xB5s \xCE\xB5") == "1.5\xC2\xB5s \xCE\xB5");
  // Backslashes are not escaped: the excerpt is for reading, not for parsing back.
  REQUIRE(quote_excerpt("a\\nb") == "a\\nb");
}

TEST_CASE("core::quote_excerpt: control characters become escapes") {
  SECTION("newline, carriage return and tab") {
    REQUIRE(quote_excerpt("a\nb\rc\td") == "a\\nb\\rc\\td");
  }
  SECTION("a terminal escape sequence") {
    // ESC [ 2 J clears a terminal; ESC is 0x1b.
    REQUIRE(quote_excerpt("x\x1b[2Jy") == "x\\x1b[2Jy");
  }
  SECTION("NUL, DEL and a C1 control") {
    REQUIRE(quote_excerpt(std::string("a\0b", 3)) == "a\\x00b");
    REQUIRE(quote_excerpt("a\x7f") == "a\\x7f");
    // U+009B (CSI) is C2 9B in UTF-8: a control to 8-bit terminals.
    REQUIRE(quote_excerpt("a\xC2\x9B") == "a\\xc2\\x9b");
    // U+2028 LINE SEPARATOR (E2 80 A8) starts a new line in some viewers.
    REQUIRE(quote_excerpt("a\xE2\x80\xA8") == "a\\xe2\\x80\\xa8");
  }
  SECTION("a byte-order mark and bytes that are not UTF-8") {
    REQUIRE(quote_excerpt("\xEF\xBB\xBFid") == "\\xef\\xbb\\xbfid");
    REQUIRE(quote_excerpt("a\xFF") == "a\\xff");
    // C0 80 is an overlong NUL; E2 82 is a sequence cut short.
    REQUIRE(quote_excerpt("\xC0\x80") == "\\xc0\\x80");
    REQUIRE(quote_excerpt("\xE2\x82") == "\\xe2\\x82");
  }
}

TEST_CASE("core::quote_excerpt: long text is cut with ...") {
  const std::string line(2 << 20, 'x');  // a 2 MB header line
  // At most `max` bytes of excerpt, then "...".
  REQUIRE(quote_excerpt(line) == std::string(80, 'x') + "...");
  REQUIRE(quote_excerpt(line, 10) == std::string(10, 'x') + "...");
  // Exactly max bytes fit without "...".
  REQUIRE(quote_excerpt(std::string(80, 'y')) == std::string(80, 'y'));
  // Never inside an escape: 9 x and "\n" (2 bytes) would be 11 > 10.
  REQUIRE(quote_excerpt(std::string(9, 'x') + "\nzz", 10) == std::string(9, 'x') + "...");
  // Never inside a UTF-8 sequence: 9 x and "µ" (2 bytes) would be 11 > 10.
  REQUIRE(quote_excerpt(std::string(9, 'x') + "\xC2\xB5", 10) == std::string(9, 'x') + "...");
}

TEST_CASE("core::strip_bom: removes a leading mark only") {
  REQUIRE(moesim::strip_bom("\xEF\xBB\xBFu,v") == "u,v");
  REQUIRE(moesim::strip_bom("u,v") == "u,v");
  REQUIRE(moesim::strip_bom("u\xEF\xBB\xBF") == "u\xEF\xBB\xBF");
  REQUIRE(moesim::strip_bom("\xEF\xBB") == "\xEF\xBB");
}

TEST_CASE("core::skip_bom: consumes a mark and leaves other input untouched") {
  const auto rest = [](const std::string& text) {
    std::istringstream in(text);
    moesim::skip_bom(in);
    std::string out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return out;
  };
  REQUIRE(rest("\xEF\xBB\xBFlayer,expert") == "layer,expert");
  REQUIRE(rest("layer,expert") == "layer,expert");
  REQUIRE(rest("") == "");
  // A first byte like the mark's, but no mark: every byte stays.
  REQUIRE(rest("\xEF\xBB!") == "\xEF\xBB!");
  REQUIRE(rest("\xEF") == "\xEF");
}
