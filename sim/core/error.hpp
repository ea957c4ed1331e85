// Typed errors. InputError means the user gave bad input (flag, config key, file line):
// the CLI prints its one-line message and exits with code 2. Library code throws, never exits.
#pragma once

#include <stdexcept>
#include <string>

namespace moesim {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Bad user input. The message names where (file:line or option), the field, the bad value
// and what was expected, e.g. "tm.csv:3: column 2: value '-1': expected a byte count >= 0".
class InputError : public Error {
 public:
  using Error::Error;
};

// A broken internal invariant: a bug in moesim, never the user's fault.
class InternalError : public Error {
 public:
  using Error::Error;
};

}  // namespace moesim
