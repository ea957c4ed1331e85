// libFuzzer harness: Chakra ET rank files (workloads/chakra/chakra_file.cpp) and their import
// into a Workload DAG (chakra_import.cpp). The input is up to 8 rank files joined by the marker
// "#ET#" (rank r = the r-th piece), so send/recv pairs and collectives across ranks are reached;
// every piece that parses is serialized again and must parse back to the same bytes.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "tests/fuzz/fuzz_common.hpp"
#include "workloads/chakra/chakra_file.hpp"
#include "workloads/chakra/chakra_import.hpp"

namespace {

std::vector<std::string_view> split_ranks(std::string_view in) {
  constexpr std::string_view kMarker = "#ET#";
  std::vector<std::string_view> pieces;
  for (size_t at = 0;;) {
    const size_t next = in.find(kMarker, at);
    if (next == std::string_view::npos || pieces.size() == 7) {
      pieces.push_back(in.substr(at));
      return pieces;
    }
    pieces.push_back(in.substr(at, next - at));
    at = next + kMarker.size();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace moesim::workload::chakra;
  moesim::fuzz::reject_only_input_errors([&] {
    std::vector<RankTrace> ranks;
    for (const std::string_view piece : split_ranks(moesim::fuzz::as_text(data, size))) {
      ranks.push_back(parse_rank(piece, "fuzz." + std::to_string(ranks.size()) + ".et"));
      const std::string again = serialize_rank(ranks.back());
      if (serialize_rank(parse_rank(again, "again")) != again) std::abort();
    }
    // 8 hosts: as many as the most ranks, so "more ranks than hosts" is reached only by 0.
    (void)import_workload(ranks, 8, "fuzz");
  });
  return 0;
}
