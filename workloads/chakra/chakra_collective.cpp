#include "workloads/chakra/chakra_collective.hpp"

#include <fmt/format.h>

#include "sim/core/error.hpp"
#include "workloads/chakra/et_def.pb.h"
#include "workloads/collectives.hpp"

namespace moesim::workload::chakra {
namespace {

using ChakraProtoMsg::CollectiveCommType;

// The ring's tags: the same as the built-in collectives' (collectives.cpp), so collectives.csv
// groups an imported collective like its built-in twin.
std::vector<uint32_t> ring_tags(Workload& w, int64_t type, uint32_t n, uint32_t steps) {
  if (type == ChakraProtoMsg::ALL_REDUCE) {
    std::vector<uint32_t> tags(n - 1, w.add_tag(Tag{"ring-allreduce", "reduce-scatter"}));
    tags.resize(steps, w.add_tag(Tag{"ring-allreduce", "all-gather"}));
    return tags;
  }
  const char* kind = type == ChakraProtoMsg::ALL_GATHER ? "all-gather" : "reduce-scatter";
  return std::vector<uint32_t>(steps, w.add_tag(Tag{kind, ""}));
}

// A ring of `steps` steps over `buffer`: rank i's first send is the step-0 flow from it, its
// last send the final step's flow from it, its last receive the final step's flow into it (the
// ring's node ids are step-major, rank-minor: collectives.hpp).
std::vector<NodeEnds> ring(Workload& w, std::span<const uint32_t> ranks, int64_t type, Bytes buffer,
                           uint32_t steps) {
  const auto n = static_cast<uint32_t>(ranks.size());
  const auto base = static_cast<uint32_t>(w.size());
  const std::vector<uint32_t> tags = ring_tags(w, type, n, steps);
  const std::vector<uint32_t> into = add_ring(w, ranks, buffer, steps, tags, {});
  std::vector<NodeEnds> ends(n);
  for (uint32_t i = 0; i < n; ++i)
    ends[i] = {{base + i}, {base + (steps - 1) * n + i, into[i]}};
  return ends;
}

std::vector<NodeEnds> all_to_all(Workload& w, std::span<const uint32_t> ranks, Bytes buffer) {
  const auto n = static_cast<uint32_t>(ranks.size());
  const std::vector<uint32_t> ids =
      add_all_to_all(w, ranks, buffer, w.add_tag(Tag{"all-to-all", ""}));
  std::vector<NodeEnds> ends(n);
  for (uint32_t i = 0; i < n; ++i) {
    ends[i].start.assign(ids.begin() + i * (n - 1), ids.begin() + (i + 1) * (n - 1));
    ends[i].done = ends[i].start;
    for (uint32_t s = 0; s < n; ++s) {
      if (s != i) ends[i].done.push_back(ids[s * (n - 1) + (i + n - s) % n - 1]);
    }
  }
  return ends;
}

}  // namespace

std::vector<NodeEnds> add_chakra_collective(Workload& w, std::span<const uint32_t> ranks,
                                            int64_t comm_type, uint64_t comm_size,
                                            const std::string& where) {
  const auto n = static_cast<uint32_t>(ranks.size());
  const std::string type_name =
      ChakraProtoMsg::CollectiveCommType_IsValid(static_cast<int>(comm_type))
          ? ChakraProtoMsg::CollectiveCommType_Name(static_cast<CollectiveCommType>(comm_type))
          : "an unknown type";
  const bool ring_type = comm_type == ChakraProtoMsg::ALL_REDUCE ||
                         comm_type == ChakraProtoMsg::ALL_GATHER ||
                         comm_type == ChakraProtoMsg::REDUCE_SCATTER;
  if (!ring_type && comm_type != ChakraProtoMsg::ALL_TO_ALL) {
    throw InputError(fmt::format(
        "{}: comm_type {} ({}): expected ALL_REDUCE, ALL_GATHER, REDUCE_SCATTER or ALL_TO_ALL "
        "(the collectives moesim simulates)",
        where, comm_type, type_name));
  }
  if (n < 2) {
    throw InputError(fmt::format("{}: {} over {} rank: expected a process group of at least 2",
                                 where, type_name, n));
  }
  // The buffer moesim's generator splits into n chunks (slices): ALL_GATHER's comm_size is one
  // rank's input, so the gathered output, and hence the buffer, is n times that.
  Bytes buffer{comm_size};
  if (comm_type == ChakraProtoMsg::ALL_GATHER &&
      __builtin_mul_overflow(comm_size, uint64_t{n}, &buffer.count)) {
    throw InputError(fmt::format("{}: comm_size {} x {} ranks is more than 2^64 - 1 bytes", where,
                                 comm_size, n));
  }
  if (buffer.count < n) {
    throw InputError(fmt::format("{}: comm_size {}: expected at least one byte per rank ({})",
                                 where, comm_size, n));
  }
  // Each ring step moves the whole buffer once; the flows' total must fit a byte count.
  const uint64_t steps = comm_type == ChakraProtoMsg::ALL_REDUCE ? 2 * (n - 1) : n - 1;
  uint64_t total = 0;
  if (__builtin_mul_overflow(buffer.count, steps, &total)) {
    throw InputError(fmt::format("{}: comm_size {} moved {} times is more than 2^64 - 1 bytes",
                                 where, comm_size, steps));
  }
  if (ring_type) return ring(w, ranks, comm_type, buffer, static_cast<uint32_t>(steps));
  return all_to_all(w, ranks, buffer);
}

}  // namespace moesim::workload::chakra
