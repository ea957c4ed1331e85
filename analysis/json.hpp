// A minimal JSON writer for run.json: flat string/number members and arrays of such
// objects. Strings are escaped per RFC 8259.
#pragma once

#include <string>
#include <string_view>

namespace moesim::analysis {

std::string json_string(std::string_view s);  // quoted and escaped

}  // namespace moesim::analysis
