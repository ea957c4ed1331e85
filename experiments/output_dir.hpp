// Output directories that never lose or half-write results: files are written into a staging
// directory beside the target and renamed into place only when the whole run has succeeded.
// A target that already holds any of the files is refused before anything is written. A run
// that fails, or is stopped by SIGINT or SIGTERM, leaves neither the staging directory nor
// any parent directory it had to create.
#pragma once

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace moesim::cli {

class OutputDir {
 public:
  // `requested` empty: the next free moesim-out/run-NNN under the current directory.
  // Throws InputError (naming `what`) if the target already holds one of `files`.
  OutputDir(const std::string& requested, const std::vector<std::string>& files,
            const std::string& what);
  ~OutputDir();
  OutputDir(const OutputDir&) = delete;
  OutputDir& operator=(const OutputDir&) = delete;

  // A stream for `name` (one of the files given at construction) in the staging directory.
  std::ofstream& open(const std::string& name);
  // Closes every stream and moves the files into the target directory.
  void commit();
  const std::filesystem::path& path() const { return target_; }

 private:
  // Removes the staging directory and the directories made for it, and stops the signal
  // cleanup from doing the same.
  void discard();

  std::filesystem::path target_;
  std::filesystem::path staging_;
  // Directories that did not exist and were made for the staging directory or the target,
  // deepest first; on failure each is removed if empty.
  std::vector<std::filesystem::path> created_;
  std::map<std::string, std::ofstream> streams_;
  bool committed_ = false;
};

// Writes `content` to the new file `path` (staged under a temporary name, then renamed, so a
// failure leaves nothing behind). InputError naming `what` if `path` exists already.
void write_new_file(const std::string& path, const std::string& content, const std::string& what);

}  // namespace moesim::cli
