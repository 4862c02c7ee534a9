// SPDX-License-Identifier: Apache-2.0
// The same tests for both I/O backends of the interface loop: level-triggered watches,
// rewatch and unwatch, and datagrams (plain and one GSO run) leaving by commit().
#include "dataplane/io_backend.h"

#include <gtest/gtest.h>

#include <array>
#include <vector>

namespace mw::dp::detail {
namespace {

class IoBackendTest : public ::testing::TestWithParam<IoMode> {
 protected:
  void SetUp() override {
    auto io = GetParam() == IoMode::kUring ? make_uring_backend(&drops_)
                                           : make_io_backend(IoMode::kEpoll, &drops_);
    if (!io) GTEST_SKIP() << "backend refused: " << io.error().message();
    io_ = std::move(*io);
    auto tx = os::UdpSocket::bind(false, 0);
    auto rx = os::UdpSocket::bind(false, 0);
    ASSERT_TRUE(tx.ok() && rx.ok());
    tx_ = std::move(*tx);
    rx_ = std::move(*rx);
    to_ = {*base::IpAddress::parse("127.0.0.1"), rx_->port()};
  }

  // Sends `count` datagrams of `len` bytes to rx_ through the backend.
  void send(size_t count, size_t len, bool segmented) {
    bufs_.assign(count, std::vector<uint8_t>(len));
    std::vector<os::DatagramSlot> slots;
    for (size_t i = 0; i < count; ++i) {
      bufs_[i][0] = uint8_t(i);
      slots.push_back({bufs_[i].data(), len, len, to_});
    }
    if (segmented) {
      io_->send_segmented(*tx_, slots);
    } else {
      io_->send(*tx_, slots);
    }
    ASSERT_TRUE(io_->commit().ok());
  }

  std::vector<os::PollEvent> wait(base::Duration timeout = base::Duration::millis(200)) {
    std::array<os::PollEvent, 8> events;
    auto n = io_->wait(events, timeout);
    EXPECT_TRUE(n.ok());
    return std::vector<os::PollEvent>(events.begin(), events.begin() + long(n.ok() ? *n : 0));
  }

  size_t drain() {
    std::vector<std::vector<uint8_t>> bufs(16, std::vector<uint8_t>(2048));
    std::vector<os::DatagramSlot> slots;
    for (auto& b : bufs) slots.push_back({b.data(), b.size(), 0, {}});
    size_t total = 0;
    while (true) {
      auto n = rx_->recv_batch(slots);
      if (!n.ok() || *n == 0) return total;
      total += *n;
    }
  }

  IoDrops drops_;
  std::unique_ptr<IoBackend> io_;
  std::optional<os::UdpSocket> tx_, rx_;
  base::Endpoint to_;
  std::vector<std::vector<uint8_t>> bufs_;
};

TEST_P(IoBackendTest, ReadinessIsLevelTriggeredUntilDrained) {
  ASSERT_TRUE(io_->watch(rx_->fd(), 42, false, true).ok());
  EXPECT_TRUE(wait(base::Duration::millis(20)).empty());
  send(3, 100, false);
  for (int round = 0; round < 3; ++round) {  // not read: reported again every time
    auto events = wait();
    ASSERT_EQ(events.size(), 1u) << "round " << round;
    EXPECT_EQ(events[0].tag, 42u);
    EXPECT_TRUE(events[0].readable);
  }
  EXPECT_EQ(drain(), 3u);
  // At most one late report of the drained socket, then quiet.
  auto late = wait(base::Duration::millis(20));
  EXPECT_LE(late.size(), 1u);
  EXPECT_TRUE(wait(base::Duration::millis(20)).empty());
  EXPECT_EQ(drops_.udp_send, 0u);
}

TEST_P(IoBackendTest, GsoRunArrivesAsSeparateDatagrams) {
  ASSERT_TRUE(io_->watch(rx_->fd(), 7, false, true).ok());
  send(4, 600, true);
  auto events = wait();
  ASSERT_EQ(events.size(), 1u);
  size_t got = 0;
  for (int i = 0; i < 10 && got < 4; ++i) {
    got += drain();
    if (got < 4) wait(base::Duration::millis(50));
  }
  EXPECT_EQ(got, 4u);
}

TEST_P(IoBackendTest, RewatchAndUnwatch) {
  ASSERT_TRUE(io_->watch(tx_->fd(), 1, false, true).ok());
  EXPECT_FALSE(io_->watch(tx_->fd(), 1, false, true).ok()) << "already watched";
  EXPECT_TRUE(wait(base::Duration::millis(20)).empty());
  // A UDP socket is always writable.
  ASSERT_TRUE(io_->rewatch(tx_->fd(), 2, true, false).ok());
  auto events = wait();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].tag, 2u);
  EXPECT_TRUE(events[0].writable);
  io_->unwatch(tx_->fd());
  EXPECT_TRUE(wait(base::Duration::millis(20)).empty());
  ASSERT_TRUE(io_->watch(tx_->fd(), 3, true, false).ok()) << "watchable again";
  events = wait();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].tag, 3u);
}

INSTANTIATE_TEST_SUITE_P(Backends, IoBackendTest, ::testing::Values(IoMode::kEpoll, IoMode::kUring),
                         [](const auto& info) { return std::string(io_mode_name(info.param)); });

}  // namespace
}  // namespace mw::dp::detail
