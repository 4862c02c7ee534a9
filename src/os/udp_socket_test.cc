// SPDX-License-Identifier: Apache-2.0
// Tests for the UDP socket pair, batched send/receive over loopback, and sockaddr conversion.
#include "os/udp_socket.h"

#include <gtest/gtest.h>
#include <netinet/in.h>

#include "os/socket_address.h"

namespace mw::os {
namespace {

TEST(SocketAddress, RoundTripsV4V6AndMapped) {
  sockaddr_storage sa;
  for (const char* text : {"192.0.2.1:51820", "[2001:db8::7]:1", "[::1]:65535"}) {
    base::Endpoint e = *base::Endpoint::parse(text);
    to_sockaddr(e, e.address.is_v6(), &sa);
    EXPECT_EQ(from_sockaddr(sa), e) << text;
  }
  base::Endpoint v4 = *base::Endpoint::parse("10.1.2.3:9");
  EXPECT_EQ(to_sockaddr(v4, /*v6_socket=*/true, &sa), sizeof(sockaddr_in6));
  EXPECT_EQ(from_sockaddr(sa), v4) << "v4-mapped comes back as IPv4";
}

TEST(UdpPair, BindsBothFamiliesOnOnePort) {
  auto pair = bind_udp_pair(0, 0);
  ASSERT_TRUE(pair.ok()) << pair.error().message();
  ASSERT_TRUE(pair->v4.has_value());
  EXPECT_NE(pair->port, 0);
  EXPECT_EQ(pair->v4->port(), pair->port);
  if (pair->v6) {
    EXPECT_EQ(pair->v6->port(), pair->port);
  }
}

TEST(UdpPair, PortInUseIsReported) {
  auto first = bind_udp_pair(0, 0);
  ASSERT_TRUE(first.ok());
  auto second = bind_udp_pair(first->port, 0);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().sys_errno(), EADDRINUSE);
}

TEST(UdpSocket, BatchSendAndReceiveOverLoopback) {
  auto a = UdpSocket::bind(false, 0);
  auto b = UdpSocket::bind(false, 0);
  ASSERT_TRUE(a.ok() && b.ok());
  base::Endpoint to{*base::IpAddress::parse("127.0.0.1"), b->port()};
  std::vector<std::vector<uint8_t>> payloads;
  std::vector<DatagramSlot> out;
  for (int i = 0; i < 10; ++i) payloads.emplace_back(size_t(100 + i), uint8_t(i));
  for (auto& p : payloads) out.push_back({p.data(), p.size(), p.size(), to});
  uint64_t dropped = 0;
  a->send_batch(out, &dropped);
  EXPECT_EQ(dropped, 0u);
  std::vector<std::vector<uint8_t>> bufs(16, std::vector<uint8_t>(2048));
  std::vector<DatagramSlot> in;
  for (auto& buf : bufs) in.push_back({buf.data(), buf.size(), 0, {}});
  size_t got = 0;
  for (int tries = 0; tries < 100 && got < 10; ++tries) {
    auto n = b->recv_batch(std::span(in).subspan(got));
    ASSERT_TRUE(n.ok());
    got += *n;
  }
  ASSERT_EQ(got, 10u);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(in[i].length, size_t(100 + i));
    EXPECT_EQ(in[i].data[0], uint8_t(i));
    EXPECT_EQ(in[i].peer.port, a->port());
  }
  auto none = b->recv_batch(in);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0u) << "non-blocking: nothing pending gives 0";
}

}  // namespace
}  // namespace mw::os
