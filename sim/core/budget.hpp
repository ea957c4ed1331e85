// The memory budget (--max-memory): what a run would hold is estimated from its sizes before
// the big structures are built, and a run over the budget is refused with an InputError naming
// what drives the size, instead of dying of std::bad_alloc or swapping for minutes.
//
// Estimates are upper bounds of the structures that grow with the input (routing tables,
// flows, packet state), within about 2x of what is measured (see the closing notes of issue
// 16); a fixed overhead (the binary and its libraries, about 40 MB) is not counted.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace moesim {

class MemoryBudget {
 public:
  // `where` says where the limit came from, for the message: "--max-memory" or "exp.ini:3:
  // max-memory", or a description of the default.
  MemoryBudget(uint64_t limit_bytes, std::string where)
      : limit_(limit_bytes), where_(std::move(where)) {}

  // InputError "{what} would need about {estimate} ({how}), more than the memory budget of
  // {limit} ({where}): expected {fix}, or a larger --max-memory" if estimate > limit.
  // `estimate` is a double: products of user sizes are formed without overflow.
  void require(double estimate_bytes, std::string_view what, std::string_view how,
               std::string_view fix) const;

  uint64_t limit() const { return limit_; }

 private:
  uint64_t limit_;
  std::string where_;
};

// The machine's physical memory in bytes (sysconf), or 0 if unknown.
uint64_t physical_memory();

// Bytes as a person reads them: "812 B", "3.4 MiB", "12.0 GiB", "1.2e+04 TiB".
std::string human_bytes(double bytes);

}  // namespace moesim
