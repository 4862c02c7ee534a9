// SPDX-License-Identifier: Apache-2.0
// Tests for IndexTable: indices in use are never reused, and the reject paths.
#include "wireguard/index_table.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace mw::wg {
namespace {

// Replays a fixed list of values, then counts upward from 1000.
class ScriptedRng {
 public:
  explicit ScriptedRng(std::vector<uint32_t> values) : values_(std::move(values)) {}
  uint32_t operator()() {
    ++draws_;
    if (next_ < values_.size()) return values_[next_++];
    return 1000 + uint32_t(next_++);
  }
  int draws() const { return draws_; }

 private:
  std::vector<uint32_t> values_;
  size_t next_ = 0;
  int draws_ = 0;
};

TEST(IndexTable, CollidingDrawsAreSkipped) {
  auto rng = std::make_shared<ScriptedRng>(std::vector<uint32_t>{7, 7, 7, 9, 7, 9, 0, 7, 9, 0});
  IndexTable<std::string> t([rng] { return (*rng)(); });
  EXPECT_EQ(t.insert("a"), 7u);
  EXPECT_EQ(t.insert("b"), 9u);  // skips the two repeated 7s
  EXPECT_EQ(rng->draws(), 4);
  EXPECT_EQ(t.insert("c"), 0u);  // skips 7 and 9; index 0 is a valid index
  EXPECT_EQ(t.size(), 3u);
  EXPECT_EQ(t.lookup(7), "a");
  EXPECT_EQ(t.lookup(9), "b");
  EXPECT_EQ(t.lookup(0), "c");
  // Freed indices may be drawn again; ones in use still may not.
  EXPECT_TRUE(t.remove(9));
  EXPECT_EQ(t.insert("d"), 9u);  // skips 7, then 9 is free again
  EXPECT_EQ(t.lookup(9), "d");
  EXPECT_EQ(t.insert("e"), 1010u);  // skips 0 (in use), then the counter
  EXPECT_EQ(t.size(), 4u);
}

TEST(IndexTable, NeverReusesAnIndexInUse) {
  // A tiny index space: every draw is in [0, 64), so collisions are constant.
  uint32_t state = 1;
  IndexTable<int> t([&state] {
    state = state * 1103515245 + 12345;
    return (state >> 16) % 64;
  });
  std::set<uint32_t> in_use;
  for (int i = 0; i < 64; ++i) {
    const uint32_t index = t.insert(i);
    EXPECT_TRUE(in_use.insert(index).second) << "index " << index << " handed out twice";
  }
  EXPECT_EQ(t.size(), 64u);
  for (uint32_t index : in_use) EXPECT_TRUE(t.lookup(index).has_value());
}

TEST(IndexTable, RejectPaths) {
  IndexTable<int> t;  // the real CSPRNG
  EXPECT_EQ(t.lookup(1234), std::nullopt);
  EXPECT_FALSE(t.remove(1234));
  EXPECT_FALSE(t.replace(1234, 5));
  EXPECT_EQ(t.size(), 0u);

  const uint32_t index = t.insert(1);
  EXPECT_EQ(t.lookup(index), 1);
  EXPECT_TRUE(t.replace(index, 2));
  EXPECT_EQ(t.lookup(index), 2);
  EXPECT_EQ(t.size(), 1u);
  EXPECT_TRUE(t.remove(index));
  EXPECT_FALSE(t.remove(index));
  EXPECT_FALSE(t.replace(index, 3));
  EXPECT_EQ(t.lookup(index), std::nullopt);
  EXPECT_EQ(t.size(), 0u);
}

TEST(IndexTable, RandomIndicesSpreadOut) {
  IndexTable<int> t;
  std::set<uint32_t> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(t.insert(i));
  EXPECT_EQ(seen.size(), 1000u);
  EXPECT_GT(*seen.rbegin(), 1u << 24);  // not a counter
}

}  // namespace
}  // namespace mw::wg
