// The message of the InputError a piece of code throws, for tests of bad input.
#pragma once

#include <string>

#include <catch2/catch.hpp>

#include "sim/core/error.hpp"

namespace moesim::test {

// The message of the InputError `f` throws; fails the test if `f` throws nothing or another
// type (std::bad_alloc included).
template <class F>
std::string input_error(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  FAIL("no InputError");
  return {};
}

// No byte of `msg` is a control character: the message is one printable line.
inline bool one_printable_line(const std::string& msg) {
  for (const char c : msg) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  }
  return true;
}

}  // namespace moesim::test
