// moesim-mpi: `moesim sweep` spread over MPI ranks, possibly on many machines. Rank 0 owns
// the sweep directory (plan, results.csv, resume, progress) exactly as `moesim sweep` does,
// and hands points out one at a time to whichever rank asks; every rank, rank 0 included,
// runs its points as child processes of the `moesim` binary found beside this one, --jobs at
// a time (default 1 per rank), and sends back the point's status and results.csv text.
// MPI lives only in this executable: SimGrid, linked by the simulator, exports SMPI's MPI
// symbols (reference/toolchain.md P9), so this launcher links neither SimGrid nor the
// simulator.
#include <mpi.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <thread>

#include <fmt/format.h>

#include "experiments/sweep_csv.hpp"
#include "experiments/sweep_runner.hpp"
#include "sim/core/error.hpp"

namespace fs = std::filesystem;
using namespace moesim;
using namespace moesim::cli;

namespace {

// Message tags. A worker has `jobs` outstanding requests (Ready, then one Result per point);
// rank 0 answers each with Work or Stop.
enum Tag : int { kReady = 1, kResult = 2, kWork = 3, kStop = 4 };

constexpr char kSep = '\0';  // fields of a message; argv strings and CSV text hold no NUL

void send(const std::string& text, int dest, int tag) {
  MPI_Send(text.data(), static_cast<int>(text.size()), MPI_CHAR, dest, tag, MPI_COMM_WORLD);
}

std::string receive(const MPI_Status& probed) {
  int count = 0;
  MPI_Get_count(&probed, MPI_CHAR, &count);
  std::string text(static_cast<size_t>(count), '\0');
  MPI_Recv(text.data(), count, MPI_CHAR, probed.MPI_SOURCE, probed.MPI_TAG, MPI_COMM_WORLD,
           MPI_STATUS_IGNORE);
  return text;
}

std::vector<std::string> split_fields(const std::string& text, size_t max_fields) {
  std::vector<std::string> out;
  size_t begin = 0;
  while (out.size() + 1 < max_fields) {
    const size_t end = text.find(kSep, begin);
    if (end == std::string::npos) break;
    out.push_back(text.substr(begin, end - begin));
    begin = end + 1;
  }
  out.push_back(text.substr(begin));
  return out;
}

std::string encode_job(const ChildJob& job) {
  std::string text = fmt::format("{}{}{}{}{}", job.index, kSep, job.exe, kSep, job.dir.string());
  for (const auto& a : job.argv)
    text += kSep + a;
  return text;
}

ChildJob decode_job(const std::string& text) {
  std::vector<std::string> f = split_fields(text, SIZE_MAX);
  ChildJob job;
  job.index = std::stoul(f.at(0));
  job.exe = f.at(1);
  job.dir = f.at(2);
  job.argv.assign(f.begin() + 3, f.end());
  return job;
}

std::string encode_result(const ChildResult& r) {
  return fmt::format("{}{}{}{}{}{}{}{}{}", r.index, kSep, static_cast<int>(r.status), kSep,
                     r.wall_s, kSep, r.message, kSep, r.results_csv);
}

ChildResult decode_result(const std::string& text) {
  const std::vector<std::string> f = split_fields(text, 5);
  ChildResult r;
  r.index = std::stoul(f.at(0));
  r.status = static_cast<PointStatus>(std::stoi(f.at(1)));
  r.wall_s = std::stod(f.at(2));
  r.message = f.at(3);
  r.results_csv = f.at(4);
  return r;
}

void print_usage() {
  fmt::print(
      "Usage: mpirun -np N moesim-mpi sweep [sweep options] [--] [moesim run options]\n"
      "The options and the sweep directory of `moesim sweep` (see moesim sweep --help); rank 0\n"
      "writes results.csv, and every rank runs points with the moesim binary beside this\n"
      "one, --jobs at a time (default 1 per rank). --merge is `moesim sweep --merge`.\n");
}

// Rank 0: the sweep's session, its own points, and the other ranks' requests.
void coordinate(SweepSession& session, const SweepArgs& args, const std::string& moesim,
                unsigned jobs, int ranks) {
  Progress progress(session.shard_points, session.shard_points - session.pending.size(),
                    args.progress);
  ProcessPool pool(args.timeout_s, args.timeout_text);
  const fs::path dir(args.out);
  auto job = [&](size_t k) {
    return make_job(session.plan, session.plan.points[session.pending[k]], moesim, dir);
  };
  size_t next = 0;
  size_t in_flight = 0;
  std::vector<size_t> per_rank(static_cast<size_t>(ranks), 0);
  int open_requests = (ranks - 1) * static_cast<int>(jobs);
  while (next < session.pending.size() || pool.running() > 0 || in_flight > 0 ||
         open_requests > 0) {
    while (pool.running() < jobs && next < session.pending.size())
      pool.start(job(next++));
    for (const ChildResult& r : pool.wait(pool.running() ? 20 : 0)) {
      record(session, r, progress);
      ++per_rank[0];
    }
    int flag = 0;
    MPI_Status st;
    while (MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st), flag) {
      const std::string msg = receive(st);
      if (st.MPI_TAG == kResult) {
        record(session, decode_result(msg), progress);
        --in_flight;
        ++per_rank[static_cast<size_t>(st.MPI_SOURCE)];
      }
      if (next < session.pending.size()) {
        send(encode_job(job(next++)), st.MPI_SOURCE, kWork);
        ++in_flight;
      } else {
        send("", st.MPI_SOURCE, kStop);
        --open_requests;
      }
    }
    progress.tick();
    if (pool.running() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  progress.close();
  fmt::print("points run by rank 0, 1, ...: {}\n", fmt::join(per_rank, ", "));
}

// Ranks > 0: ask for points, run them, send back what they wrote.
void work(const SweepArgs& args, unsigned jobs) {
  ProcessPool pool(args.timeout_s, args.timeout_text);
  for (unsigned i = 0; i < jobs; ++i)
    send("", 0, kReady);
  unsigned open = jobs;
  while (open > 0 || pool.running() > 0) {
    int flag = 0;
    MPI_Status st;
    while (MPI_Iprobe(0, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st), flag) {
      const std::string msg = receive(st);
      if (st.MPI_TAG == kWork) {
        pool.start(decode_job(msg));
      } else {
        --open;
      }
    }
    for (const ChildResult& r : pool.wait(pool.running() ? 20 : 0))
      send(encode_result(r), 0, kResult);
    if (pool.running() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

int mpi_sweep(const std::vector<std::string>& args, int rank, int ranks) {
  if (args.empty() || args.front() != "sweep") {
    if (rank == 0) print_usage();
    if (!args.empty() && (args.front() == "--help" || args.front() == "-h")) return 0;
    throw InputError(
        fmt::format("expected the command sweep, got '{}'", args.empty() ? "" : args.front()));
  }
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  const SweepArgs a = parse_sweep_args(rest);  // every rank parses the same arguments
  if (a.help) {
    if (rank == 0) print_usage();
    return 0;
  }
  if (a.print_columns) throw InputError("--print-columns: expected moesim sweep --print-columns");
  const std::string moesim = (fs::path(self_exe()).parent_path() / "moesim").string();
  if (!a.merge.empty()) {
    if (rank != 0) return 0;
    const size_t points = merge_results(a.merge, a.out);
    fmt::print("merged {} points from {} files into {}/results.csv\n", points, a.merge.size(),
               a.out);
    return 0;
  }
  const unsigned jobs = a.jobs ? a.jobs : 1;

  // Rank 0 opens the sweep; if that fails every rank stops with its exit code.
  int status = 0;
  std::string error;
  SweepSession session;
  if (rank == 0) {
    try {
      if (::access(moesim.c_str(), X_OK) != 0) {
        throw InputError(
            fmt::format("'{}' not found: expected the moesim binary beside "
                        "moesim-mpi",
                        moesim));
      }
      const std::vector<CsvRecord> header =
          parse_csv(run_and_capture({moesim, "sweep", "--print-columns"}));
      std::vector<std::string> command = {"moesim-mpi"};
      command.insert(command.end(), args.begin(), args.end());
      session = open_session(a, header.at(0).fields, command,
                             fmt::format("{} ranks x --jobs {}", ranks, jobs));
    } catch (const InputError& e) {
      status = 2;
      error = e.what();
    } catch (const std::exception& e) {
      status = 1;
      error = e.what();
    }
  }
  MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
  if (status == 2 && rank == 0) throw InputError(error);
  if (status == 1 && rank == 0) throw Error(error);
  if (status != 0) return status;

  if (rank == 0) {
    coordinate(session, a, moesim, jobs, ranks);
    return print_summary(session);
  }
  work(a, jobs);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, ranks = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  int rc = 0;
  try {
    rc = mpi_sweep(std::vector<std::string>(argv + 1, argv + argc), rank, ranks);
  } catch (const InputError& e) {
    if (rank == 0) std::cerr << "moesim-mpi: error: " << e.what() << "\n";
    rc = 2;
  } catch (const std::exception& e) {
    std::cerr << fmt::format("moesim-mpi: internal error (rank {}): {}\n", rank, e.what());
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  MPI_Finalize();
  return rc;
}
