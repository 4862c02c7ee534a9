// SPDX-License-Identifier: Apache-2.0
// Tests for Duration, Instant and WallTime arithmetic, and the FakeClock test seam.
#include "base/time.h"

#include <gtest/gtest.h>

#include "base/testing/fake_clock.h"

namespace mw::base {
namespace {

TEST(Duration, UnitsRoundTrip) {
  EXPECT_EQ(Duration::seconds(2).to_nanos(), 2'000'000'000);
  EXPECT_EQ(Duration::seconds(2).to_millis(), 2000);
  EXPECT_EQ(Duration::seconds(2).to_micros(), 2'000'000);
  EXPECT_EQ(Duration::millis(1500).to_micros(), 1'500'000);
  EXPECT_EQ(Duration::micros(7).to_nanos(), 7000);
  EXPECT_EQ(Duration::nanos(999).to_micros(), 0);  // truncates toward zero
  EXPECT_EQ(Duration::nanos(-999).to_micros(), 0);
  EXPECT_DOUBLE_EQ(Duration::millis(250).to_seconds_f(), 0.25);
  EXPECT_EQ(Duration::zero().to_nanos(), 0);
  EXPECT_EQ(Duration().to_nanos(), 0);
  EXPECT_EQ(Duration::max().to_nanos(), INT64_MAX);
  // WireGuard's REKEY_AFTER_TIME and friends fit comfortably.
  EXPECT_EQ(Duration::seconds(180).to_millis(), 180'000);
}

TEST(Duration, Arithmetic) {
  Duration a = Duration::millis(1500);
  Duration b = Duration::millis(500);
  EXPECT_EQ(a + b, Duration::seconds(2));
  EXPECT_EQ(a - b, Duration::seconds(1));
  EXPECT_EQ(b - a, Duration::seconds(-1));
  EXPECT_EQ(b * 3, a);
  EXPECT_EQ(a / 3, b);
  Duration c = a;
  c += b;
  EXPECT_EQ(c, Duration::seconds(2));
  c -= a;
  EXPECT_EQ(c, b);
}

TEST(Duration, Ordering) {
  EXPECT_LT(Duration::micros(999), Duration::millis(1));
  EXPECT_GT(Duration::seconds(1), Duration::millis(999));
  EXPECT_LT(Duration::seconds(-1), Duration::zero());
  EXPECT_LE(Duration::millis(1), Duration::micros(1000));
  EXPECT_EQ(Duration::millis(1), Duration::micros(1000));
  EXPECT_LT(Duration::seconds(1'000'000), Duration::max());
}

TEST(Instant, Arithmetic) {
  Instant t0 = Instant::from_nanos(5'000'000'000);
  Instant t1 = t0 + Duration::millis(250);
  EXPECT_EQ(t1.to_nanos(), 5'250'000'000);
  EXPECT_EQ(t1 - t0, Duration::millis(250));
  EXPECT_EQ(t0 - t1, Duration::millis(-250));
  EXPECT_EQ(t1 - Duration::millis(250), t0);
  Instant t2 = t0;
  t2 += Duration::seconds(1);
  EXPECT_EQ(t2, Instant::from_nanos(6'000'000'000));
  EXPECT_LT(t0, t1);
  EXPECT_GT(t2, t1);
  EXPECT_LT(t2, Instant::max());
  EXPECT_EQ(Instant().to_nanos(), 0);
  EXPECT_LT(Instant(), t0);  // the origin sorts first, usable as "never"
}

TEST(WallTime, Ordering) {
  WallTime a{1'700'000'000'000'000'000};
  WallTime b{1'700'000'000'000'000'001};
  EXPECT_LT(a, b);
  EXPECT_EQ(a, WallTime{1'700'000'000'000'000'000});
}

TEST(FakeClock, MovesOnlyWhenAdvanced) {
  testing::FakeClock clock;
  Instant start = clock.now();
  WallTime wall_start = clock.wall();
  EXPECT_GT(start, Instant());
  EXPECT_EQ(clock.now(), start);
  clock.advance(Duration::seconds(5));
  EXPECT_EQ(clock.now() - start, Duration::seconds(5));
  EXPECT_EQ(clock.wall().unix_nanos - wall_start.unix_nanos, Duration::seconds(5).to_nanos());
  clock.set(start + Duration::millis(1));
  EXPECT_EQ(clock.now(), start + Duration::millis(1));
}

}  // namespace
}  // namespace mw::base
