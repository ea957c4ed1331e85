// NumPy routed-expert arrays as router traces (trace_io.hpp): one iteration, one batch per layer,
// token ids 0..T-1, no ranks (tokens start on GPUs in equal contiguous shares).
#include <bit>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "sim/core/error.hpp"
#include "workloads/npy_format.hpp"
#include "workloads/trace_io.hpp"

namespace moesim::workload {
namespace {

static_assert(std::endian::native == std::endian::little, "npy data is read as little-endian");

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

const char* layout_name(NpyLayout l) {
  return l == NpyLayout::layers_tokens_k ? "layers-tokens-k" : "tokens-layers-k";
}

// Element i of raw integer data as a signed value (unsigned 64-bit values past 2^63 - 1 become
// -1: out of any expert range either way).
int64_t integer_at(const char* p, const npy::Header& h) {
  switch (h.size) {
    case 1:
      return h.kind == 'i' ? int64_t{static_cast<int8_t>(*p)} : int64_t{static_cast<uint8_t>(*p)};
    case 2: {
      uint16_t v;
      std::memcpy(&v, p, 2);
      return h.kind == 'i' ? int64_t{static_cast<int16_t>(v)} : int64_t{v};
    }
    case 4: {
      uint32_t v;
      std::memcpy(&v, p, 4);
      return h.kind == 'i' ? int64_t{static_cast<int32_t>(v)} : int64_t{v};
    }
    default: {
      uint64_t v;
      std::memcpy(&v, p, 8);
      return h.kind == 'i' || v <= INT64_MAX ? static_cast<int64_t>(v) : -1;
    }
  }
}

double float_at(const char* p, const npy::Header& h) {
  if (h.size == 4) {
    float v;
    std::memcpy(&v, p, 4);
    return v;
  }
  double v;
  std::memcpy(&v, p, 8);
  return v;
}

class NpyTraceReader final : public TraceReader {
 public:
  NpyTraceReader(const std::string& path, const TraceReadOptions& o)
      : layout_(o.npy_layout), num_experts_(o.num_experts) {
    if (ends_with(path, ".npz")) {
      open_archive(path);
    } else {
      experts_ = npy::open_npy(path);
    }
    const npy::Header& h = experts_->header();
    if (h.kind == 'f') {
      throw InputError(
          fmt::format("{}: dtype {}: expected integer expert ids", experts_->name(), h.descr()));
    }
    const bool ltk = layout_ == NpyLayout::layers_tokens_k;
    if (h.shape.size() != 3) {
      throw InputError(fmt::format("{}: shape ({}): expected 3 dimensions {} (--trace-layout {})",
                                   experts_->name(), fmt::join(h.shape, ", "),
                                   ltk ? "[layers, tokens, k]" : "[tokens, layers, k]",
                                   layout_name(layout_)));
    }
    const uint64_t layers = h.shape[ltk ? 0 : 1], tokens = h.shape[ltk ? 1 : 0], k = h.shape[2];
    const auto dim = [&](const char* what, uint64_t v, uint64_t most) {
      if (v == 0 || v > most) {
        throw InputError(fmt::format("{}: shape ({}): {} {}: expected 1..{}", experts_->name(),
                                     fmt::join(h.shape, ", "), what, v, most));
      }
    };
    dim("layers", layers, UINT32_MAX);
    dim("tokens", tokens, UINT32_MAX);
    dim("k", k, o.num_experts);
    if (o.top_k != 0 && k != o.top_k) {
      throw InputError(fmt::format("{}: shape ({}): k {}: expected top-{} (--top-k)",
                                   experts_->name(), fmt::join(h.shape, ", "), k, o.top_k));
    }
    if (weights_ && weights_->header().shape != h.shape) {
      throw InputError(fmt::format("{}: shape ({}): expected the expert ids' shape ({})",
                                   weights_->name(), fmt::join(weights_->header().shape, ", "),
                                   fmt::join(h.shape, ", ")));
    }
    layers_ = static_cast<uint32_t>(layers);
    tokens_ = static_cast<uint32_t>(tokens);
    shape_ = {.num_experts = o.num_experts,
              .top_k = static_cast<uint32_t>(k),
              .has_weights = weights_ != nullptr};
  }

  bool next(Batch& out) override {
    if (layer_ == layers_) return false;
    out.clear();
    out.iteration = 0;
    out.layer = layer_;
    out.top_k = shape_.top_k;
    out.token_ids.resize(tokens_);
    for (uint32_t t = 0; t < tokens_; ++t)
      out.token_ids[t] = t;
    read_layer(*experts_, [&](const char* p, uint32_t t, uint32_t j) {
      const int64_t e = integer_at(p, experts_->header());
      if (e < 0 || e >= num_experts_) bad_id(e, t, j);
      out.experts.push_back(static_cast<ExpertId>(e));
    });
    if (weights_) {
      read_layer(*weights_, [&](const char* p, uint32_t t, uint32_t j) {
        const double w = float_at(p, weights_->header());
        // Batch holds float32 weights: a float64 beyond its range would turn into inf.
        if (!std::isfinite(w) || w < 0 || w > std::numeric_limits<float>::max()) {
          throw InputError(fmt::format(
              "{}: {}: weight {}: expected a finite gate weight >= 0 (at most {:g}, float32)",
              weights_->name(), index(t, j), w, std::numeric_limits<float>::max()));
        }
        out.weights.push_back(static_cast<float>(w));
      });
    }
    ++layer_;
    return true;
  }

  const TraceShape& shape() const override { return shape_; }

 private:
  void open_archive(const std::string& path) {
    archive_ = std::make_unique<npy::NpzArchive>(path);
    std::vector<std::string> ints, floats;
    for (const std::string& name : archive_->names()) {
      auto a = archive_->open(name);
      (a->header().kind == 'f' ? floats : ints).push_back(name);
      (a->header().kind == 'f' ? weights_ : experts_) = std::move(a);
    }
    if (ints.size() != 1 || floats.size() > 1) {
      throw InputError(fmt::format(
          "{}: integer arrays [{}], float arrays [{}]: expected one integer array of expert "
          "ids and at most one float array of gate weights",
          path, fmt::join(ints, ", "), fmt::join(floats, ", ")));
    }
  }

  // Calls f(element, token, slot) for every element of the current layer, in token order.
  template <class F>
  void read_layer(npy::ArrayReader& a, F&& f) {
    const uint32_t size = a.header().size, k = shape_.top_k;
    if (layout_ == NpyLayout::layers_tokens_k) {  // the layer is the next tokens x k elements
      constexpr uint32_t kChunk = 4096;           // tokens per read
      for (uint32_t t0 = 0; t0 < tokens_; t0 += kChunk) {
        const uint32_t n = std::min(kChunk, tokens_ - t0);
        buf_.resize(size_t{n} * k * size);
        a.read(buf_.data(), buf_.size());
        for (uint32_t t = 0; t < n; ++t)
          for (uint32_t j = 0; j < k; ++j)
            f(buf_.data() + (size_t{t} * k + j) * size, t0 + t, j);
      }
      return;
    }
    // [tokens, layers, k]: one pass over the array per layer, keeping its k of every row.
    a.rewind();
    buf_.resize(size_t{layers_} * k * size);
    for (uint32_t t = 0; t < tokens_; ++t) {
      a.read(buf_.data(), buf_.size());
      for (uint32_t j = 0; j < k; ++j)
        f(buf_.data() + (size_t{layer_} * k + j) * size, t, j);
    }
  }

  std::string index(uint32_t t, uint32_t j) const {
    return layout_ == NpyLayout::layers_tokens_k ? fmt::format("[{}, {}, {}]", layer_, t, j)
                                                 : fmt::format("[{}, {}, {}]", t, layer_, j);
  }

  [[noreturn]] void bad_id(int64_t e, uint32_t t, uint32_t j) const {
    throw InputError(fmt::format("{}: {}: expert {}: expected an expert id in 0..{} (--experts)",
                                 experts_->name(), index(t, j), e, num_experts_ - 1));
  }

  NpyLayout layout_;
  uint32_t num_experts_;
  std::unique_ptr<npy::NpzArchive> archive_;  // outlives its arrays (declared first)
  std::unique_ptr<npy::ArrayReader> experts_, weights_;
  uint32_t layers_ = 0, tokens_ = 0, layer_ = 0;
  TraceShape shape_;
  std::vector<char> buf_;
};

// Buffers the layers of a one-iteration trace and writes [layers, tokens, k] arrays on close:
// expert ids as <i4 (and, in .npz, gate weights as <f4 in "weights").
class NpyTraceWriter final : public TraceWriter {
 public:
  NpyTraceWriter(const std::string& path, const TraceShape& shape)
      : path_(path), npz_(ends_with(path, ".npz")), shape_(shape) {
    if (shape.has_ranks) refuse("the trace has source ranks, which NumPy arrays do not hold");
    if (shape.has_weights && !npz_) {
      refuse("the trace has gate weights, which a .npy holds no room for: expected a .npz");
    }
  }

  void write(const Batch& b) override {
    check_batch(b, shape_);
    if (b.iteration != 0) refuse(fmt::format("iteration {}: expected one iteration", b.iteration));
    if (b.layer != layers_) {
      refuse(fmt::format("layer {} after {} layers: expected layers 0, 1, ... in order", b.layer,
                         layers_));
    }
    if (layers_ > 0 && b.num_tokens() != tokens_) {
      refuse(fmt::format("layer {}: {} tokens: expected {} as in layer 0", b.layer, b.num_tokens(),
                         tokens_));
    }
    tokens_ = b.num_tokens();
    ++layers_;
    for (const ExpertId e : b.experts) {
      const auto v = static_cast<int32_t>(e);
      experts_.append(reinterpret_cast<const char*>(&v), 4);
    }
    weights_.append(reinterpret_cast<const char*>(b.weights.data()), b.weights.size() * 4);
  }

  void close() override {
    const std::vector<uint64_t> dims = {layers_, tokens_, shape_.top_k};
    const std::string ids = npy::npy_bytes({'i', 4, dims}, experts_);
    const std::string tmp = path_ + ".tmp";
    try {
      if (npz_) {
        std::vector<std::pair<std::string, std::string>> arrays = {{"experts", ids}};
        if (shape_.has_weights)
          arrays.emplace_back("weights", npy::npy_bytes({'f', 4, dims}, weights_));
        npy::write_npz(tmp, arrays);
      } else {
        std::FILE* f = std::fopen(tmp.c_str(), "wb");
        const bool ok = f != nullptr && std::fwrite(ids.data(), 1, ids.size(), f) == ids.size();
        if (f != nullptr && std::fclose(f) != 0 && ok) refuse("cannot write");
        if (!ok) refuse("cannot write");
      }
      std::filesystem::rename(tmp, path_);
    } catch (...) {
      std::error_code ec;
      std::filesystem::remove(tmp, ec);
      throw;
    }
  }

 private:
  [[noreturn]] void refuse(const std::string& what) const {
    throw InputError(fmt::format("{}: {}", path_, what));
  }

  std::string path_;
  bool npz_;
  TraceShape shape_;
  uint64_t layers_ = 0, tokens_ = 0;
  std::string experts_, weights_;
};

}  // namespace

std::unique_ptr<TraceReader> open_npy_trace(const std::string& path, const TraceReadOptions& o) {
  return std::make_unique<NpyTraceReader>(path, o);
}

std::unique_ptr<TraceWriter> make_npy_trace_writer(const std::string& path,
                                                   const TraceShape& shape) {
  return std::make_unique<NpyTraceWriter>(path, shape);
}

}  // namespace moesim::workload
