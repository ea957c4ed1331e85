// Shared by the libFuzzer harnesses in tests/fuzz: the rule that an InputError is a normal
// rejection and anything else escaping a parser is a finding, and a scratch file for the
// readers that only take a path.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string>
#include <string_view>

#include "sim/core/error.hpp"

namespace moesim::fuzz {

// Runs `parse`; an InputError is the parser rejecting bad input (fine), any other exception
// is printed and turned into an abort, which libFuzzer reports as a crash with the input.
template <class F>
void reject_only_input_errors(F&& parse) {
  try {
    parse();
  } catch (const InputError&) {
  } catch (const std::exception& e) {
    std::fprintf(stderr, "moesim fuzz: unexpected exception: %s\n", e.what());
    std::abort();
  } catch (...) {
    std::fprintf(stderr, "moesim fuzz: unexpected non-std exception\n");
    std::abort();
  }
}

// One file per process (so parallel fuzzers do not collide), on /dev/shm when it exists so the
// per-input write stays in memory; removed when the process exits normally.
class ScratchFile {
 public:
  explicit ScratchFile(std::string_view extension) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path dir =
        fs::is_directory("/dev/shm", ec) ? fs::path("/dev/shm") : fs::temp_directory_path();
    path_ = (dir / ("moesim-fuzz-" + std::to_string(::getpid()) + std::string(extension))).string();
  }
  ~ScratchFile() { std::remove(path_.c_str()); }
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;

  // Replaces the file's contents with `data` and returns its path.
  const std::string& write(const uint8_t* data, size_t size) {
    std::FILE* f = std::fopen(path_.c_str(), "wb");
    if (f == nullptr || (size > 0 && std::fwrite(data, 1, size, f) != size)) std::abort();
    std::fclose(f);
    return path_;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline std::string_view as_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace moesim::fuzz
