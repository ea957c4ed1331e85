// The results.csv of a sweep directory, written so that a killed sweep loses nothing and
// duplicates nothing:
//  - the header is written to a temporary file renamed into place, so results.csv exists
//    with its header or not at all;
//  - each finished point's rows are one block appended with a single write() on an O_APPEND
//    descriptor (under flock), so a reader sees whole points;
//  - one sweep process at a time owns a directory (flock on .sweep.lock);
//  - on resume, a torn last line (the sweep killed inside write()) is cut together with the
//    rows of the point before it, which is then run again: no point is both kept and re-run.
// Rows are in plan order (the runner's reorder buffer), and a resumed sweep ends with the same
// bytes as one never stopped (only --retry-failed appends its re-run points at the end); the
// wall time of each run point goes to timings.csv instead.
// A point is done when results.csv holds a row with its id; --retry-failed first drops the
// rows whose status is not ok.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace moesim::cli {

class ResultsFile {
 public:
  // Creates the directory if needed, takes its lock, and opens (or creates) results.csv with
  // `columns` as header. InputError if another sweep holds the lock or the header differs.
  ResultsFile(const std::filesystem::path& dir, const std::vector<std::string>& columns,
              bool retry_failed);
  ~ResultsFile();
  ResultsFile(const ResultsFile&) = delete;
  ResultsFile& operator=(const ResultsFile&) = delete;

  // point id -> status of the points already recorded.
  const std::map<std::string, std::string>& done() const { return done_; }
  // Rows dropped on opening: a torn tail, or failures with retry_failed.
  size_t dropped_rows() const { return dropped_rows_; }
  // Appends one point's rows (complete lines) atomically.
  void append(const std::string& block);
  // Appends a line `point,status,wall_s` to timings.csv beside results.csv: how long each
  // point took, kept apart so that results.csv is the same bytes whatever the --jobs.
  void append_timing(const std::string& point, const std::string& status, double wall_s);
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  int lock_fd_ = -1;
  int fd_ = -1;
  int timings_fd_ = -1;
  std::map<std::string, std::string> done_;
  size_t dropped_rows_ = 0;
};

// Joins results.csv files of shards (equal headers) into out_dir/results.csv: one copy of each
// point's rows, sorted by point id (rows of a point keep their order). Returns the number of
// points. InputError for a missing file, a differing header or an existing output.
size_t merge_results(const std::vector<std::string>& inputs, const std::string& out_dir);

}  // namespace moesim::cli
