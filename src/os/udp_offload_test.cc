// SPDX-License-Identifier: Apache-2.0
// Tests for UDP GSO sends and GRO receives over loopback, and the start-up probe.
#include "os/udp_offload.h"

#include <gtest/gtest.h>
#include <poll.h>

namespace mw::os {
namespace {

TEST(UdpOffload, ProbeReportsWorkingOffloadsOnThisKernel) {
  UdpOffloads o = probe_udp_offloads();
  // Linux >= 5.0 has both; the probe's own round trip decides, so this documents the machine.
  EXPECT_TRUE(o.gso);
  EXPECT_TRUE(o.gro);
}

TEST(UdpOffload, GsoRunArrivesAsTheSameDatagramsThroughGro) {
  auto tx = UdpSocket::bind(false, 0);
  auto rx = UdpSocket::bind(false, 0);
  ASSERT_TRUE(tx.ok() && rx.ok());
  ASSERT_TRUE(enable_gro(*rx).ok());
  std::vector<uint8_t> data(3 * 1200 + 100);
  for (size_t i = 0; i < data.size(); ++i) data[i] = uint8_t(i);
  base::Endpoint to{*base::IpAddress::parse("127.0.0.1"), rx->port()};
  ASSERT_TRUE(send_gso(*tx, to, data, 1200));
  std::vector<uint8_t> buf(65536), got;
  std::vector<size_t> sizes;
  pollfd p{rx->fd(), POLLIN, 0};
  while (got.size() < data.size() && poll(&p, 1, 500) > 0) {
    auto d = recv_gro(*rx, buf);
    ASSERT_TRUE(d.ok());
    ASSERT_GT(d->length, 0u);
    EXPECT_EQ(d->peer.port, tx->port());
    for (size_t off = 0; off < d->length; off += d->segment_len)
      sizes.push_back(std::min(d->segment_len, d->length - off));
    got.insert(got.end(), buf.begin(), buf.begin() + long(d->length));
  }
  EXPECT_EQ(got, data);
  EXPECT_EQ(sizes, (std::vector<size_t>{1200, 1200, 1200, 100}));
}

TEST(UdpOffload, BatchedReceiveGivesEachBufferItsSegmentSize) {
  auto tx = UdpSocket::bind(false, 0);
  auto rx = UdpSocket::bind(false, 0);
  ASSERT_TRUE(tx.ok() && rx.ok());
  ASSERT_TRUE(enable_gro(*rx).ok());
  std::vector<uint8_t> data(3 * 1200 + 100);
  for (size_t i = 0; i < data.size(); ++i) data[i] = uint8_t(i * 3);
  base::Endpoint to{*base::IpAddress::parse("127.0.0.1"), rx->port()};
  ASSERT_TRUE(send_gso(*tx, to, data, 1200));
  std::vector<uint8_t> plain(77, 9);  // and a datagram of another size after the run
  DatagramSlot out{plain.data(), plain.size(), plain.size(), to, 0};
  uint64_t dropped = 0;
  tx->send_batch(std::span(&out, 1), &dropped);
  std::vector<std::vector<uint8_t>> bufs(8, std::vector<uint8_t>(65536));
  std::vector<DatagramSlot> slots;
  for (auto& b : bufs) slots.push_back({b.data(), b.size(), 0, {}, 0});
  std::vector<uint8_t> got;
  std::vector<size_t> sizes;
  pollfd p{rx->fd(), POLLIN, 0};
  while (sizes.size() < 5 && poll(&p, 1, 500) > 0) {
    auto n = rx->recv_batch(slots);
    ASSERT_TRUE(n.ok());
    for (size_t i = 0; i < *n; ++i) {
      ASSERT_GT(slots[i].segment_len, 0u);
      for (size_t off = 0; off < slots[i].length; off += slots[i].segment_len)
        sizes.push_back(std::min(slots[i].segment_len, slots[i].length - off));
      got.insert(got.end(), slots[i].data, slots[i].data + slots[i].length);
    }
  }
  std::vector<uint8_t> want = data;
  want.insert(want.end(), plain.begin(), plain.end());
  EXPECT_EQ(got, want);
  EXPECT_EQ(sizes, (std::vector<size_t>{1200, 1200, 1200, 100, 77}));
}

TEST(UdpOffload, PlainDatagramHasItsOwnLengthAsSegment) {
  auto tx = UdpSocket::bind(false, 0);
  auto rx = UdpSocket::bind(false, 0);
  ASSERT_TRUE(tx.ok() && rx.ok() && enable_gro(*rx).ok());
  std::vector<uint8_t> one(333, 7);
  uint64_t dropped = 0;
  DatagramSlot s{
      one.data(), one.size(), one.size(), {*base::IpAddress::parse("127.0.0.1"), rx->port()}, 0};
  tx->send_batch(std::span(&s, 1), &dropped);
  std::vector<uint8_t> buf(65536);
  pollfd p{rx->fd(), POLLIN, 0};
  ASSERT_GT(poll(&p, 1, 500), 0);
  auto d = recv_gro(*rx, buf);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->length, 333u);
  EXPECT_EQ(d->segment_len, 333u);
  auto none = recv_gro(*rx, buf);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->length, 0u) << "nothing pending";
}

}  // namespace
}  // namespace mw::os
