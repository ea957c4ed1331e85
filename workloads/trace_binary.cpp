// Compact binary trace form (.mtrace) for traces too large to re-parse as text: a header, then
// per batch its key, token ids, expert ids (16-bit when num_experts <= 65536), and the optional
// weights and ranks, all little-endian. Read with the same strictness as the text forms.
#include <sys/stat.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "sim/core/error.hpp"
#include "workloads/trace_io.hpp"
#include "workloads/trace_text.hpp"

namespace moesim::workload {
namespace {

static_assert(std::endian::native == std::endian::little,
              "the .mtrace form is written and read as little-endian memory images");

constexpr char kMagic[8] = {'M', 'O', 'E', 'T', 'R', 'A', 'C', 'E'};
constexpr uint32_t kVersion = 1;
constexpr uint32_t kHasWeights = 1, kHasRanks = 2;

bool narrow_ids(uint32_t num_experts) {
  return num_experts <= (1u << 16);
}

class BinaryTraceReader : public TraceReader {
 public:
  BinaryTraceReader(const std::string& path, const TraceReadOptions& o) : path_(path) {
    file_.reset(std::fopen(path.c_str(), "rb"));
    if (!file_) throw InputError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
    struct stat st {};
    if (::fstat(::fileno(file_.get()), &st) == 0 && S_ISREG(st.st_mode))
      file_size_ = static_cast<uint64_t>(st.st_size);
    char magic[8];
    uint32_t header[4];
    if (!read(magic, sizeof magic) || std::memcmp(magic, kMagic, sizeof magic) != 0)
      fail("header", "not a .mtrace file (no MOETRACE magic)");
    if (!read(header, sizeof header)) fail("header", "truncated header");
    if (header[0] != kVersion) fail("header", fmt::format("version {}, expected 1", header[0]));
    shape_ = {header[1], header[2], (header[3] & kHasWeights) != 0, (header[3] & kHasRanks) != 0};
    if (shape_.num_experts == 0 || shape_.top_k == 0 || shape_.top_k > shape_.num_experts ||
        header[3] > (kHasWeights | kHasRanks)) {
      fail("header", fmt::format("{} experts, top-{}, flags {}", header[1], header[2], header[3]));
    }
    if (shape_.num_experts > kMaxExperts) {
      fail("num_experts",
           fmt::format("value '{}': expected at most {} experts", shape_.num_experts, kMaxExperts));
    }
    if (o.num_experts != 0 && o.num_experts != shape_.num_experts) {
      fail("num_experts",
           fmt::format("value '{}': expected {} (as given)", shape_.num_experts, o.num_experts));
    }
    if (o.top_k != 0 && o.top_k != shape_.top_k)
      fail("top_k", fmt::format("value '{}': expected {} (as given)", shape_.top_k, o.top_k));
  }
  const TraceShape& shape() const override { return shape_; }

  bool next(Batch& out) override {
    out.clear();
    batch_offset_ = offset_;
    uint32_t key[3];
    const size_t got = std::fread(key, 1, sizeof key, file_.get());
    if (got == 0 && std::feof(file_.get())) return false;
    offset_ += got;
    if (got != sizeof key) fail("batch", "truncated batch header");
    out.iteration = key[0];
    out.layer = key[1];
    out.top_k = shape_.top_k;
    check_order(out.iteration, out.layer);
    // n < 2^32 and top_k < 2^32, so slots < 2^64 and the batch's size < 2^68: 128 bits.
    const size_t n = key[2], slots = n * shape_.top_k;
    check_batch_fits(n, slots);
    if (!read_array(out.token_ids, n)) fail("token", "truncated batch");
    for (size_t t = 1; t < n; ++t) {
      if (out.token_ids[t] <= out.token_ids[t - 1])
        fail("token", fmt::format("value '{}': expected increasing ids", out.token_ids[t]));
    }
    if (narrow_ids(shape_.num_experts)) {
      if (!read_array(narrow_, slots)) fail("expert", "truncated batch");
      out.experts.resize(slots);
      for (size_t i = 0; i < slots; ++i)
        out.experts[i] = narrow_[i];
    } else if (!read_array(out.experts, slots)) {
      fail("expert", "truncated batch");
    }
    for (const ExpertId e : out.experts) {
      if (e >= shape_.num_experts) {
        fail("expert",
             fmt::format("value '{}': expected an expert id in [0, {})", e, shape_.num_experts));
      }
    }
    if (shape_.has_weights) {
      if (!read_array(out.weights, slots)) fail("weight", "truncated batch");
      for (const float w : out.weights) {
        if (!(w >= 0) || !std::isfinite(w))
          fail("weight", fmt::format("value '{}': expected a finite gate weight >= 0", w));
      }
    }
    if (shape_.has_ranks && !read_array(out.ranks, n)) fail("rank", "truncated batch");
    ++batch_no_;
    return true;
  }

 private:
  bool read(void* dst, size_t bytes) {
    const size_t got = std::fread(dst, 1, bytes, file_.get());
    offset_ += got;
    return got == bytes;
  }

  // A batch header's token count sizes what is read next: it must fit in the bytes the file
  // has left, or a 36-byte file could ask for gigabytes.
  void check_batch_fits(size_t n, size_t slots) const {
    if (!file_size_) return;
    using u128 = unsigned __int128;
    const u128 ids = narrow_ids(shape_.num_experts) ? sizeof(uint16_t) : sizeof(uint32_t);
    const u128 need = u128{n} * sizeof(uint32_t) + u128{slots} * ids +
                      (shape_.has_weights ? u128{slots} * sizeof(float) : 0) +
                      (shape_.has_ranks ? u128{n} * sizeof(uint32_t) : 0);
    const uint64_t left = *file_size_ - std::min<uint64_t>(offset_, *file_size_);
    if (need > left) {
      fail("batch", fmt::format("truncated batch: its header claims {} tokens, which need {} "
                                "bytes, but the file has {} bytes left: expected a complete "
                                "batch",
                                n, static_cast<uint64_t>(std::min<u128>(need, UINT64_MAX)), left));
    }
  }

  // Reads `count` values into `v`. Where the file's size is unknown (a pipe), the array grows
  // with what actually arrives, so memory never runs ahead of the input.
  template <class T>
  bool read_array(std::vector<T>& v, size_t count) {
    constexpr size_t kChunk = (size_t{1} << 20) / sizeof(T);
    if (file_size_) {
      v.resize(count);
      return read(v.data(), count * sizeof(T));
    }
    v.clear();
    while (v.size() < count) {
      const size_t at = v.size();
      v.resize(at + std::min(kChunk, count - at));
      if (!read(v.data() + at, (v.size() - at) * sizeof(T))) return false;
    }
    return true;
  }

  [[noreturn]] void fail(std::string_view field, std::string_view what) const {
    throw InputError(fmt::format("{}: batch {} (byte {}): field '{}': {}", path_, batch_no_,
                                 batch_offset_, field, what));
  }

  void check_order(uint32_t iteration, uint32_t layer) {
    if (started_ && iteration < iteration_) {
      fail("iteration", fmt::format("value '{}': expected nondecreasing iterations (previous {})",
                                    iteration, iteration_));
    }
    if (!started_ || iteration != iteration_) layers_.clear();
    if (!layers_.insert(layer).second) {
      fail("layer", fmt::format("value '{}': expected each (iteration, layer) once", layer));
    }
    started_ = true;
    iteration_ = iteration;
  }

  std::string path_;
  struct Closer {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  // Owned from the first line of the constructor on, so a header the constructor rejects
  // (it throws, and no destructor runs) does not leak the open file.
  std::unique_ptr<std::FILE, Closer> file_;
  std::optional<uint64_t> file_size_;  // of a regular file
  TraceShape shape_;
  size_t offset_ = 0, batch_offset_ = 0, batch_no_ = 0;
  std::vector<uint16_t> narrow_;
  bool started_ = false;
  uint32_t iteration_ = 0;
  std::set<uint32_t> layers_;
};

class BinaryTraceWriter : public TraceWriter {
 public:
  BinaryTraceWriter(const std::string& path, const TraceShape& shape) : shape_(shape), out_(path) {
    const uint32_t flags =
        (shape.has_weights ? kHasWeights : 0) | (shape.has_ranks ? kHasRanks : 0);
    const uint32_t header[4] = {kVersion, shape.num_experts, shape.top_k, flags};
    append(kMagic, sizeof kMagic);
    append(header, sizeof header);
  }

  void write(const Batch& b) override {
    check_batch(b, shape_);
    const uint32_t key[3] = {b.iteration, b.layer, static_cast<uint32_t>(b.num_tokens())};
    append(key, sizeof key);
    append(b.token_ids.data(), b.token_ids.size() * sizeof(uint32_t));
    if (narrow_ids(shape_.num_experts)) {
      narrow_.assign(b.experts.begin(), b.experts.end());
      append(narrow_.data(), narrow_.size() * sizeof(uint16_t));
    } else {
      append(b.experts.data(), b.experts.size() * sizeof(uint32_t));
    }
    append(b.weights.data(), b.weights.size() * sizeof(float));
    append(b.ranks.data(), b.ranks.size() * sizeof(uint32_t));
    out_.maybe_flush();
  }

  void close() override { out_.commit(); }

 private:
  void append(const void* data, size_t bytes) {
    const char* p = static_cast<const char*>(data);
    out_.buffer().append(p, p + bytes);
  }

  TraceShape shape_;
  text::OutputFile out_;
  std::vector<uint16_t> narrow_;
};

}  // namespace

std::unique_ptr<TraceReader> open_binary_trace(const std::string& path, const TraceReadOptions& o) {
  return std::make_unique<BinaryTraceReader>(path, o);
}

std::unique_ptr<TraceWriter> make_binary_trace_writer(const std::string& path,
                                                      const TraceShape& shape) {
  return std::make_unique<BinaryTraceWriter>(path, shape);
}

}  // namespace moesim::workload
