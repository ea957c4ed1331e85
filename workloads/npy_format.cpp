#include "workloads/npy_format.hpp"

#include <zip.h>

#include <cctype>
#include <cstring>
#include <fstream>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "sim/core/error.hpp"

namespace moesim::workload::npy {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;

[[noreturn]] void fail(const std::string& name, const std::string& what) {
  throw InputError(fmt::format("{}: {}", name, what));
}

// A strict cursor over the header's dict literal.
class DictCursor {
 public:
  DictCursor(const std::string& name, const std::string& text) : name_(name), s_(text) {}

  void skip_space() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t'))
      ++i_;
  }
  bool take(char c) {
    skip_space();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  void expect(char c, const char* what) {
    if (!take(c)) bad(fmt::format("expected {}", what));
  }
  std::string quoted() {
    skip_space();
    if (i_ >= s_.size() || (s_[i_] != '\'' && s_[i_] != '"')) bad("expected a quoted string");
    const char q = s_[i_++];
    const size_t end = s_.find(q, i_);
    if (end == std::string::npos) bad("unterminated string");
    std::string out = s_.substr(i_, end - i_);
    i_ = end + 1;
    return out;
  }
  bool boolean() {
    skip_space();
    for (const auto& [word, value] : {std::pair{"True", true}, std::pair{"False", false}}) {
      if (s_.compare(i_, std::strlen(word), word) == 0) {
        i_ += std::strlen(word);
        return value;
      }
    }
    bad("expected True or False");
  }
  uint64_t number() {
    skip_space();
    if (i_ >= s_.size() || !std::isdigit(static_cast<unsigned char>(s_[i_]))) {
      bad("expected a dimension");
    }
    uint64_t v = 0;
    while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) {
      if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, s_[i_] - '0', &v)) {
        bad("a dimension past 2^64 - 1");
      }
      ++i_;
    }
    return v;
  }
  bool at_end() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n'))
      ++i_;
    return i_ == s_.size();
  }
  [[noreturn]] void bad(const std::string& what) const {
    fail(name_, fmt::format("header at character {}: {}: expected a NumPy header dict "
                            "{{'descr': ..., 'fortran_order': ..., 'shape': (...)}}",
                            i_, what));
  }

 private:
  const std::string& name_;
  const std::string& s_;
  size_t i_ = 0;
};

Header parse_dict(const std::string& name, const std::string& text) {
  DictCursor c(name, text);
  c.expect('{', "'{'");
  Header h;
  bool descr = false, order = false, shape = false;
  while (!c.take('}')) {
    const std::string key = c.quoted();
    c.expect(':', "':'");
    bool& seen = key == "descr" ? descr : key == "fortran_order" ? order : shape;
    if ((key != "descr" && key != "fortran_order" && key != "shape") || seen) {
      c.bad(fmt::format("key '{}'", key));
    }
    seen = true;
    if (key == "descr") {
      const std::string d = c.quoted();
      const bool ok = d.size() == 3 && (d[0] == '<' || d[0] == '|') &&
                      (d[1] == 'i' || d[1] == 'u' || d[1] == 'f') && d[2] >= '1' && d[2] <= '8';
      h.kind = ok ? d[1] : 0;
      h.size = ok ? static_cast<uint32_t>(d[2] - '0') : 0;
      const bool sized = h.size == 1 || h.size == 2 || h.size == 4 || h.size == 8;
      if (!ok || !sized || (h.kind == 'f' && h.size < 4) || (d[0] == '|' && h.size != 1)) {
        fail(name, fmt::format("dtype '{}': expected little-endian integers (<i1..<i8, <u1..<u8) "
                               "or floats (<f4, <f8)",
                               d));
      }
    } else if (key == "fortran_order") {
      if (c.boolean()) {
        fail(name, "fortran_order True: expected a C-ordered array (numpy.ascontiguousarray)");
      }
    } else {
      c.expect('(', "'('");
      while (!c.take(')')) {
        h.shape.push_back(c.number());
        if (!c.take(',')) {
          c.expect(')', "',' or ')'");
          break;
        }
      }
    }
    if (!c.take(',')) {
      c.expect('}', "',' or '}'");
      break;
    }
  }
  if (!descr || !order || !shape) c.bad("a missing key");
  if (!c.at_end()) c.bad("text after the dict");
  return h;
}

uint32_t u32le(const std::string& b, size_t at, size_t n) {
  uint32_t v = 0;
  for (size_t i = 0; i < n; ++i)
    v |= static_cast<uint32_t>(static_cast<unsigned char>(b[at + i])) << (8 * i);
  return v;
}

// Reads the magic, version and header through `read` (n bytes into a string, false at EOF).
template <class Read>
Header read_header(const std::string& name, Read&& read, size_t& data_offset) {
  std::string prefix(kMagicSize + 2, '\0');
  if (!read(prefix.data(), prefix.size()) || prefix.compare(0, kMagicSize, kMagic) != 0) {
    fail(name, "not a .npy array: expected the magic \\x93NUMPY");
  }
  const int major = static_cast<unsigned char>(prefix[kMagicSize]);
  if (major < 1 || major > 3) {
    fail(name, fmt::format("format version {}: expected 1, 2 or 3", major));
  }
  const size_t len_size = major == 1 ? 2 : 4;
  std::string len(len_size, '\0');
  if (!read(len.data(), len_size)) fail(name, "truncated header");
  const uint32_t n = u32le(len, 0, len_size);
  if (n > (1u << 20)) fail(name, fmt::format("header of {} bytes: expected at most 1 MiB", n));
  std::string dict(n, '\0');
  if (!read(dict.data(), n)) fail(name, "truncated header");
  data_offset = prefix.size() + len_size + n;
  return parse_dict(name, dict);
}

class FileArray final : public ArrayReader {
 public:
  explicit FileArray(const std::string& path) : in_(path, std::ios::binary) {
    name_ = path;
    if (!in_) fail(path, "cannot open: expected a readable .npy file");
    header_ = read_header(
        name_, [&](char* p, size_t n) { return static_cast<bool>(in_.read(p, n)); }, offset_);
  }
  void read(void* out, size_t n) override {
    if (!in_.read(static_cast<char*>(out), static_cast<std::streamsize>(n))) {
      fail(name_, fmt::format("data ends early: expected {} elements of shape {}",
                              header_.elements(), header_.descr()));
    }
  }
  void rewind() override {
    in_.clear();
    in_.seekg(static_cast<std::streamoff>(offset_));
  }

 private:
  std::ifstream in_;
  size_t offset_ = 0;
};

}  // namespace

uint64_t Header::elements() const {
  uint64_t n = 1;
  for (const uint64_t d : shape) {
    if (__builtin_mul_overflow(n, d, &n)) {
      throw InputError("npy: array shape's element count past 2^64 - 1");
    }
  }
  return n;
}

std::string Header::descr() const {
  return fmt::format("{}{}{}", size == 1 ? '|' : '<', kind, size);
}

Header parse_header(const std::string& name, const std::string& bytes, size_t& data_offset) {
  size_t at = 0;
  return read_header(
      name,
      [&](char* p, size_t n) {
        if (bytes.size() - at < n) return false;
        std::memcpy(p, bytes.data() + at, n);
        at += n;
        return true;
      },
      data_offset);
}

std::unique_ptr<ArrayReader> open_npy(const std::string& path) {
  return std::make_unique<FileArray>(path);
}

// Owns the archive, so a constructor that throws half-way still closes it.
struct NpzArchive::Impl {
  zip_t* zip = nullptr;
  ~Impl() {
    if (zip != nullptr) zip_discard(zip);
  }
};

namespace {

class ZipArray final : public ArrayReader {
 public:
  ZipArray(zip_t* zip, zip_uint64_t index, std::string name) : zip_(zip), index_(index) {
    name_ = std::move(name);
    open();
    header_ = read_header(
        name_, [&](char* p, size_t n) { return raw(p, n); }, offset_);
  }
  ZipArray(const ZipArray&) = delete;
  ZipArray& operator=(const ZipArray&) = delete;

  void read(void* out, size_t n) override {
    if (!raw(static_cast<char*>(out), n)) {
      fail(name_, fmt::format("data ends early: expected {} elements", header_.elements()));
    }
  }
  void rewind() override {  // deflated members cannot seek: reopen and skip the header
    open();
    std::string skip(offset_, '\0');
    raw(skip.data(), offset_);
  }

 private:
  void open() {
    file_.reset(zip_fopen_index(zip_, index_, 0));
    if (file_ == nullptr) fail(name_, fmt::format("cannot read: {}", zip_strerror(zip_)));
  }
  bool raw(char* p, size_t n) {
    while (n > 0) {
      const zip_int64_t got = zip_fread(file_.get(), p, n);
      if (got < 0) {
        fail(name_, fmt::format("corrupt member: {}", zip_file_strerror(file_.get())));
      }
      if (got == 0) return false;
      p += got;
      n -= static_cast<size_t>(got);
    }
    return true;
  }

  zip_t* zip_;
  zip_uint64_t index_;
  // A member, not a destructor's job: closed even when the constructor throws.
  std::unique_ptr<zip_file_t, decltype(&zip_fclose)> file_{nullptr, &zip_fclose};
  size_t offset_ = 0;
};

}  // namespace

NpzArchive::NpzArchive(const std::string& path) : path_(path), impl_(std::make_unique<Impl>()) {
  int error = 0;
  impl_->zip = zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &error);
  if (impl_->zip == nullptr) {
    zip_error_t e;
    zip_error_init_with_code(&e, error);
    const std::string what = zip_error_strerror(&e);
    zip_error_fini(&e);
    fail(path, fmt::format("cannot open as .npz: {}: expected a ZIP archive of .npy arrays "
                           "(numpy.savez)",
                           what));
  }
  const zip_int64_t n = zip_get_num_entries(impl_->zip, 0);
  for (zip_int64_t i = 0; i < n; ++i) {
    const char* raw_name = zip_get_name(impl_->zip, static_cast<zip_uint64_t>(i), 0);
    if (raw_name == nullptr) {
      fail(path, fmt::format("member {}: unreadable name: {}", i, zip_strerror(impl_->zip)));
    }
    const std::string entry = raw_name;
    if (entry.size() < 5 || entry.compare(entry.size() - 4, 4, ".npy") != 0) {
      fail(path, fmt::format("member '{}': expected NAME.npy members only", entry));
    }
    names_.push_back(entry.substr(0, entry.size() - 4));
  }
}

NpzArchive::~NpzArchive() = default;

std::unique_ptr<ArrayReader> NpzArchive::open(const std::string& name) const {
  const zip_int64_t i = zip_name_locate(impl_->zip, (name + ".npy").c_str(), 0);
  if (i < 0) throw InternalError(fmt::format("NpzArchive: no member {}", name));
  return std::make_unique<ZipArray>(impl_->zip, static_cast<zip_uint64_t>(i),
                                    fmt::format("{}:{}", path_, name));
}

std::string npy_bytes(const Header& h, const std::string& data) {
  std::string shape = fmt::format("{}", fmt::join(h.shape, ", "));
  if (h.shape.size() == 1) shape += ',';  // Python's one-element tuple: (3,)
  std::string dict =
      fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': ({}), }}", h.descr(), shape);
  // Pad with spaces and a newline so magic + version + length + dict is a multiple of 64.
  const size_t unpadded = kMagicSize + 2 + 2 + dict.size() + 1;
  dict.append((64 - unpadded % 64) % 64, ' ');
  dict += '\n';
  std::string out(kMagic, kMagicSize);
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(dict.size() & 0xff);
  out += static_cast<char>(dict.size() >> 8);
  out += dict;
  out += data;
  return out;
}

void write_npz(const std::string& path,
               const std::vector<std::pair<std::string, std::string>>& arrays) {
  int error = 0;
  zip_t* zip = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  if (zip == nullptr) fail(path, "cannot create the archive");
  for (const auto& [name, bytes] : arrays) {
    zip_source_t* src = zip_source_buffer(zip, bytes.data(), bytes.size(), 0);
    const zip_int64_t i =
        src == nullptr ? -1 : zip_file_add(zip, (name + ".npy").c_str(), src, ZIP_FL_ENC_UTF_8);
    if (i < 0) {
      if (src != nullptr) zip_source_free(src);
      zip_discard(zip);
      fail(path, fmt::format("cannot add {}.npy", name));
    }
    zip_set_file_compression(zip, static_cast<zip_uint64_t>(i), ZIP_CM_STORE, 0);
  }
  if (zip_close(zip) != 0) {
    const std::string what = zip_strerror(zip);
    zip_discard(zip);
    fail(path, fmt::format("cannot write: {}", what));
  }
}

}  // namespace moesim::workload::npy
