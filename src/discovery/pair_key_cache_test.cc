// SPDX-License-Identifier: Apache-2.0
// The cache of non-members' pair keys stays within its capacity (oldest out first), and the
// global budget allows its burst and then its rate.
#include "discovery/pair_key_cache.h"

#include <gtest/gtest.h>

#include "discovery/source_limiter.h"

namespace mw::swim {
namespace {

crypto::PublicKey id(uint8_t n) {
  crypto::PublicKey k{};
  k[0] = n;
  k[31] = n;
  return k;
}

PairKey key(uint8_t n) {
  PairKey k;
  k[0] = n;
  return k;
}

TEST(PairKeyCache, KeepsTheNewestWithinItsCapacity) {
  PairKeyCache cache(3);
  for (uint8_t n = 1; n <= 3; ++n) cache.insert(id(n), key(n));
  EXPECT_EQ((*cache.find(id(2)))[0], 2);
  cache.insert(id(4), key(4));
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_EQ(cache.find(id(1)), nullptr) << "the oldest went";
  EXPECT_NE(cache.find(id(4)), nullptr);
  cache.insert(id(4), key(40));  // replacing is not adding
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_EQ((*cache.find(id(4)))[0], 40);
  EXPECT_NE(cache.find(id(2)), nullptr);
  EXPECT_EQ(cache.find(id(9)), nullptr);
}

TEST(TokenBucket, BurstThenRate) {
  TokenBucket b(10, 5);  // 10 per second, burst 5
  base::Instant t = base::Instant::from_nanos(1'000'000'000);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(b.allow(t)) << i;
  EXPECT_FALSE(b.allow(t)) << "the burst is spent";
  EXPECT_FALSE(b.allow(t + base::Duration::millis(99)));
  EXPECT_TRUE(b.allow(t + base::Duration::millis(100))) << "one token per 100 ms";
  EXPECT_FALSE(b.allow(t + base::Duration::millis(100)));
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(b.allow(t + base::Duration::seconds(60))) << i;
  EXPECT_FALSE(b.allow(t + base::Duration::seconds(60))) << "never more than the burst";
}

}  // namespace
}  // namespace mw::swim
