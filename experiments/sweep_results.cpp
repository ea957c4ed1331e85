#include "experiments/sweep_results.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "experiments/sweep_csv.hpp"
#include "sim/core/error.hpp"

namespace fs = std::filesystem;

namespace moesim::cli {
namespace {

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_all(int fd, std::string_view data, const fs::path& p) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error(fmt::format("writing '{}': {}", p.string(), std::strerror(errno)));
    data.remove_prefix(static_cast<size_t>(n));
  }
}

// Writes `text` to `path` through a temporary file and rename: all or nothing.
void replace_file(const fs::path& path, const std::string& text) {
  const fs::path tmp = path.string() + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    throw Error(fmt::format("cannot create '{}': {}", tmp.string(), std::strerror(errno)));
  write_all(fd, text, tmp);
  ::fsync(fd);
  ::close(fd);
  fs::rename(tmp, path);
}

size_t column_of(const std::vector<std::string>& header, const std::string& name) {
  return static_cast<size_t>(std::find(header.begin(), header.end(), name) - header.begin());
}

}  // namespace

ResultsFile::ResultsFile(const fs::path& dir, const std::vector<std::string>& columns,
                         bool retry_failed)
    : path_(dir / "results.csv") {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    throw InputError(fmt::format("--out: cannot create '{}': {}: expected a writable directory",
                                 dir.string(), ec.message()));
  }
  const fs::path lock = dir / ".sweep.lock";
  lock_fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0 || ::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    throw InputError(fmt::format(
        "--out: '{}': another sweep is running in this directory: expected one sweep per "
        "directory (give each --shard its own --out and merge)",
        dir.string()));
  }
  const std::string header = csv_line(columns);
  if (!fs::exists(path_)) replace_file(path_, header);

  const std::string text = read_all(path_);
  std::vector<CsvRecord> recs = parse_csv(text);
  if (recs.empty() || recs[0].fields != columns) {
    throw InputError(fmt::format(
        "--out: '{}' has other columns than this sweep: expected a results.csv written by a "
        "sweep of this moesim version (or a new --out)",
        path_.string()));
  }
  const size_t point_col = column_of(columns, "point");
  const size_t status_col = column_of(columns, "status");
  size_t keep = recs.size();  // records [0, keep) stay
  if (!recs.back().terminated) {
    // A torn block: drop it and the point before it (which may be the same point).
    --keep;
    if (keep > 1) {
      const std::string last =
          recs[keep - 1].fields.size() == columns.size() ? recs[keep - 1].fields[point_col] : "";
      while (keep > 1 && recs[keep - 1].fields.size() == columns.size() &&
             recs[keep - 1].fields[point_col] == last)
        --keep;
    }
  }
  for (size_t i = 1; i < keep; ++i) {
    if (recs[i].fields.size() != columns.size()) {
      throw InputError(
          fmt::format("{}:{}: {} fields: expected {} (a damaged file; move it away "
                      "to start again)",
                      path_.string(), recs[i].line, recs[i].fields.size(), columns.size()));
    }
  }
  std::string kept = text.substr(0, keep < recs.size() ? recs[keep].begin : text.size());
  if (retry_failed) {
    kept = header;
    for (size_t i = 1; i < keep; ++i) {
      if (recs[i].fields[status_col] == "ok") {
        kept += text.substr(recs[i].begin, recs[i].end - recs[i].begin);
      } else {
        recs[i].fields.clear();  // dropped
      }
    }
  }
  for (size_t i = 1; i < recs.size(); ++i) {
    if (i < keep && !recs[i].fields.empty()) {
      done_[recs[i].fields[point_col]] = recs[i].fields[status_col];
    } else {
      ++dropped_rows_;
    }
  }
  if (kept.size() != text.size()) replace_file(path_, kept);
  fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd_ < 0) {
    throw Error(fmt::format("cannot open '{}': {}", path_.string(), std::strerror(errno)));
  }
  // timings.csv: a log of every point run, in the order they finished; a line torn by a kill
  // is cut so that the next one starts on its own line.
  const fs::path timings = dir / "timings.csv";
  if (!fs::exists(timings)) replace_file(timings, csv_line({"point", "status", "wall_s"}));
  const std::string log = read_all(timings);
  if (!log.empty() && log.back() != '\n') replace_file(timings, log.substr(0, log.rfind('\n') + 1));
  timings_fd_ = ::open(timings.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (timings_fd_ < 0) {
    throw Error(fmt::format("cannot open '{}': {}", timings.string(), std::strerror(errno)));
  }
}

ResultsFile::~ResultsFile() {
  if (fd_ >= 0) ::close(fd_);
  if (timings_fd_ >= 0) ::close(timings_fd_);
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

void ResultsFile::append(const std::string& block) {
  ::flock(fd_, LOCK_EX);  // readers that lock see whole points
  write_all(fd_, block, path_);
  ::flock(fd_, LOCK_UN);
}

void ResultsFile::append_timing(const std::string& point, const std::string& status,
                                double wall_s) {
  write_all(timings_fd_, csv_line({point, status, fmt::format("{:.3f}", wall_s)}),
            path_.parent_path() / "timings.csv");
}

size_t merge_results(const std::vector<std::string>& inputs, const std::string& out_dir) {
  if (inputs.empty()) {
    throw InputError("--merge: no files: expected one or more results.csv files of shards");
  }
  const fs::path out = fs::path(out_dir) / "results.csv";
  if (fs::exists(out)) {
    throw InputError(fmt::format(
        "--out: '{}' already exists: expected a new directory (results are never overwritten)",
        out.string()));
  }
  std::vector<std::string> header;
  struct Row {
    std::string point;
    size_t order;
    std::string line;
  };
  std::vector<Row> rows;
  std::map<std::string, std::string> owner;  // point id -> the input that gave it
  for (const std::string& in : inputs) {
    if (!fs::is_regular_file(in)) {
      throw InputError(fmt::format("--merge: '{}': expected a readable results.csv", in));
    }
    const std::string text = read_all(in);
    const std::vector<CsvRecord> recs = parse_csv(text);
    if (recs.empty()) throw InputError(fmt::format("--merge: '{}': empty: expected a header", in));
    if (header.empty()) header = recs[0].fields;
    if (recs[0].fields != header) {
      throw InputError(
          fmt::format("--merge: '{}': its columns differ from '{}': expected "
                      "results of the same sweep",
                      in, inputs.front()));
    }
    const size_t point_col = column_of(header, "point");
    if (point_col == header.size()) {
      throw InputError(
          fmt::format("--merge: '{}': no point column: expected a sweep's "
                      "results.csv",
                      in));
    }
    for (size_t i = 1; i < recs.size(); ++i) {
      if (!recs[i].terminated || recs[i].fields.size() != header.size()) continue;  // torn
      const std::string& id = recs[i].fields[point_col];
      if (auto [it, fresh] = owner.emplace(id, in); !fresh && it->second != in) continue;
      rows.push_back({id, rows.size(), csv_line(recs[i].fields)});
    }
  }
  std::stable_sort(rows.begin(), rows.end(),
                   [](const Row& a, const Row& b) { return a.point < b.point; });
  std::string text = csv_line(header);
  for (const Row& r : rows)
    text += r.line;
  fs::create_directories(out_dir);
  replace_file(out, text);
  return owner.size();
}

}  // namespace moesim::cli
