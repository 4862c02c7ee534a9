// SPDX-License-Identifier: Apache-2.0
// Tests for notify_service_manager: nothing without $NOTIFY_SOCKET, one datagram to a path or
// an abstract socket, and clear errors for a malformed or absent socket.
#include "os/process.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>

#include "base/unique_fd.h"

namespace mw::os {
namespace {

// A bound datagram socket standing in for systemd's notify socket.
struct NotifyReceiver {
  explicit NotifyReceiver(const std::string& name) {
    fd.reset(socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::memcpy(a.sun_path, name.data(), name.size());
    socklen_t len = socklen_t(offsetof(sockaddr_un, sun_path) + name.size());
    if (name[0] == '@') {
      a.sun_path[0] = '\0';
    } else {
      ++len;
    }
    bound = bind(fd.get(), reinterpret_cast<sockaddr*>(&a), len) == 0;
  }
  std::string receive() {
    pollfd p{fd.get(), POLLIN, 0};
    if (poll(&p, 1, 2000) != 1) return "<nothing>";
    char buf[256];
    ssize_t n = recv(fd.get(), buf, sizeof(buf), 0);
    return n < 0 ? "<error>" : std::string(buf, size_t(n));
  }
  base::UniqueFd fd;
  bool bound = false;
};

class NotifyTest : public ::testing::Test {
 protected:
  void TearDown() override { unsetenv("NOTIFY_SOCKET"); }
};

TEST_F(NotifyTest, UnsetOrEmptyDoesNothing) {
  unsetenv("NOTIFY_SOCKET");
  EXPECT_TRUE(notify_service_manager("READY=1").ok());
  setenv("NOTIFY_SOCKET", "", 1);
  EXPECT_TRUE(notify_service_manager("READY=1").ok());
}

TEST_F(NotifyTest, PathSocket) {
  char tmpl[] = "/tmp/mw-notify-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  // Removes the directory (and the socket in it) however the test ends.
  struct RemoveDir {
    std::string path;
    ~RemoveDir() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  } remove_dir{dir};
  std::string path = dir + "/notify";
  NotifyReceiver r(path);
  ASSERT_TRUE(r.bound);
  setenv("NOTIFY_SOCKET", path.c_str(), 1);
  ASSERT_TRUE(notify_service_manager("READY=1").ok());
  EXPECT_EQ(r.receive(), "READY=1");
  ASSERT_TRUE(notify_service_manager("STATUS=3 members\nRELOADING=1").ok());
  EXPECT_EQ(r.receive(), "STATUS=3 members\nRELOADING=1");
  unlink(path.c_str());
}

TEST_F(NotifyTest, AbstractSocket) {
  std::string name = "@mw-notify-test-" + std::to_string(getpid());
  NotifyReceiver r(name);
  ASSERT_TRUE(r.bound);
  setenv("NOTIFY_SOCKET", name.c_str(), 1);
  ASSERT_TRUE(notify_service_manager("STOPPING=1").ok());
  EXPECT_EQ(r.receive(), "STOPPING=1");
}

TEST_F(NotifyTest, Errors) {
  setenv("NOTIFY_SOCKET", "relative/path", 1);
  auto relative = notify_service_manager("READY=1");
  ASSERT_FALSE(relative.ok());
  EXPECT_EQ(relative.error().message(),
            "NOTIFY_SOCKET=relative/path is neither an absolute path nor @abstract");
  setenv("NOTIFY_SOCKET", "@", 1);
  EXPECT_FALSE(notify_service_manager("READY=1").ok());
  std::string long_path = "/" + std::string(200, 'x');
  setenv("NOTIFY_SOCKET", long_path.c_str(), 1);
  auto too_long = notify_service_manager("READY=1");
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error().message(), "NOTIFY_SOCKET=" + long_path + " is too long");
  setenv("NOTIFY_SOCKET", "/nonexistent-dir/notify", 1);
  auto absent = notify_service_manager("READY=1");
  ASSERT_FALSE(absent.ok());
  EXPECT_EQ(absent.error().message(), "notify /nonexistent-dir/notify: No such file or directory");
}

}  // namespace
}  // namespace mw::os
