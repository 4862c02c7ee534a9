// SPDX-License-Identifier: Apache-2.0
// Tests for Ratelimiter on a fake time: the kernel's selftest script, IPv6 /64 buckets, the
// bounded table and garbage collection.
#include "wireguard/ratelimiter.h"

#include <gtest/gtest.h>

#include "base/bytes.h"
#include "base/testing/test_values.h"

namespace mw::wg {
namespace {

using base::Duration;
using base::Instant;
using base::IpAddress;

const Instant kStart = Instant::from_nanos(1'000'000'000'000);

constexpr auto v6_words = base::testing::ipv6_from_words;
TEST(Ratelimiter, ConstantsMatchTheKernel) {
  EXPECT_EQ(Ratelimiter::kPacketCost, Duration::millis(50));
  EXPECT_EQ(Ratelimiter::kTokenMax, Duration::millis(250));
  EXPECT_EQ(Ratelimiter().max_entries(), 65536u);
}

// The timings test of the kernel's selftest/ratelimiter.c: each step waits, then checks one
// source against the expectation, and a different source that must always pass. The IPv6
// source changes its low 64 bits every step and must still behave as one bucket.
TEST(Ratelimiter, KernelTimingScript) {
  struct Step {
    bool allowed;
    Duration wait_before;
  };
  const Duration cost = Duration::seconds(1) / 20;
  const Step steps[] = {
      {true, {}},   {true, {}},  {true, {}},       {true, {}}, {true, {}},  {false, {}},
      {true, cost}, {false, {}}, {true, cost * 2}, {true, {}}, {false, {}},
  };
  Ratelimiter r;
  Instant now = kStart;
  const uint32_t v4_base = 8182;
  for (uint32_t i = 0; i < std::size(steps); ++i) {
    now += steps[i].wait_before;
    EXPECT_EQ(r.allow(IpAddress::v4(v4_base), now), steps[i].allowed) << "v4 step " << i;
    EXPECT_TRUE(r.allow(IpAddress::v4(v4_base + i + 1), now)) << "other v4 source, step " << i;
    EXPECT_EQ(r.allow(v6_words(1212, 289188, i, i), now), steps[i].allowed) << "v6 step " << i;
    EXPECT_TRUE(r.allow(v6_words(1212 + i + 1, 289188, i, i), now)) << "other v6 /64, step " << i;
  }
}

TEST(Ratelimiter, Ipv6BucketsAreSlash64) {
  Ratelimiter r;
  const Instant now = kStart;
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(r.allow(*IpAddress::parse("2001:db8:1:2::1"), now));
  // Differs only in the low 64 bits: the same bucket, now empty.
  EXPECT_FALSE(r.allow(*IpAddress::parse("2001:db8:1:2:ffff:ffff:ffff:ffff"), now));
  EXPECT_FALSE(r.allow(*IpAddress::parse("2001:db8:1:2::"), now));
  // Differs in bit 63, the last bit of the top half: a fresh bucket.
  EXPECT_TRUE(r.allow(*IpAddress::parse("2001:db8:1:3::1"), now));
  EXPECT_TRUE(r.allow(*IpAddress::parse("a001:db8:1:2::1"), now));
  EXPECT_EQ(r.size(), 3u);
}

TEST(Ratelimiter, FamiliesDoNotShareBuckets) {
  Ratelimiter r;
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(r.allow(*IpAddress::parse("0.0.0.1"), kStart));
  EXPECT_FALSE(r.allow(*IpAddress::parse("0.0.0.1"), kStart));
  // The same 64 bits as an IPv6 /64 key.
  EXPECT_TRUE(r.allow(*IpAddress::parse("0:0:0:1::"), kStart));
  EXPECT_FALSE(r.allow(IpAddress(), kStart));
}

TEST(Ratelimiter, RefillIsCappedAtTheBurst) {
  Ratelimiter r;
  const IpAddress a = *IpAddress::parse("192.0.2.1");
  EXPECT_TRUE(r.allow(a, kStart));
  const Instant later = kStart + Duration::seconds(3600);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(r.allow(a, later)) << i;
  EXPECT_FALSE(r.allow(a, later));
  // 20 per second sustained: one every 50 ms, never two.
  Instant t = later;
  for (int i = 0; i < 100; ++i) {
    t += Duration::millis(50);
    EXPECT_TRUE(r.allow(a, t)) << i;
    EXPECT_FALSE(r.allow(a, t)) << i;
  }
}

TEST(Ratelimiter, ClockSteppingBackGrantsNothing) {
  Ratelimiter r;
  const IpAddress a = *IpAddress::parse("192.0.2.1");
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(r.allow(a, kStart));
  EXPECT_FALSE(r.allow(a, kStart - Duration::seconds(10)));
  EXPECT_FALSE(r.allow(a, kStart));
  EXPECT_TRUE(r.allow(a, kStart + Ratelimiter::kPacketCost));
}

// The kernel's capacity test: with the table full, a new source is denied, not inserted.
TEST(Ratelimiter, FullTableDeniesNewSources) {
  for (size_t max : {size_t{1000}, Ratelimiter::kDefaultMaxEntries}) {
    Ratelimiter r(max);
    for (uint32_t i = 0; i <= max; ++i) {
      ASSERT_EQ(r.allow(IpAddress::v4(i), kStart), i != max) << "source " << i << " of " << max;
    }
    EXPECT_EQ(r.size(), max);
    EXPECT_FALSE(r.allow(*IpAddress::parse("fd00::1"), kStart));
    // Sources already in the table keep their buckets.
    EXPECT_TRUE(r.allow(IpAddress::v4(0u), kStart));
    EXPECT_EQ(r.size(), max);
  }
}

TEST(Ratelimiter, GcFreesSourcesIdleForMoreThanOneSecond) {
  Ratelimiter r(100);
  for (uint32_t i = 0; i < 100; ++i) EXPECT_TRUE(r.allow(IpAddress::v4(i), kStart));
  EXPECT_FALSE(r.allow(IpAddress::v4(100u), kStart));
  // One source stays active.
  EXPECT_TRUE(r.allow(IpAddress::v4(7u), kStart + Duration::millis(500)));
  r.gc(kStart + Duration::seconds(1));  // idle for exactly 1 s: kept
  EXPECT_EQ(r.size(), 100u);
  r.gc(kStart + Duration::seconds(1) + Duration::nanos(1));
  EXPECT_EQ(r.size(), 1u);
  EXPECT_TRUE(r.allow(IpAddress::v4(100u), kStart + Duration::seconds(2)));
  r.gc(kStart + Duration::seconds(10));
  EXPECT_EQ(r.size(), 0u);
}

}  // namespace
}  // namespace mw::wg
