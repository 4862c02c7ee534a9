// SPDX-License-Identifier: Apache-2.0
// Forked children in fresh network namespaces, for netlink and interface tests.
#include "os/testing/network_namespace.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "base/unique_fd.h"

namespace mw::os::testing {

base::Result<void> enter_new_network_namespace() {
  if (unshare(CLONE_NEWNET) < 0) return base::Error::from_errno("unshare(CLONE_NEWNET)");
  return {};
}

base::Result<void> run_in_new_network_namespace(const std::function<base::Result<void>()>& body) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) < 0) return base::Error::from_errno("pipe2");
  base::UniqueFd read_end(fds[0]), write_end(fds[1]);
  pid_t pid = fork();
  if (pid < 0) return base::Error::from_errno("fork");
  if (pid == 0) {
    read_end.reset();
    base::Result<void> r = enter_new_network_namespace();
    if (r) r = body();
    if (!r) {
      const std::string& m = r.error().message();
      ssize_t w = ::write(write_end.get(), m.data(), m.size());
      (void)w;
    }
    _exit(r ? 0 : 1);
  }
  write_end.reset();
  std::string message;
  char chunk[512];
  ssize_t n;
  while ((n = ::read(read_end.get(), chunk, sizeof(chunk))) != 0) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    message.append(chunk, size_t(n));
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
  if (!message.empty()) return base::Error(message);
  return base::make_error("namespace child failed (wait status {:#x})", status);
}

}  // namespace mw::os::testing
