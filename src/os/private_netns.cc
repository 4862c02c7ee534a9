// SPDX-License-Identifier: Apache-2.0
// Forked children in fresh network namespaces, and setns() between namespaces.
#include "os/private_netns.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "base/clock.h"

namespace mw::os {

base::Result<void> enter_new_network_namespace() {
  if (unshare(CLONE_NEWNET) < 0) return base::Error::from_errno("unshare(CLONE_NEWNET)");
  return {};
}

base::Result<base::UniqueFd> current_network_namespace() {
  base::UniqueFd fd(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return base::Error::from_errno("open /proc/thread-self/ns/net");
  return fd;
}

base::Result<void> enter_network_namespace(int ns_fd) {
  if (setns(ns_fd, CLONE_NEWNET) < 0) return base::Error::from_errno("setns(CLONE_NEWNET)");
  return {};
}

namespace {

// The child's report: its errno (4 bytes), then its message.
[[noreturn]] void child_main(const std::function<base::Result<void>()>& body, int report_fd,
                             pid_t parent) {
  // Never outlive the caller (a killed daemon must not leave its probe running).
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent) _exit(1);
  base::Result<void> r = enter_new_network_namespace();
  if (r) r = body();
  if (!r) {
    int err = r.error().sys_errno();
    std::string report(reinterpret_cast<const char*>(&err), sizeof(err));
    report += r.error().message();
    ssize_t w = ::write(report_fd, report.data(), report.size());
    (void)w;
  }
  _exit(r ? 0 : 1);
}

// Threads of this process, from /proc/self/task; 0 when it cannot be read.
size_t thread_count() {
  base::UniqueFd dir_fd(::open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir_fd.valid()) return 0;
  struct stat st {};
  // A directory's link count is 2 plus its subdirectories: one per thread.
  if (fstat(dir_fd.get(), &st) != 0 || st.st_nlink < 3) return 0;
  return size_t(st.st_nlink) - 2;
}

enum class Report { kDone, kTimedOut, kFailed };

// Reads the child's report until it closes the pipe or `deadline` passes.
Report read_report(int fd, base::Instant deadline, std::string* report) {
  base::SystemClock clock;
  char chunk[512];
  for (;;) {
    base::Duration left = deadline - clock.now();
    if (left <= base::Duration::zero()) return Report::kTimedOut;
    pollfd p{fd, POLLIN, 0};
    int ready = poll(&p, 1, int(left.to_millis()) + 1);
    if (ready < 0 && errno != EINTR) return Report::kFailed;
    if (ready <= 0) continue;  // the deadline check above ends the wait
    ssize_t n = ::read(fd, chunk, sizeof(chunk));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Report::kFailed;
    if (n == 0) return Report::kDone;
    report->append(chunk, size_t(n));
  }
}

// Reaps the child. After a SIGKILL it waits at most a second (a child stuck in the kernel may
// not die at once) and then leaves it, with errno ETIMEDOUT.
bool reap(pid_t pid, bool killed, int* status) {
  if (!killed) {
    for (;;) {
      if (waitpid(pid, status, 0) == pid) return true;
      if (errno != EINTR) return false;
    }
  }
  for (int tries = 0; tries < 100; ++tries) {
    pid_t r = waitpid(pid, status, WNOHANG);
    if (r == pid) return true;
    if (r < 0 && errno != EINTR) return false;
    usleep(10'000);
  }
  errno = ETIMEDOUT;
  return false;
}

}  // namespace

base::Result<void> run_in_private_network_namespace(const std::function<base::Result<void>()>& body,
                                                    base::Duration timeout) {
  // A lock another thread held at the fork would stay held in the child forever.
  if (size_t threads = thread_count(); threads > 1)
    return base::Error(fmt::format("the process already runs {} threads", threads), EBUSY);
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) < 0) return base::Error::from_errno("pipe2");
  base::UniqueFd read_end(fds[0]), write_end(fds[1]);
  base::Instant deadline = base::SystemClock().now() + timeout;
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) return base::Error::from_errno("fork");
  if (pid == 0) {
    read_end.reset();
    child_main(body, write_end.get(), parent);
  }
  write_end.reset();
  std::string report;
  Report outcome = read_report(read_end.get(), deadline, &report);
  if (outcome != Report::kDone) kill(pid, SIGKILL);
  int status = 0;
  if (!reap(pid, outcome != Report::kDone, &status))
    return base::Error::from_errno("waitpid for the namespace child");
  if (outcome == Report::kTimedOut) {
    return base::Error(
        fmt::format("namespace child still running after {} ms; killed", timeout.to_millis()),
        ETIMEDOUT);
  }
  if (outcome == Report::kFailed) return base::Error("reading the namespace child failed", EIO);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
  if (report.size() >= sizeof(int)) {
    int err = 0;
    std::memcpy(&err, report.data(), sizeof(err));
    return base::Error(report.substr(sizeof(int)), err);
  }
  return base::make_error("namespace child failed (wait status {:#x})", status);
}

}  // namespace mw::os
