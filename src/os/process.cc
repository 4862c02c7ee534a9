// SPDX-License-Identifier: Apache-2.0
// signalfd, fork-based daemonizing, re-executing oneself and sd_notify.
#include "os/process.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/auxv.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

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

bool is_hangup(int signal) { return signal == SIGHUP; }

void set_thread_name(const char* name) { pthread_setname_np(pthread_self(), name); }

uint32_t effective_uid() { return uint32_t(::geteuid()); }

namespace {

// Whether /proc/self/exe is the file this code was loaded from. It is not when the program was
// started through the dynamic loader ("ld-linux-x86-64.so.2 ./meshward-wg ..."): then it names
// the loader, and executing it would lose the program. Compares the inode /proc/self/maps gives
// for the mapping holding this function with the inode of /proc/self/exe.
bool proc_self_exe_is_this_program() {
  struct stat exe {};
  if (stat("/proc/self/exe", &exe) != 0) return false;
  FILE* maps = std::fopen("/proc/self/maps", "re");
  if (maps == nullptr) return false;
  const auto here = reinterpret_cast<uintptr_t>(&proc_self_exe_is_this_program);
  char line[512];
  bool same = false;
  while (std::fgets(line, sizeof line, maps) != nullptr) {
    unsigned long begin = 0, end = 0, inode = 0;
    if (std::sscanf(line, "%lx-%lx %*s %*s %*s %lu", &begin, &end, &inode) != 3) continue;
    if (here >= begin && here < end) {
      same = inode == exe.st_ino;
      break;
    }
  }
  std::fclose(maps);
  return same;
}

}  // namespace

void reexec_self_with(char** argv, char** envp, const char* extra_entry) {
  if (getauxval(AT_SECURE) != 0 || argv == nullptr || extra_entry == nullptr) return;
  if (!proc_self_exe_is_this_program()) return;
  size_t n = 0;
  while (envp != nullptr && envp[n] != nullptr) ++n;
  // calloc, not new: this may run before C++ constructors (from .preinit_array).
  auto** env = static_cast<char**>(std::calloc(n + 2, sizeof(char*)));
  if (env == nullptr) return;
  if (n > 0) std::memcpy(env, envp, n * sizeof(char*));
  env[n] = const_cast<char*>(extra_entry);
  execve("/proc/self/exe", argv, env);
  std::free(env);
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

base::Result<void> notify_service_manager(std::string_view state) {
  const char* env = std::getenv("NOTIFY_SOCKET");
  if (!env || !*env) return {};
  std::string path = env;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if ((path[0] != '/' && path[0] != '@') || path.size() < 2)
    return base::make_error("NOTIFY_SOCKET={} is neither an absolute path nor @abstract", path);
  if (path.size() >= sizeof(addr.sun_path))
    return base::make_error("NOTIFY_SOCKET={} is too long", path);
  std::memcpy(addr.sun_path, path.data(), path.size());
  socklen_t len = socklen_t(offsetof(sockaddr_un, sun_path) + path.size());
  if (path[0] == '@') {
    addr.sun_path[0] = '\0';  // abstract: the name is exactly the bytes after the NUL
  } else {
    ++len;  // the path's terminating NUL
  }
  base::UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return base::Error::from_errno("notify: socket(AF_UNIX)");
  ssize_t w = ::sendto(fd.get(), state.data(), state.size(), MSG_NOSIGNAL,
                       reinterpret_cast<sockaddr*>(&addr), len);
  if (w < 0) return base::Error::from_errno("notify " + path);
  if (size_t(w) != state.size()) return base::make_error("notify {}: short write", path);
  return {};
}

}  // namespace mw::os
