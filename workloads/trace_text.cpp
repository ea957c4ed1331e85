// Text plumbing for the trace formats: buffered line reading, strict numbers, atomic output.
#include "workloads/trace_text.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#include "sim/core/bom.hpp"
#include "sim/core/error.hpp"
#include "sim/core/quote.hpp"

namespace moesim::workload::text {
namespace {

constexpr size_t kChunk = size_t{1} << 20;
constexpr size_t kMinBuffer = 4096;

template <typename T>
T parse_unsigned(std::string_view text, Where w, std::string_view field,
                 std::string_view expected) {
  T v = 0;
  if (text.empty() || text.find_first_not_of("0123456789") != std::string_view::npos)
    fail(w, field, text, expected);
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) fail(w, field, text, expected);
  return v;
}

}  // namespace

void fail(Where w, std::string_view field, std::string_view value, std::string_view expected) {
  throw InputError(fmt::format("{}:{}: field '{}': value '{}': expected {}", *w.path, w.line, field,
                               quote_excerpt(value, 60), expected));
}

void fail_at(Where w, std::string_view message) {
  throw InputError(fmt::format("{}:{}: {}", *w.path, w.line, message));
}

LineReader::LineReader(std::string path) : path_(std::move(path)) {
  file_ = std::fopen(path_.c_str(), "rb");
  if (!file_) throw InputError(fmt::format("{}: cannot open: {}", path_, std::strerror(errno)));
  // A small regular file gets a buffer of its size (plus one byte, so the first read reaches
  // the end), not a zero-filled 1 MiB: many small files (tests, fuzzing) then cost no page
  // faults. The buffer still doubles if the file has grown since.
  size_t size = kChunk;
  struct stat st {};
  if (::fstat(::fileno(file_), &st) == 0 && S_ISREG(st.st_mode) &&
      static_cast<uint64_t>(st.st_size) < kChunk) {
    size = std::max(kMinBuffer, static_cast<size_t>(st.st_size) + 1);
  }
  buf_.resize(size);
}

LineReader::~LineReader() {
  if (file_) std::fclose(file_);
}

bool LineReader::refill() {
  if (eof_) return false;
  // Keep the unfinished line; grow the buffer if that line fills it.
  std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
  end_ -= begin_;
  begin_ = 0;
  if (end_ == buf_.size()) buf_.resize(buf_.size() * 2);
  const size_t got = std::fread(buf_.data() + end_, 1, buf_.size() - end_, file_);
  if (got == 0) {
    if (std::ferror(file_))
      throw InputError(fmt::format("{}: cannot read: {}", path_, std::strerror(errno)));
    eof_ = true;
    return false;
  }
  end_ += got;
  return true;
}

bool LineReader::next(std::string_view& line) {
  size_t scanned = begin_;
  for (;;) {
    const void* nl = std::memchr(buf_.data() + scanned, '\n', end_ - scanned);
    if (nl) {
      const size_t pos = static_cast<const char*>(nl) - buf_.data();
      line = std::string_view(buf_.data() + begin_, pos - begin_);
      begin_ = pos + 1;
      break;
    }
    const size_t consumed = scanned - begin_;
    if (!refill()) {
      if (begin_ == end_) return false;
      line = std::string_view(buf_.data() + begin_, end_ - begin_);  // last line, no '\n'
      begin_ = end_;
      break;
    }
    scanned = begin_ + consumed;
  }
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line_no_ == 0) line = strip_bom(line);
  ++line_no_;
  return true;
}

std::string read_file(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw InputError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  std::string out;
  char chunk[1 << 16];
  size_t got = 0;
  while ((got = std::fread(chunk, 1, sizeof chunk, f)) > 0)
    out.append(chunk, got);
  const bool bad = std::ferror(f);
  std::fclose(f);
  if (bad) throw InputError(fmt::format("{}: cannot read", path));
  if (out.starts_with(kUtf8Bom)) out.erase(0, kUtf8Bom.size());
  return out;
}

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r");
  return s.substr(first, last - first + 1);
}

void split_csv(std::string_view line, std::vector<std::string_view>& out) {
  out.clear();
  for (;;) {
    const auto comma = line.find(',');
    out.push_back(trim(line.substr(0, comma)));
    if (comma == std::string_view::npos) return;
    line.remove_prefix(comma + 1);
  }
}

uint32_t parse_u32(std::string_view text, Where w, std::string_view field,
                   std::string_view expected) {
  return parse_unsigned<uint32_t>(text, w, field, expected);
}

uint64_t parse_u64(std::string_view text, Where w, std::string_view field,
                   std::string_view expected) {
  return parse_unsigned<uint64_t>(text, w, field, expected);
}

float parse_weight(std::string_view text, Where w, std::string_view field) {
  constexpr std::string_view kExpected = "a finite gate weight >= 0";
  // from_chars would accept "inf" and "nan"; a weight must start like a JSON/CSV number.
  if (text.empty() || !(text[0] == '-' || (text[0] >= '0' && text[0] <= '9')))
    fail(w, field, text, kExpected);
  float v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v) || v < 0)
    fail(w, field, text, kExpected);
  return v;
}

OutputFile::OutputFile(std::string path) : path_(std::move(path)), tmp_(path_ + ".tmp") {
  file_ = std::fopen(tmp_.c_str(), "wb");
  if (!file_)
    throw InputError(fmt::format("{}: cannot open for writing: {}", tmp_, std::strerror(errno)));
}

OutputFile::~OutputFile() {
  if (file_) {
    std::fclose(file_);
    std::remove(tmp_.c_str());
  }
}

void OutputFile::flush() {
  if (buf_.size() > 0 && std::fwrite(buf_.data(), 1, buf_.size(), file_) != buf_.size())
    throw InputError(fmt::format("{}: cannot write: {}", tmp_, std::strerror(errno)));
  buf_.clear();
}

void OutputFile::commit() {
  flush();
  const int closed = std::fclose(file_);
  file_ = nullptr;
  if (closed != 0 || std::rename(tmp_.c_str(), path_.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    std::remove(tmp_.c_str());
    throw InputError(fmt::format("{}: cannot write: {}", path_, reason));
  }
}

}  // namespace moesim::workload::text
