#include "sim/core/budget.hpp"

#include <unistd.h>

#include <fmt/format.h>

#include "sim/core/error.hpp"

namespace moesim {

void MemoryBudget::require(double estimate_bytes, std::string_view what, std::string_view how,
                           std::string_view fix) const {
  if (!(estimate_bytes > static_cast<double>(limit_))) return;
  throw InputError(fmt::format(
      "{} would need about {} ({}), more than the memory budget of {} ({}): expected {}, or a "
      "larger --max-memory",
      what, human_bytes(estimate_bytes), how, human_bytes(static_cast<double>(limit_)), where_,
      fix));
}

uint64_t physical_memory() {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page = ::sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page <= 0) return 0;
  return static_cast<uint64_t>(pages) * static_cast<uint64_t>(page);
}

std::string human_bytes(double bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  size_t u = 0;
  while (u + 1 < std::size(kUnits) && bytes >= 1024.0) {
    bytes /= 1024.0;
    ++u;
  }
  if (u == 0) return fmt::format("{:.0f} B", bytes);
  if (bytes >= 1e4) return fmt::format("{:.2g} {}", bytes, kUnits[u]);
  return fmt::format("{:.1f} {}", bytes, kUnits[u]);
}

}  // namespace moesim
