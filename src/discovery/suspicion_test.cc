// SPDX-License-Identifier: Apache-2.0
// Tests for the Lifeguard suspicion timer, mirroring memberlist suspicion_test.go.
#include "discovery/suspicion.h"

#include <gtest/gtest.h>

#include "trust/testing/identities.h"

namespace mw::swim {
namespace {

using base::Duration;
using base::Instant;

crypto::PublicKey key(uint8_t n) { return trust::testing::identity_from_byte(n).public_key; }

TEST(Suspicion, SuspicionTimeout) {
  const Duration interval = Duration::seconds(1);
  EXPECT_EQ(suspicion_timeout(3, 1, interval), Duration::seconds(3));
  EXPECT_EQ(suspicion_timeout(3, 10, interval), Duration::seconds(3));
  EXPECT_EQ(suspicion_timeout(3, 100, interval), Duration::seconds(6));
  EXPECT_EQ(suspicion_timeout(3, 1000, interval), Duration::seconds(9));
  EXPECT_EQ(suspicion_timeout(3, 50, interval), Duration::millis(5094));
}

TEST(Suspicion, RemainingSuspicionTime) {
  struct Case {
    int n, k;
    Duration elapsed, min, max, expected;
  };
  const Duration s2 = Duration::seconds(2), s30 = Duration::seconds(30);
  const Case cases[] = {
      {0, 3, Duration::zero(), s2, s30, s30},
      {1, 3, Duration::seconds(2), s2, s30, Duration::seconds(14)},
      {2, 3, Duration::seconds(3), s2, s30, Duration::millis(4810)},
      {3, 3, Duration::seconds(4), s2, s30, Duration::seconds(-2)},
      {4, 3, Duration::seconds(5), s2, s30, Duration::seconds(-3)},
      {5, 3, Duration::seconds(10), s2, s30, Duration::seconds(-8)},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Suspicion::remaining(c.n, c.k, c.elapsed, c.min, c.max), c.expected) << "n=" << c.n;
  }
}

TEST(Suspicion, ConfirmationsShortenTheTimer) {
  const Instant t0 = Instant::from_nanos(1'000'000'000'000);
  const Duration min = Duration::seconds(2), max = Duration::seconds(30);
  Suspicion s(key(1), 3, min, max, t0);
  EXPECT_EQ(s.deadline(), t0 + max);
  EXPECT_FALSE(s.confirm(key(1)));  // the first accuser does not confirm its own suspicion
  EXPECT_TRUE(s.would_confirm(key(2)));
  EXPECT_TRUE(s.confirm(key(2)));
  EXPECT_FALSE(s.confirm(key(2)));
  EXPECT_EQ(s.deadline(), t0 + Duration::seconds(16));
  EXPECT_TRUE(s.confirm(key(3)));
  EXPECT_EQ(s.deadline(), t0 + Duration::millis(7810));
  EXPECT_TRUE(s.confirm(key(4)));
  EXPECT_EQ(s.deadline(), t0 + min);
  EXPECT_FALSE(s.would_confirm(key(5)));  // k reached
  EXPECT_FALSE(s.confirm(key(5)));
  EXPECT_EQ(s.confirmations(), 3);
}

TEST(Suspicion, NoExpectedConfirmationsStartsAtMin) {
  const Instant t0 = Instant::from_nanos(1'000'000'000'000);
  Suspicion s(key(1), 0, Duration::seconds(2), Duration::seconds(30), t0);
  EXPECT_EQ(s.deadline(), t0 + Duration::seconds(2));
  EXPECT_FALSE(s.confirm(key(2)));
}

}  // namespace
}  // namespace mw::swim
