// SPDX-License-Identifier: Apache-2.0
// Tests for the io_uring wrapper: the probe, UDP round trips over loopback (plain and one
// UDP_SEGMENT run) with readiness polled through the ring, cancelled polls, and the timeout.
#include "os/uring.h"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <vector>

#include "os/udp_socket.h"

namespace mw::os {
namespace {

// Skips the test when the kernel (or a sandbox) refuses io_uring: the loop then uses epoll.
#define MW_REQUIRE_URING(ring)                                               \
  auto ring = Uring::create(64);                                             \
  if (!ring) GTEST_SKIP() << "io_uring refused: " << ring.error().message(); \
  static_assert(true)

// Waits through the ring until `fd` is readable; false on timeout.
bool wait_readable(Uring& ring, int fd) {
  ring.poll(fd, 7, true, false);
  std::array<UringCompletion, 8> out;
  for (int i = 0; i < 10; ++i) {
    auto n = ring.submit_and_wait(out, 1, base::Duration::millis(100));
    if (!n) return false;
    for (size_t k = 0; k < *n; ++k)
      if (out[k].kind == UringCompletion::Kind::kPoll && out[k].user_data == 7)
        return out[k].readable;
  }
  return false;
}

// A datagram as received: its bytes and where it came from.
struct Received {
  std::vector<uint8_t> bytes;
  base::Endpoint from;
};

// Waits through the ring until `rx` is readable, then receives one batch of up to 4 datagrams.
std::vector<Received> receive_batch(Uring& ring, UdpSocket& rx) {
  std::vector<Received> got;
  if (!wait_readable(ring, rx.fd())) return got;
  std::vector<std::vector<uint8_t>> bufs(4, std::vector<uint8_t>(2048));
  std::vector<DatagramSlot> slots;
  for (auto& buf : bufs) slots.push_back({buf.data(), buf.size(), 0, {}});
  auto n = rx.recv_batch(slots);
  for (size_t i = 0; n.ok() && i < *n; ++i)
    got.push_back({{slots[i].data, slots[i].data + slots[i].length}, slots[i].peer});
  return got;
}

TEST(Uring, ProbeAcceptsThisKernel) {
  auto ring = Uring::create(64);
  // Kernel 6.x has everything; a refusal is an Error value, never a crash.
  if (!ring) GTEST_SKIP() << ring.error().message();
  EXPECT_EQ(ring->sends_in_flight(), 0u);
}

TEST(Uring, SendmsgRoundTripOverLoopback) {
  MW_REQUIRE_URING(ring);
  auto tx = UdpSocket::bind(false, 0);
  auto rx = UdpSocket::bind(false, 0);
  ASSERT_TRUE(tx.ok() && rx.ok());
  base::Endpoint to{*base::IpAddress::parse("127.0.0.1"), rx->port()};
  std::vector<uint8_t> a(100, 1), b(200, 2);
  std::array<base::Bytes, 1> pa{base::Bytes(a)}, pb{base::Bytes(b)};
  ASSERT_TRUE(ring->sendmsg(tx->fd(), false, to, pa, 0, 1));
  ASSERT_TRUE(ring->sendmsg(tx->fd(), false, to, pb, 0, 2));
  EXPECT_EQ(ring->sends_in_flight(), 2u);
  std::array<UringCompletion, 8> out;
  size_t sent = 0;
  for (int i = 0; i < 10 && ring->sends_in_flight() > 0; ++i) {
    auto n = ring->submit_and_wait(out, 2, base::Duration::millis(100));
    ASSERT_TRUE(n.ok());
    for (size_t k = 0; k < *n; ++k) {
      ASSERT_EQ(out[k].kind, UringCompletion::Kind::kSend);
      sent += size_t(out[k].result);
    }
  }
  EXPECT_EQ(sent, 300u);
  std::vector<Received> got = receive_batch(*ring, *rx);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].bytes.size(), 100u);
  EXPECT_EQ(got[1].bytes.size(), 200u);
  EXPECT_EQ(got[1].bytes[0], 2);
  EXPECT_EQ(got[0].from.port, tx->port());
}

TEST(Uring, SegmentedSendArrivesAsSeparateDatagrams) {
  MW_REQUIRE_URING(ring);
  auto tx = UdpSocket::bind(false, 0);
  auto rx = UdpSocket::bind(false, 0);
  ASSERT_TRUE(tx.ok() && rx.ok());
  base::Endpoint to{*base::IpAddress::parse("127.0.0.1"), rx->port()};
  // Three buffers of one run: 500 + 500 + 120 bytes as UDP_SEGMENT 500.
  std::vector<uint8_t> a(500, 1), b(500, 2), c(120, 3);
  std::array<base::Bytes, 3> parts{base::Bytes(a), base::Bytes(b), base::Bytes(c)};
  ASSERT_TRUE(ring->sendmsg(tx->fd(), false, to, parts, 500, 9));
  std::array<UringCompletion, 8> out;
  auto n = ring->submit_and_wait(out, 1, base::Duration::millis(500));
  ASSERT_TRUE(n.ok());
  ASSERT_EQ(*n, 1u);
  EXPECT_EQ(out[0].user_data, 9u);
  EXPECT_EQ(out[0].result, 1120);
  EXPECT_EQ(ring->sends_in_flight(), 0u);
  std::vector<Received> got = receive_batch(*ring, *rx);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].bytes.size(), 500u);
  EXPECT_EQ(got[1].bytes.size(), 500u);
  EXPECT_EQ(got[2].bytes.size(), 120u);
  EXPECT_EQ(got[1].bytes[0], 2);
  EXPECT_EQ(got[2].bytes[0], 3);
}

TEST(Uring, WaitTimesOutWithNothingReady) {
  MW_REQUIRE_URING(ring);
  auto rx = UdpSocket::bind(false, 0);
  ASSERT_TRUE(rx.ok());
  ring->poll(rx->fd(), 5, true, false);
  std::array<UringCompletion, 4> out;
  auto start = std::chrono::steady_clock::now();
  auto n = ring->submit_and_wait(out, 1, base::Duration::millis(50));
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0u);
  EXPECT_GE(elapsed, std::chrono::milliseconds(40));
  EXPECT_LT(elapsed, std::chrono::seconds(2));
  // A cancelled poll completes with an error, or not at all; never as readable.
  ring->cancel_poll(5);
  n = ring->submit_and_wait(out, 1, base::Duration::millis(50));
  ASSERT_TRUE(n.ok());
  for (size_t k = 0; k < *n; ++k) EXPECT_FALSE(out[k].readable);
}

}  // namespace
}  // namespace mw::os
