// SPDX-License-Identifier: Apache-2.0
// Tests for private network namespace children: the body runs in a namespace other than the
// caller's, its error (message and errno) comes back, a crash and an overrun are reported (the
// latter killed at its deadline), and a thread can move between namespaces.
#include "os/private_netns.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "base/testing/root.h"

namespace mw::os {
namespace {

ino_t namespace_inode(int fd) {
  struct stat st {};
  return fstat(fd, &st) == 0 ? st.st_ino : 0;
}

const base::Duration kLong = base::Duration::seconds(30);

TEST(PrivateNetns, BodyRunsInAnotherNamespace) {
  MW_SKIP_UNLESS_ROOT("network namespaces");
  auto mine = current_network_namespace();
  ASSERT_TRUE(mine) << mine.error().message();
  ino_t here = namespace_inode(mine->get());
  auto r = run_in_private_network_namespace(
      [&]() -> base::Result<void> {
        auto theirs = current_network_namespace();
        if (!theirs) return theirs.error();
        if (namespace_inode(theirs->get()) == here) return base::Error("same namespace");
        return {};
      },
      kLong);
  EXPECT_TRUE(r) << r.error().message();
}

TEST(PrivateNetns, ErrorMessageAndErrnoComeBack) {
  MW_SKIP_UNLESS_ROOT("network namespaces");
  auto r = run_in_private_network_namespace(
      []() -> base::Result<void> { return base::Error("no luck", EPERM); }, kLong);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "no luck");
  EXPECT_EQ(r.error().sys_errno(), EPERM);
  auto zero = run_in_private_network_namespace(
      []() -> base::Result<void> { return base::Error("offload broken"); }, kLong);
  ASSERT_FALSE(zero);
  EXPECT_EQ(zero.error().sys_errno(), 0);
}

TEST(PrivateNetns, CrashIsReported) {
  MW_SKIP_UNLESS_ROOT("network namespaces");
  auto r = run_in_private_network_namespace([]() -> base::Result<void> { std::abort(); }, kLong);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("namespace child failed"), std::string::npos)
      << r.error().message();
}

TEST(PrivateNetns, OverrunIsKilledAtTheDeadline) {
  MW_SKIP_UNLESS_ROOT("network namespaces");
  auto r = run_in_private_network_namespace(
      []() -> base::Result<void> {
        sleep(30);
        return {};
      },
      base::Duration::millis(200));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "namespace child still running after 200 ms; killed");
  EXPECT_EQ(r.error().sys_errno(), ETIMEDOUT);
}

TEST(PrivateNetns, ThreadMovesBetweenNamespaces) {
  MW_SKIP_UNLESS_ROOT("network namespaces");
  auto r = run_in_private_network_namespace(
      []() -> base::Result<void> {
        auto first = current_network_namespace();
        if (!first) return first.error();
        MW_RETURN_IF_ERROR(enter_new_network_namespace());
        auto second = current_network_namespace();
        if (!second) return second.error();
        if (namespace_inode(first->get()) == namespace_inode(second->get()))
          return base::Error("unshare did not move the thread");
        MW_RETURN_IF_ERROR(enter_network_namespace(first->get()));
        auto back = current_network_namespace();
        if (!back) return back.error();
        if (namespace_inode(back->get()) != namespace_inode(first->get()))
          return base::Error("setns did not move the thread back");
        return {};
      },
      kLong);
  EXPECT_TRUE(r) << r.error().message();
}

TEST(PrivateNetns, RefusedOnceTheProcessHasThreads) {
  MW_SKIP_UNLESS_ROOT("network namespaces");
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  std::thread other([&] {
    std::unique_lock<std::mutex> l(mu);
    cv.wait(l, [&] { return done; });
  });
  auto r = run_in_private_network_namespace([]() -> base::Result<void> { return {}; }, kLong);
  {
    std::lock_guard<std::mutex> l(mu);
    done = true;
  }
  cv.notify_one();
  other.join();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().sys_errno(), EBUSY);
  EXPECT_EQ(r.error().message(), "the process already runs 2 threads");
}

TEST(PrivateNetns, BadNamespaceDescriptorIsAnError) {
  auto r = enter_network_namespace(-1);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().sys_errno(), EBADF);
}

}  // namespace
}  // namespace mw::os
