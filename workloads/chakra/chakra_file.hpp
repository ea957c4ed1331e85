// Chakra execution-trace rank files (ASTRA-sim's workload format): PREFIX.r.et holds rank r's
// stream of length-delimited protobuf messages (a varint size, then the message), one
// GlobalMetadata and then one Node per operation (et_def.proto). This file reads and writes
// those streams; chakra_import.hpp turns them into a Workload DAG, chakra_export.hpp back.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "workloads/chakra/et_def.pb.h"

namespace moesim::workload::chakra {

// The schema versions whose meaning the reader knows ("0.0.4": ASTRA-sim's microbenchmarks and
// chakra's converters); export writes the first.
inline constexpr std::string_view kSchemaVersions[] = {"0.0.4"};

struct RankTrace {
  std::string path;  // where it was read from (names it in errors), or will be written
  ChakraProtoMsg::GlobalMetadata meta;
  std::vector<ChakraProtoMsg::Node> nodes;
};

// Parses one rank file's bytes. InputError naming `path`, the message and the node after which
// it broke, for a size varint or message running past the end, a message that does not parse,
// a missing GlobalMetadata or an unknown schema version.
RankTrace parse_rank(std::string_view bytes, const std::string& path);

// The rank files PREFIX.0.et ... PREFIX.(N-1).et, N = one more than the highest rank present,
// read in rank order. InputError if none exists, if one below N is missing, or if a file is
// unreadable or malformed (parse_rank).
std::vector<RankTrace> read_ranks(const std::string& prefix);

// The length-delimited stream of one rank (what parse_rank reads).
std::string serialize_rank(const RankTrace& rank);

// Writes PREFIX.r.et for every rank r (rank r = ranks[r]): each to a temporary name first,
// renamed into place once all are written, so a failure leaves nothing. InputError if any
// PREFIX.*.et exists already (results are never overwritten) or a file cannot be written;
// PREFIX's directory is created when missing.
void write_ranks(const std::string& prefix, const std::vector<RankTrace>& ranks);

}  // namespace moesim::workload::chakra
