// SPDX-License-Identifier: Apache-2.0
// Tests for the metrics endpoint's TCP listener: port 0 picks a port, connections are accepted
// non-blocking and carry data, and a taken port or missing address is an error naming it.
#include "os/unix_socket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace mw::os {
namespace {

base::UniqueFd connect_v4(uint16_t port) {
  base::UniqueFd c(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(c.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) c.reset();
  return c;
}

TEST(TcpListener, AcceptsOnLoopbackWithAPickedPort) {
  auto l = TcpListener::listen(*base::Endpoint::parse("127.0.0.1:0"));
  ASSERT_TRUE(l.ok()) << l.error().message();
  ASSERT_NE(l->port(), 0);
  EXPECT_FALSE(l->accept().valid()) << "nothing pending, and accept does not block";
  EXPECT_NE(fcntl(l->fd(), F_GETFL) & O_NONBLOCK, 0);
  base::UniqueFd c = connect_v4(l->port());
  ASSERT_TRUE(c.valid());
  pollfd p{l->fd(), POLLIN, 0};
  ASSERT_EQ(poll(&p, 1, 2000), 1);
  base::UniqueFd s = l->accept();
  ASSERT_TRUE(s.valid());
  EXPECT_NE(fcntl(s.get(), F_GETFL) & O_NONBLOCK, 0);
  ASSERT_EQ(write(c.get(), "GET /metrics HTTP/1.0\r\n\r\n", 25), 25);
  pollfd q{s.get(), POLLIN, 0};
  ASSERT_EQ(poll(&q, 1, 2000), 1);
  char buf[64];
  EXPECT_EQ(read(s.get(), buf, sizeof(buf)), 25);
}

TEST(TcpListener, PortInUseNamesTheAddress) {
  auto first = TcpListener::listen(*base::Endpoint::parse("127.0.0.1:0"));
  ASSERT_TRUE(first.ok());
  std::string where = "127.0.0.1:" + std::to_string(first->port());
  auto second = TcpListener::listen(*base::Endpoint::parse(where));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().message(), "bind TCP " + where + ": Address already in use");
  EXPECT_EQ(second.error().sys_errno(), EADDRINUSE);
}

TEST(TcpListener, ReusesAPortInTimeWait) {
  uint16_t port;
  {
    auto l = TcpListener::listen(*base::Endpoint::parse("127.0.0.1:0"));
    ASSERT_TRUE(l.ok());
    port = l->port();
    base::UniqueFd c = connect_v4(port);
    pollfd p{l->fd(), POLLIN, 0};
    ASSERT_EQ(poll(&p, 1, 2000), 1);
    base::UniqueFd s = l->accept();
    s.reset();  // the server closes first: its side enters TIME_WAIT
  }
  auto again = TcpListener::listen(*base::Endpoint::parse("127.0.0.1:" + std::to_string(port)));
  EXPECT_TRUE(again.ok()) << again.error().message();
}

TEST(TcpListener, Ipv6LoopbackAndNoAddress) {
  auto l = TcpListener::listen(*base::Endpoint::parse("[::1]:0"));
  if (!l.ok()) GTEST_SKIP() << "no IPv6 loopback: " << l.error().message();
  EXPECT_NE(l->port(), 0);
  auto none = TcpListener::listen(base::Endpoint{});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().message(), "listen: no address given");
}

}  // namespace
}  // namespace mw::os
