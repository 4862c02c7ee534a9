// SPDX-License-Identifier: Apache-2.0
// Tests for UnderLoad: the queue threshold and the one-second stickiness.
#include "wireguard/under_load.h"

#include <gtest/gtest.h>

namespace mw::wg {
namespace {

using base::Duration;
using base::Instant;

TEST(UnderLoad, QuietBelowThreshold) {
  UnderLoad u;
  Instant t = Instant::from_nanos(1'000'000'000);
  EXPECT_FALSE(u.update(0, t));
  EXPECT_FALSE(u.update(kUnderLoadQueueThreshold - 1, t));
}

TEST(UnderLoad, LoadedAtThresholdAndStickyForOneSecond) {
  UnderLoad u;
  Instant t = Instant::from_nanos(1'000'000'000);
  EXPECT_TRUE(u.update(kUnderLoadQueueThreshold, t));
  EXPECT_TRUE(u.update(0, t + Duration::millis(999)));
  EXPECT_FALSE(u.update(0, t + Duration::seconds(1)));
}

TEST(UnderLoad, StickinessRestartsWhileLoaded) {
  UnderLoad u(4, Duration::seconds(1));
  Instant t = Instant::from_nanos(1'000'000'000);
  u.update(4, t);
  u.update(5, t + Duration::millis(800));
  EXPECT_TRUE(u.update(0, t + Duration::millis(1700)));
  EXPECT_FALSE(u.update(0, t + Duration::millis(1800)));
}

}  // namespace
}  // namespace mw::wg
