// Isolate: fork, run the case in the child, read its record back, and judge how the child ended.
//
// Invariant: the parent always reaps its child and always returns a record: the child's own when
// it exited 0 after sending one, otherwise CRASHED or TIMEOUT with the case's identity fields.
// The pipe is read while the child runs (a record larger than the pipe buffer cannot block it).
#include "isolate.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <thread>

#include "record_io.h"

namespace bnbench {

namespace {

using Clock = std::chrono::steady_clock;

bool write_all(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

// The child: run the case on a fresh thread, send the record, leave without running destructors
// or atexit handlers (they belong to the parent). It dies with its parent (a SIGKILLed sweep
// leaves no hung case behind).
[[noreturn]] void child_main(int fd, pid_t parent, const CaseSpec& spec, Backend& backend,
                             ProblemData& data, const CaseSettings& settings) {
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != parent) _exit(5);
  std::string payload;
  try {
    std::thread worker([&] {
      CaseRecord rec = run_case(spec, backend, data, settings);
      payload = to_json(rec).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    });
    worker.join();
  } catch (...) {
    _exit(3);
  }
  _exit(!payload.empty() && write_all(fd, payload) ? 0 : 4);
}

// Reads the child's output until EOF or the deadline; false when the deadline passed first.
bool read_until_eof(int fd, std::string& out, double timeout_s, Clock::time_point start) {
  char buffer[65536];
  for (;;) {
    int wait_ms = -1;
    if (timeout_s > 0) {
      double left = timeout_s - std::chrono::duration<double>(Clock::now() - start).count();
      if (left <= 0) return false;
      wait_ms = static_cast<int>(std::ceil(left * 1000));
    }
    pollfd pfd{fd, POLLIN, 0};
    int ready = ::poll(&pfd, 1, wait_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) return false;
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return true;
    out.append(buffer, static_cast<size_t>(n));
  }
}

int wait_for(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

}  // namespace

std::string describe_signal(int signal_number) {
  const char* abbrev = sigabbrev_np(signal_number);
  const char* description = sigdescr_np(signal_number);
  std::string name =
      abbrev ? "SIG" + std::string(abbrev) : "signal " + std::to_string(signal_number);
  return description ? name + " (" + description + ")" : name;
}

CaseRecord run_case_isolated(const CaseSpec& spec, Backend& backend, ProblemData& data,
                             const CaseSettings& settings, double timeout_s) {
  CaseRecord rec;
  if (!open_case(spec, backend, settings, rec)) return rec;
  try {
    data.inputs();
    data.reference();
  } catch (const std::exception& e) {
    rec.status = Verdict::error;
    rec.reason = e.what();
    return rec;
  }
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    rec.status = Verdict::error;
    rec.reason = std::string("--isolate: pipe() failed: ") + std::strerror(errno);
    return rec;
  }
  const auto start = Clock::now();
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    rec.status = Verdict::error;
    rec.reason = std::string("--isolate: fork() failed: ") + std::strerror(errno);
    return rec;
  }
  if (pid == 0) {
    ::close(fds[0]);
    child_main(fds[1], parent, spec, backend, data, settings);
  }
  ::close(fds[1]);
  std::string payload;
  const bool finished = read_until_eof(fds[0], payload, timeout_s, start);
  ::close(fds[0]);
  if (!finished) ::kill(pid, SIGKILL);
  const int status = wait_for(pid);
  rec.check_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (!finished) {
    rec.status = Verdict::timeout;
    rec.reason = "still running after the case timeout of " + format_double(timeout_s) +
                 " s (--case-timeout); killed";
    return rec;
  }
  if (WIFSIGNALED(status)) {
    rec.status = Verdict::crashed;
    rec.reason = "the case's process was killed by " + describe_signal(WTERMSIG(status));
    return rec;
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || payload.empty()) {
    rec.status = Verdict::crashed;
    rec.reason = "the case's process exited with status " +
                 std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : status) +
                 " without a record";
    return rec;
  }
  try {
    return record_from_json(nlohmann::json::parse(payload));
  } catch (const std::exception& e) {
    rec.status = Verdict::error;
    rec.reason = std::string("--isolate: unreadable record from the case's process: ") + e.what();
    return rec;
  }
}

}  // namespace bnbench
