// NumPy's array files, read and written strictly (internal to workloads/): `.npy` (format
// versions 1.0, 2.0 and 3.0: the magic "\x93NUMPY", the version, a little-endian header length
// (u16 in 1.0, u32 after) and a Python dict literal {'descr': '<i8', 'fortran_order': False,
// 'shape': (2, 3, 4), } padded with spaces to a multiple of 64 bytes, then the data) and
// `.npz` (a ZIP archive of NAME.npy members, stored by numpy.savez or deflated by
// numpy.savez_compressed; read through libzip). Only what a router dump holds is accepted:
// little-endian (or single-byte) integers and floats, C order.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace moesim::workload::npy {

struct Header {
  char kind = 0;      // 'i' signed, 'u' unsigned integer, 'f' float
  uint32_t size = 0;  // bytes per element: 1, 2, 4 or 8
  std::vector<uint64_t> shape;
  uint64_t elements() const;  // product of shape (InputError past 2^64 - 1)
  std::string descr() const;  // e.g. "<i8"
};

// The data of one array, read sequentially from its start; `name` is what errors call it
// ("trace.npy", or "trace.npz:experts").
class ArrayReader {
 public:
  virtual ~ArrayReader() = default;
  const Header& header() const { return header_; }
  const std::string& name() const { return name_; }
  // Reads `n` bytes of data; InputError naming the array if the file ends first.
  virtual void read(void* out, size_t n) = 0;
  // Back to the first data byte.
  virtual void rewind() = 0;

 protected:
  Header header_;
  std::string name_;
};

// Parses a header from the first bytes of an array; InputError naming `name` on anything but
// the accepted forms above.
Header parse_header(const std::string& name, const std::string& bytes, size_t& data_offset);

// The array of a .npy file.
std::unique_ptr<ArrayReader> open_npy(const std::string& path);

// The arrays of a .npz archive by name (without ".npy").
class NpzArchive {
 public:
  explicit NpzArchive(const std::string& path);
  ~NpzArchive();
  NpzArchive(const NpzArchive&) = delete;
  NpzArchive& operator=(const NpzArchive&) = delete;
  const std::vector<std::string>& names() const { return names_; }
  std::unique_ptr<ArrayReader> open(const std::string& name) const;

 private:
  std::string path_;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::vector<std::string> names_;
};

// The bytes of a .npy file holding `data` (raw, little-endian) under `header` (version 1.0).
std::string npy_bytes(const Header& header, const std::string& data);

// Writes `arrays` (name, .npy bytes) as an uncompressed .npz at `path` (as numpy.savez).
void write_npz(const std::string& path,
               const std::vector<std::pair<std::string, std::string>>& arrays);

}  // namespace moesim::workload::npy
