// SPDX-License-Identifier: Apache-2.0
// Tests for the UAPI unix socket: mode 0600, no stealing a live socket, replacing a stale one,
// refusing a non-socket, unlinking on destruction.
#include "os/unix_socket.h"
#include "base/testing/temp_dir.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <system_error>

namespace mw::os {
namespace {

class TempDir : public base::testing::TempDir {
 public:
  TempDir() : base::testing::TempDir("mw-unix-test") {}
};

// A client connection to the socket at `path`, or -1.
int connect_to(const std::string& path) {
  int c = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strcpy(a.sun_path, path.c_str());
  if (connect(c, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
    close(c);
    return -1;
  }
  return c;
}

TEST(UnixListener, CreatesSocket0600AndUnlinksIt) {
  TempDir tmp;
  std::string dir = tmp.path();
  std::string path = dir + "/sub/wg0.sock";
  {
    auto l = UnixListener::listen(path);
    ASSERT_TRUE(l.ok()) << l.error().message();
    struct stat st;
    ASSERT_EQ(stat(path.c_str(), &st), 0);
    EXPECT_TRUE(S_ISSOCK(st.st_mode));
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    ASSERT_EQ(stat((dir + "/sub").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0755u);
  }
  EXPECT_NE(access(path.c_str(), F_OK), 0) << "removed on destruction";
}

TEST(UnixListener, RefusesToStealALiveSocket) {
  TempDir tmp;
  std::string path = tmp.path() + "/wg0.sock";
  auto first = UnixListener::listen(path);
  ASSERT_TRUE(first.ok());
  auto second = UnixListener::listen(path);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().sys_errno(), EADDRINUSE);
}

TEST(UnixListener, RefusesToReplaceANonSocket) {
  TempDir tmp;
  std::string path = tmp.path() + "/wg0.sock";
  std::ofstream(path) << "not a socket";
  auto l = UnixListener::listen(path);
  ASSERT_FALSE(l.ok());
  EXPECT_NE(l.error().message().find("not a socket"), std::string::npos);
}

TEST(UnixListener, ReadAndWriteOnAcceptedConnection) {
  TempDir tmp;
  std::string path = tmp.path() + "/wg0.sock";
  auto l = UnixListener::listen(path);
  ASSERT_TRUE(l.ok());
  int c = connect_to(path);
  ASSERT_GE(c, 0);
  base::UniqueFd s = l->accept();
  ASSERT_TRUE(s.valid());
  ASSERT_EQ(write(c, "get=1\n\n", 7), 7);
  std::string in;
  EXPECT_TRUE(read_available(s.get(), in, 1024));
  EXPECT_EQ(in, "get=1\n\n");
  std::string out = "errno=0\n\n";
  EXPECT_TRUE(write_some(s.get(), out));
  EXPECT_TRUE(out.empty());
  close(c);
  std::string rest;
  EXPECT_FALSE(read_available(s.get(), rest, 1024)) << "peer closed";
}

TEST(UnixListener, ReadRefusesOverLimit) {
  TempDir tmp;
  std::string path = tmp.path() + "/wg0.sock";
  auto l = UnixListener::listen(path);
  ASSERT_TRUE(l.ok());
  int c = connect_to(path);
  ASSERT_GE(c, 0);
  base::UniqueFd s = l->accept();
  ASSERT_EQ(write(c, "0123456789", 10), 10);
  std::string in;
  EXPECT_FALSE(read_available(s.get(), in, 5));
  close(c);
}

TEST(UnixListener, BoundedReadsTellOverLimitFromClosedAndTryAcceptTellsNoneFromFailure) {
  TempDir tmp;
  std::string path = tmp.path() + "/wg0.sock";
  auto l = UnixListener::listen(path);
  ASSERT_TRUE(l.ok());
  auto none = l->try_accept();
  ASSERT_TRUE(none) << "nothing pending is not an error";
  EXPECT_FALSE(none->valid());
  auto c = connect_unix(path);
  ASSERT_TRUE(c) << c.error().message();
  auto s = l->try_accept();
  ASSERT_TRUE(s && s->valid());
  std::string ten = "0123456789";
  ASSERT_TRUE(write_some(c->get(), ten));
  std::string in;
  EXPECT_EQ(read_bounded(s->get(), in, 10), ReadStatus::kOpen) << "exactly at the limit";
  EXPECT_EQ(in, "0123456789");
  std::string more = "x";
  ASSERT_TRUE(write_some(c->get(), more));
  EXPECT_EQ(read_bounded(s->get(), in, 10), ReadStatus::kOverLimit);
  c->reset();
  std::string rest;
  EXPECT_EQ(read_bounded(s->get(), rest, 10), ReadStatus::kClosed);
  // Out of descriptors is an error, not "none pending" (a closed fd stands in for the failure).
  EXPECT_FALSE(accept_connection(-1));
  EXPECT_FALSE(connect_unix(tmp.path() + "/nobody.sock")) << "no listener";
}

}  // namespace
}  // namespace mw::os
