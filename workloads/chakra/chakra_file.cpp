// Reading and writing Chakra rank files. The varint framing is read with protobuf's
// CodedInputStream; every size is checked against what is left of the file before a message is
// parsed, so a truncated file is reported as such rather than as a parse failure.
#include "workloads/chakra/chakra_file.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <fmt/format.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "sim/core/error.hpp"

namespace moesim::workload::chakra {
namespace {

namespace fs = std::filesystem;
namespace pio = google::protobuf::io;

// "after node 7" (the last node read) or "after the GlobalMetadata", for errors.
std::string after_what(const RankTrace& r) {
  if (r.nodes.empty()) return "after the GlobalMetadata";
  return fmt::format("after node {}", r.nodes.back().id());
}

bool known_version(const std::string& v) {
  return std::find(std::begin(kSchemaVersions), std::end(kSchemaVersions), v) !=
         std::end(kSchemaVersions);
}

// The rank of a file name PREFIXNAME.r.et (r in canonical decimal), or -1.
long rank_of(const std::string& file, const std::string& stem) {
  if (!file.starts_with(stem + ".") || !file.ends_with(".et")) return -1;
  const std::string_view digits(file.data() + stem.size() + 1, file.size() - stem.size() - 4);
  if (digits.empty() || (digits.size() > 1 && digits[0] == '0')) return -1;
  long r = -1;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), r);
  if (ec != std::errc() || end != digits.data() + digits.size()) return -1;
  return r;
}

std::string rank_path(const std::string& prefix, size_t r) {
  return fmt::format("{}.{}.et", prefix, r);
}

// The ranks present for `prefix`, in rank order, with their paths.
std::map<long, std::string> find_ranks(const std::string& prefix) {
  const fs::path p(prefix);
  const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
  const std::string stem = p.filename().string();
  std::map<long, std::string> found;
  std::error_code ec;
  if (stem.empty() || !fs::is_directory(dir, ec)) return found;
  for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
    const long r = rank_of(e.path().filename().string(), stem);
    if (r >= 0 && e.is_regular_file(ec)) found.emplace(r, rank_path(prefix, r));
  }
  return found;
}

}  // namespace

RankTrace parse_rank(std::string_view bytes, const std::string& path) {
  RankTrace r;
  r.path = path;
  pio::CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()),
                           static_cast<int>(std::min<size_t>(bytes.size(), INT32_MAX)));
  in.SetTotalBytesLimit(INT32_MAX);
  if (bytes.size() > INT32_MAX) {
    throw InputError(
        fmt::format("{}: {} bytes: expected a rank file below 2 GiB", path, bytes.size()));
  }
  bool have_meta = false;
  for (size_t message = 0; in.CurrentPosition() < static_cast<int>(bytes.size()); ++message) {
    const int at = in.CurrentPosition();
    const std::string where = fmt::format("{}: message {} at byte {} ({})", path, message, at,
                                          have_meta ? after_what(r) : "the GlobalMetadata");
    uint32_t size = 0;
    if (!in.ReadVarint32(&size)) {
      throw InputError(fmt::format(
          "{}: its size varint runs past the end of the file ({} bytes) or is longer than 5 "
          "bytes: expected a varint message size",
          where, bytes.size()));
    }
    const size_t left = bytes.size() - static_cast<size_t>(in.CurrentPosition());
    if (size > left) {
      throw InputError(fmt::format(
          "{}: size {} runs past the end of the file ({} bytes left): expected a complete "
          "message (truncated file?)",
          where, size, left));
    }
    const pio::CodedInputStream::Limit limit = in.PushLimit(static_cast<int>(size));
    const bool parsed = have_meta ? r.nodes.emplace_back().ParseFromCodedStream(&in)
                                  : r.meta.ParseFromCodedStream(&in);
    // A stray end-group tag stops the parser early: the message must fill its size exactly.
    const bool ok = parsed && in.ConsumedEntireMessage() && in.BytesUntilLimit() == 0;
    in.PopLimit(limit);
    if (!ok) {
      throw InputError(fmt::format("{}: {} bytes that are not a Chakra {}: expected et_def.proto",
                                   where, size, have_meta ? "Node" : "GlobalMetadata"));
    }
    if (!have_meta && !known_version(r.meta.version())) {
      throw InputError(fmt::format("{}: GlobalMetadata version '{}': expected schema version {}",
                                   path, r.meta.version(), kSchemaVersions[0]));
    }
    have_meta = true;
  }
  if (!have_meta) {
    throw InputError(fmt::format("{}: empty file: expected a GlobalMetadata, then Nodes", path));
  }
  return r;
}

std::vector<RankTrace> read_ranks(const std::string& prefix) {
  const std::map<long, std::string> found = find_ranks(prefix);
  if (found.empty()) {
    throw InputError(
        fmt::format("--chakra: '{}': no file {}: expected rank files PREFIX.0.et, "
                    "PREFIX.1.et, ...",
                    prefix, rank_path(prefix, 0)));
  }
  const size_t n = static_cast<size_t>(found.rbegin()->first) + 1;
  for (size_t r = 0; r < n; ++r) {
    if (!found.contains(static_cast<long>(r))) {
      throw InputError(
          fmt::format("--chakra: '{}': {} is missing: expected one file per rank 0..{} ({} found)",
                      prefix, rank_path(prefix, r), n - 1, found.size()));
    }
  }
  std::vector<RankTrace> ranks;
  for (const auto& [r, path] : found) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    if (!in) throw InputError(fmt::format("{}: cannot read: expected a readable file", path));
    ranks.push_back(parse_rank(ss.str(), path));
  }
  return ranks;
}

std::string serialize_rank(const RankTrace& rank) {
  std::string out;
  {
    pio::StringOutputStream stream(&out);
    pio::CodedOutputStream os(&stream);
    const auto put = [&os](const google::protobuf::MessageLite& m) {
      os.WriteVarint32(static_cast<uint32_t>(m.ByteSizeLong()));
      m.SerializeWithCachedSizes(&os);
    };
    put(rank.meta);
    for (const ChakraProtoMsg::Node& n : rank.nodes)
      put(n);
  }
  return out;
}

void write_ranks(const std::string& prefix, const std::vector<RankTrace>& ranks) {
  const std::map<long, std::string> existing = find_ranks(prefix);
  if (!existing.empty()) {
    throw InputError(
        fmt::format("{}: exists already: expected a PREFIX with no .et files, "
                    "results are never overwritten",
                    existing.begin()->second));
  }
  // Like --out, the directory is created (with its parents) when missing.
  const fs::path dir = fs::path(prefix).parent_path();
  std::error_code ec;
  if (!dir.empty() && !fs::is_directory(dir, ec) && !fs::create_directories(dir, ec)) {
    throw InputError(
        fmt::format("{}: cannot create the directory {}: {}", prefix, dir.string(), ec.message()));
  }
  std::vector<std::string> temps;
  const auto remove_temps = [&temps] {
    std::error_code ec;
    for (const std::string& t : temps)
      fs::remove(t, ec);
  };
  for (size_t r = 0; r < ranks.size(); ++r) {
    temps.push_back(rank_path(prefix, r) + ".tmp");
    std::ofstream os(temps.back(), std::ios::binary | std::ios::trunc);
    os << serialize_rank(ranks[r]);
    os.close();
    if (!os) {
      remove_temps();
      throw InputError(
          fmt::format("{}: cannot write: expected a writable directory", rank_path(prefix, r)));
    }
  }
  for (size_t r = 0; r < ranks.size(); ++r)
    fs::rename(temps[r], rank_path(prefix, r));
}

}  // namespace moesim::workload::chakra
