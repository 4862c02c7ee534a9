// SPDX-License-Identifier: Apache-2.0
// Tests for the 64-counter replay window, against a naive oracle (a set and the highest).
#include "discovery/replay_window.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

namespace mw::swim {
namespace {

TEST(ReplayWindow, Basics) {
  ReplayWindow w;
  EXPECT_FALSE(w.accept(0));
  EXPECT_TRUE(w.accept(1));
  EXPECT_FALSE(w.accept(1));
  EXPECT_TRUE(w.accept(100));
  EXPECT_TRUE(w.accept(99));
  EXPECT_TRUE(w.accept(37));   // 63 below the highest: still inside
  EXPECT_FALSE(w.accept(36));  // 64 below: too old
  EXPECT_FALSE(w.fresh(100));
  EXPECT_TRUE(w.fresh(101));
  EXPECT_EQ(w.highest(), 100u);
}

TEST(ReplayWindow, FloorRejectsEverythingAtOrBelow) {
  ReplayWindow w(500);
  EXPECT_FALSE(w.accept(500));
  EXPECT_FALSE(w.accept(499));
  EXPECT_FALSE(w.accept(1));
  EXPECT_TRUE(w.accept(501));
}

TEST(ReplayWindow, MatchesNaiveOracle) {
  std::mt19937_64 rng(3);
  ReplayWindow w;
  std::set<uint64_t> seen;
  uint64_t highest = 0;
  uint64_t base = 1;
  for (int i = 0; i < 20000; ++i) {
    base += rng() % 3;
    uint64_t c = base + rng() % 80 - std::min<uint64_t>(base, 70);
    if (c == 0) c = 1;
    bool want = !seen.count(c) && (c > highest || highest - c < ReplayWindow::kSize);
    ASSERT_EQ(w.accept(c), want) << "counter " << c << " highest " << highest;
    if (want) {
      seen.insert(c);
      highest = std::max(highest, c);
    }
  }
}

}  // namespace
}  // namespace mw::swim
