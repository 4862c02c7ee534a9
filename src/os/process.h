// SPDX-License-Identifier: Apache-2.0
// Process plumbing for daemons: a signalfd for SIGINT/SIGTERM/SIGHUP, daemonizing with a
// readiness pipe so the launching process exits only once the daemon is ready (as wg-quick needs),
// re-executing itself with one more environment entry, and readiness notification to systemd.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/result.h"
#include "base/unique_fd.h"

namespace mw::os {

// Blocks SIGINT, SIGTERM, SIGHUP and SIGPIPE... (SIGPIPE ignored) and returns a non-blocking
// signalfd that becomes readable when one arrives.
base::Result<base::UniqueFd> make_signal_fd();
// Reads one pending signal number from the signalfd, or 0.
int read_signal(int signal_fd);
// Whether `signal` is SIGHUP (the reload request), so callers need no <signal.h>.
bool is_hangup(int signal);
// The process's effective user id.
uint32_t effective_uid();
// Names the calling thread (at most 15 characters), as `top -H` and /proc/PID/task/*/comm
// show it.
void set_thread_name(const char* name);

// Forks. The parent waits for the child to call Daemon::ready() (exit 0) or to fail before it
// (exit 1), and never returns. The child detaches (setsid, stdin from /dev/null) and continues.
class Daemon {
 public:
  static base::Result<Daemon> start();
  // Tells the waiting parent that the daemon is ready; stdout/stderr then go to /dev/null
  // unless `keep_stderr`.
  void ready(bool keep_stderr);

 private:
  base::UniqueFd ready_fd_;
};

// Replaces the process image with the same program (/proc/self/exe), the same argv, and envp
// plus `extra_entry` ("NAME=value"). Meant for the earliest moment of a program, before
// libraries read their environment (a .preinit_array function; see node/crypto_startup.h).
// Returns only when it did not happen, leaving everything as it was: a set-user-ID or otherwise
// secure-execution process (the kernel's AT_SECURE) is never re-executed, nor one started
// through the dynamic loader (/proc/self/exe is then the loader), and a failed execve (no /proc,
// no memory) is ignored.
void reexec_self_with(char** argv, char** envp, const char* extra_entry);

// sd_notify(3) without libsystemd: sends `state` ("READY=1", "STOPPING=1", "RELOADING=1",
// "STATUS=...") as one datagram to $NOTIFY_SOCKET, an absolute path or an abstract socket
// ("@name"). Does nothing when $NOTIFY_SOCKET is unset or empty.
base::Result<void> notify_service_manager(std::string_view state);

}  // namespace mw::os
