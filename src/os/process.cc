// SPDX-License-Identifier: Apache-2.0
// signalfd and fork-based daemonizing.
#include "os/process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

namespace mw::os {

base::Result<base::UniqueFd> make_signal_fd() {
  signal(SIGPIPE, SIG_IGN);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  if (sigprocmask(SIG_BLOCK, &set, nullptr) < 0) return base::Error::from_errno("sigprocmask");
  base::UniqueFd fd(signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
  if (!fd.valid()) return base::Error::from_errno("signalfd");
  return fd;
}

int read_signal(int signal_fd) {
  signalfd_siginfo info;
  if (::read(signal_fd, &info, sizeof(info)) != sizeof(info)) return 0;
  return int(info.ssi_signo);
}

base::Result<Daemon> Daemon::start() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) < 0) return base::Error::from_errno("pipe2");
  pid_t pid = fork();
  if (pid < 0) return base::Error::from_errno("fork");
  if (pid > 0) {
    close(fds[1]);
    char c = 0;
    ssize_t r;
    do r = ::read(fds[0], &c, 1);
    while (r < 0 && errno == EINTR);
    if (r == 1 && c == 'R') _exit(0);
    int status = 0;
    waitpid(pid, &status, 0);
    _exit(WIFEXITED(status) && WEXITSTATUS(status) != 0 ? WEXITSTATUS(status) : 1);
  }
  close(fds[0]);
  setsid();
  int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null >= 0) {
    dup2(null, STDIN_FILENO);
    close(null);
  }
  Daemon d;
  d.ready_fd_.reset(fds[1]);
  return d;
}

void Daemon::ready(bool keep_stderr) {
  int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null >= 0) {
    dup2(null, STDOUT_FILENO);
    if (!keep_stderr) dup2(null, STDERR_FILENO);
    close(null);
  }
  char c = 'R';
  ssize_t r = ::write(ready_fd_.get(), &c, 1);
  (void)r;
  ready_fd_.reset();
}

}  // namespace mw::os
