// fork + pipe around one SimGrid run (child_process.hpp). The wire format is raw native
// binary (parent and child are the same program): a status byte, then either the event count,
// the node count and (start ps, finish ps) per node, or an error message.
#include "sim/simgrid/child_process.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>

#include <fmt/format.h>

#include "sim/core/error.hpp"

namespace moesim::sim::simgrid {
namespace {

enum Status : uint8_t { kOk = 0, kInputError = 1, kOtherError = 2 };

bool write_all(int fd, const void* data, size_t size) {
  const auto* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = ::write(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

template <class T>
void append(std::string& out, const T& v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

template <class T>
T take(const std::string& in, size_t& pos) {
  if (pos + sizeof(T) > in.size()) throw InternalError("simgrid: truncated result from the child");
  T v;
  std::memcpy(&v, in.data() + pos, sizeof v);
  pos += sizeof v;
  return v;
}

std::string encode(const DagTimes& t) {
  std::string out;
  out.reserve(1 + 16 + t.nodes.size() * 16);
  append(out, kOk);
  append(out, t.events);
  append(out, static_cast<uint64_t>(t.nodes.size()));
  for (const NodeRecord& r : t.nodes) {
    append(out, r.start.ps);
    append(out, r.finish.ps);
  }
  return out;
}

std::string encode_error(Status status, const char* what) {
  std::string out(1, static_cast<char>(status));
  out += what;
  return out;
}

DagTimes decode(const std::string& in) {
  size_t pos = 0;
  const auto status = take<uint8_t>(in, pos);
  if (status == kInputError) throw InputError(in.substr(1));
  if (status != kOk) throw InternalError(in.substr(1));
  DagTimes t;
  t.events = take<uint64_t>(in, pos);
  t.nodes.resize(take<uint64_t>(in, pos));
  for (NodeRecord& r : t.nodes) {
    r.start = TimePs{take<int64_t>(in, pos)};
    r.finish = TimePs{take<int64_t>(in, pos)};
  }
  return t;
}

[[noreturn]] void child_main(int fd, const std::function<DagTimes()>& body) {
  std::string msg;
  try {
    msg = encode(body());
  } catch (const InputError& e) {
    msg = encode_error(kInputError, e.what());
  } catch (const std::exception& e) {
    msg = encode_error(kOtherError, e.what());
  }
  const bool ok = write_all(fd, msg.data(), msg.size());
  // _exit: no atexit handlers or static destructors of the parent's copy, no SimGrid teardown.
  ::_exit(ok ? 0 : 3);
}

}  // namespace

DagTimes run_in_child(const std::function<DagTimes()>& body) {
  int fds[2];
  if (::pipe(fds) != 0) {
    throw InternalError(fmt::format("simgrid: pipe() failed: {}", std::strerror(errno)));
  }
  std::fflush(nullptr);  // nothing buffered gets written twice
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    throw InternalError(fmt::format("simgrid: fork() failed: {}", std::strerror(errno)));
  }
  if (pid == 0) {
    ::close(fds[0]);
    child_main(fds[1], body);
  }
  ::close(fds[1]);
  std::string in;
  char buf[1 << 16];
  while (true) {
    const ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    in.append(buf, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) {
    throw InternalError(fmt::format("simgrid: the child process died of signal {} ({})",
                                    WTERMSIG(status), strsignal(WTERMSIG(status))));
  }
  if (in.empty() || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw InternalError(
        fmt::format("simgrid: the child process exited with status {} and no "
                    "result",
                    WIFEXITED(status) ? WEXITSTATUS(status) : -1));
  }
  return decode(in);
}

}  // namespace moesim::sim::simgrid
