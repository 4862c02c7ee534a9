// SPDX-License-Identifier: Apache-2.0
// Tests for the control-socket client side: SO_PEERCRED credentials, and unix_request's answer
// handling and every error it explains (not running, stale socket, permission, timeout, closed
// early, oversized, path too long).
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <system_error>
#include <thread>

#include "base/testing/temp_dir.h"
#include "os/unix_socket.h"

namespace mw::os {
namespace {

using base::Duration;

class TempDir : public base::testing::TempDir {
 public:
  TempDir() : base::testing::TempDir("mw-unix-request") {}
};

// Accepts one connection on `listener` (waiting up to 5 s) and hands it to `serve` on a thread.
class OneShotServer {
 public:
  OneShotServer(UnixListener& listener, std::function<void(int fd)> serve)
      : thread_([&listener, serve = std::move(serve)] {
          pollfd p{listener.fd(), POLLIN, 0};
          if (poll(&p, 1, 5000) != 1) return;
          base::UniqueFd c = listener.accept();
          if (c.valid()) serve(c.get());
        }) {}
  ~OneShotServer() { thread_.join(); }

 private:
  std::thread thread_;
};

// Reads until a '\n' (blocking via poll on the non-blocking fd).
std::string read_line(int fd) {
  std::string in;
  while (in.find('\n') == std::string::npos) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 5000) != 1) break;
    if (!read_available(fd, in, 1 << 16)) break;
  }
  return in;
}

void send_all(int fd, std::string text) {
  while (!text.empty()) {
    pollfd p{fd, POLLOUT, 0};
    if (poll(&p, 1, 5000) != 1 || !write_some(fd, text)) return;
  }
}

TEST(PeerCredentials, SocketPairReportsOurselves) {
  int fds[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  base::UniqueFd a(fds[0]), b(fds[1]);
  auto cred = peer_credentials(a.get());
  ASSERT_TRUE(cred.ok()) << cred.error().message();
  EXPECT_EQ(cred->uid, getuid());
  EXPECT_EQ(cred->gid, getgid());
  EXPECT_EQ(cred->pid, getpid());
}

TEST(PeerCredentials, AcceptedConnectionAndBadFd) {
  TempDir tmp;
  std::string path = tmp.path() + "/c.sock";
  auto l = UnixListener::listen(path);
  ASSERT_TRUE(l.ok());
  std::string seen_line;
  PeerCredentials seen;
  {
    OneShotServer server(*l, [&](int fd) {
      seen = peer_credentials(fd).value();
      seen_line = read_line(fd);
      send_all(fd, "ok\n");
    });
    auto r = unix_request(path, "hello\n", Duration::seconds(5), 100);
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_EQ(*r, "ok");
  }
  EXPECT_EQ(seen_line, "hello\n");
  EXPECT_EQ(seen.uid, getuid());
  EXPECT_EQ(seen.pid, getpid());
  auto bad = peer_credentials(-1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().sys_errno(), EBADF);
}

TEST(UnixRequest, ReturnsTheFirstLineOnly) {
  TempDir tmp;
  std::string path = tmp.path() + "/c.sock";
  auto l = UnixListener::listen(path);
  ASSERT_TRUE(l.ok());
  OneShotServer server(*l, [](int fd) {
    read_line(fd);
    send_all(fd, "{\"ok\":true}\nmore\n");
  });
  auto r = unix_request(path, "{}\n", Duration::seconds(5), 1 << 20);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(*r, "{\"ok\":true}");
}

TEST(UnixRequest, AnswerWithoutNewlineEndsAtEof) {
  TempDir tmp;
  std::string path = tmp.path() + "/c.sock";
  auto l = UnixListener::listen(path);
  ASSERT_TRUE(l.ok());
  OneShotServer server(*l, [](int fd) {
    read_line(fd);
    send_all(fd, "partial");
  });
  auto r = unix_request(path, "x\n", Duration::seconds(5), 100);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(*r, "partial");
}

TEST(UnixRequest, NotRunning) {
  TempDir tmp;
  std::string path = tmp.path() + "/missing.sock";
  auto r = unix_request(path, "x\n", Duration::seconds(1), 100);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "cannot connect to " + path +
                                     ": No such file or directory (is `meshward up` running?)");
  EXPECT_EQ(r.error().sys_errno(), ENOENT);
}

TEST(UnixRequest, StaleSocketIsRefused) {
  TempDir tmp;
  std::string path = tmp.path() + "/stale.sock";
  {
    base::UniqueFd s(socket(AF_UNIX, SOCK_STREAM, 0));
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strcpy(a.sun_path, path.c_str());
    ASSERT_EQ(bind(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  }  // closed without unlinking: nobody listens
  auto r = unix_request(path, "x\n", Duration::seconds(1), 100);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(),
            "cannot connect to " + path + ": Connection refused (is `meshward up` running?)");
}

TEST(UnixRequest, PermissionDenied) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to drop to another uid";
  TempDir tmp;
  std::string path = tmp.path() + "/root.sock";
  auto l = UnixListener::listen(path);  // 0600, owned by root
  ASSERT_TRUE(l.ok());
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    if (setgid(65534) != 0 || setuid(65534) != 0) _exit(2);
    auto r = unix_request(path, "x\n", Duration::seconds(1), 100);
    std::string m = r.ok() ? "connected" : r.error().message();
    ssize_t w = write(fds[1], m.data(), m.size());
    _exit(w < 0 ? 3 : 0);
  }
  close(fds[1]);
  char buf[512];
  ssize_t n = read(fds[0], buf, sizeof(buf));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_EQ(
      std::string(buf, size_t(std::max<ssize_t>(n, 0))),
      "cannot connect to " + path + ": Permission denied (run it as root or as the daemon's user)");
}

TEST(UnixRequest, TimesOutWhenTheDaemonDoesNotAnswer) {
  TempDir tmp;
  std::string path = tmp.path() + "/c.sock";
  auto l = UnixListener::listen(path);
  ASSERT_TRUE(l.ok());
  OneShotServer server(*l, [](int fd) {
    read_line(fd);
    usleep(400'000);
  });
  auto r = unix_request(path, "x\n", Duration::millis(100), 100);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "no answer from " + path + " within 0.1s");
  EXPECT_EQ(r.error().sys_errno(), ETIMEDOUT);
}

TEST(UnixRequest, ClosedWithoutAnswer) {
  TempDir tmp;
  std::string path = tmp.path() + "/c.sock";
  auto l = UnixListener::listen(path);
  ASSERT_TRUE(l.ok());
  OneShotServer server(*l, [](int fd) { read_line(fd); });
  auto r = unix_request(path, "x\n", Duration::seconds(5), 100);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), path + " closed the connection without an answer");
}

TEST(UnixRequest, RefusesAnOversizedAnswer) {
  TempDir tmp;
  std::string path = tmp.path() + "/c.sock";
  auto l = UnixListener::listen(path);
  ASSERT_TRUE(l.ok());
  OneShotServer server(*l, [](int fd) {
    read_line(fd);
    send_all(fd, std::string(64, 'a') + "\n");
  });
  auto r = unix_request(path, "x\n", Duration::seconds(5), 10);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "answer from " + path + " is longer than 10 bytes");
}

TEST(UnixRequest, PathTooLong) {
  std::string path = "/tmp/" + std::string(200, 'x');
  auto r = unix_request(path, "x\n", Duration::seconds(1), 10);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "socket path too long: " + path);
}

}  // namespace
}  // namespace mw::os
