// SPDX-License-Identifier: Apache-2.0
// Tests for the Lifeguard awareness score, the probe schedule and the per-source limiter.
#include "discovery/awareness.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "discovery/probe_schedule.h"
#include "discovery/source_limiter.h"
#include "trust/testing/identities.h"

namespace mw::swim {
namespace {

using base::Duration;

TEST(Awareness, ClampsAndScales) {
  Awareness a(8);
  const Duration t = Duration::millis(500);
  EXPECT_EQ(a.scale(t), t);
  a.apply_delta(-1);
  EXPECT_EQ(a.score(), 0);
  a.apply_delta(3);
  EXPECT_EQ(a.scale(t), t * 4);
  a.apply_delta(100);
  EXPECT_EQ(a.score(), 7);
  EXPECT_EQ(a.scale(t), t * 8);
  a.apply_delta(-2);
  EXPECT_EQ(a.score(), 5);
}

TEST(ProbeSchedule, EveryMemberOncePerPassReshuffled) {
  ProbeSchedule s;
  std::mt19937_64 rng(1);
  auto r = [&] { return rng(); };
  std::vector<crypto::PublicKey> ids;
  for (uint8_t n = 1; n <= 6; ++n) {
    ids.push_back(trust::testing::identity_from_byte(n).public_key);
    s.add(ids.back(), rng());
  }
  auto all = [](const crypto::PublicKey&) { return true; };
  std::vector<crypto::PublicKey> pass1, pass2;
  for (int i = 0; i < 6; ++i) pass1.push_back(*s.next(all, r));
  for (int i = 0; i < 6; ++i) pass2.push_back(*s.next(all, r));
  std::map<crypto::PublicKey, int> count;
  for (auto& k : pass2) ++count[k];
  EXPECT_EQ(count.size(), 6u);
  EXPECT_NE(pass1, pass2);  // reshuffled (this seed)
  s.remove(ids[0]);
  auto not_two = [&](const crypto::PublicKey& k) { return k != ids[1]; };
  for (int i = 0; i < 12; ++i) {
    auto k = s.next(not_two, r);
    ASSERT_TRUE(k);
    EXPECT_NE(*k, ids[0]);
    EXPECT_NE(*k, ids[1]);
  }
  EXPECT_FALSE(s.next([](const crypto::PublicKey&) { return false; }, r));
}

TEST(SourceLimiter, PerPrefixBucket) {
  SourceLimiter l(5, 10, 2);
  base::Instant t = base::Instant::from_nanos(1'000'000'000'000);
  auto a = base::IpAddress::v4({10, 1, 1, 1});
  auto a2 = base::IpAddress::v4({10, 1, 1, 77});  // same /24
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(l.allow(i % 2 ? a : a2, t));
  EXPECT_FALSE(l.allow(a, t));
  EXPECT_TRUE(l.allow(base::IpAddress::v4({10, 1, 2, 1}), t));
  t += Duration::millis(200);
  EXPECT_TRUE(l.allow(a, t));
  EXPECT_FALSE(l.allow(a, t));
  EXPECT_FALSE(l.allow(base::IpAddress{}, t));
  EXPECT_EQ(l.size(), 2u);
}

// A full table of busy sources must not lock out a new one: the least recently used source is
// evicted instead (review finding: 4096 busy sources denied every new joiner).
TEST(SourceLimiter, FullTableEvictsLeastRecentlyUsedInsteadOfDenying) {
  SourceLimiter l(5, 10, 2);
  base::Instant t = base::Instant::from_nanos(1'000'000'000'000);
  auto a = base::IpAddress::v4({10, 1, 1, 1});
  auto b = base::IpAddress::v4({10, 1, 2, 1});
  auto c = base::IpAddress::v4({10, 1, 3, 1});
  // a and b drain their buckets: both busy, none idle.
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(l.allow(a, t));
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(l.allow(b, t));
  EXPECT_FALSE(l.allow(a, t));  // a is now the most recently used
  EXPECT_TRUE(l.allow(c, t));   // table full of busy sources: b (LRU) is evicted, c admitted
  EXPECT_EQ(l.size(), 2u);
  EXPECT_FALSE(l.allow(a, t));  // a kept its (empty) bucket
  EXPECT_TRUE(l.allow(b, t));   // b starts over (evicting c, now the LRU)
  EXPECT_EQ(l.size(), 2u);
  EXPECT_FALSE(l.allow(a, t));  // a was touched last before b: still there, still empty
}

}  // namespace
}  // namespace mw::swim
