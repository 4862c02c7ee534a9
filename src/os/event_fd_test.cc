// SPDX-License-Identifier: Apache-2.0
#include "os/event_fd.h"

#include <gtest/gtest.h>

#include <array>
#include <thread>

#include "os/epoll.h"

namespace mw::os {
namespace {

TEST(EventFd, SignalledFromAnotherThreadWakesAWaitUntilDrained) {
  auto fd = make_event_fd();
  ASSERT_TRUE(fd) << fd.error().message();
  auto epoll = Epoll::create();
  ASSERT_TRUE(epoll) << epoll.error().message();
  ASSERT_TRUE(epoll->add(fd->get(), 7));
  std::array<PollEvent, 4> events;
  EXPECT_EQ(*epoll->wait(events, base::Duration::zero()), 0u);  // not signalled: not ready
  EXPECT_FALSE(drain_event_fd(fd->get()));
  std::thread t([&] {
    signal_event_fd(fd->get());
    signal_event_fd(fd->get());
  });
  auto n = epoll->wait(events, base::Duration::seconds(10));
  t.join();
  ASSERT_TRUE(n);
  ASSERT_EQ(*n, 1u);
  EXPECT_EQ(events[0].tag, 7u);
  EXPECT_TRUE(events[0].readable);
  EXPECT_TRUE(drain_event_fd(fd->get()));  // every signal so far in one read
  EXPECT_FALSE(drain_event_fd(fd->get()));
  EXPECT_EQ(*epoll->wait(events, base::Duration::zero()), 0u);
}

}  // namespace
}  // namespace mw::os
