// SPDX-License-Identifier: Apache-2.0
// Tests for the CSPRNG wrappers: bounds, coverage and that draws differ.
#include "crypto/random.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <set>
#include <vector>

namespace mw::crypto {
namespace {

TEST(Random, TwoDrawsDiffer) {
  std::array<uint8_t, 32> a{}, b{};
  random_bytes(a);
  random_bytes(b);
  EXPECT_NE(a, b);
  EXPECT_NE(a, (std::array<uint8_t, 32>{}));
}

TEST(Random, FillsTheWholeBuffer) {
  // Every byte position of a 1 KiB buffer takes a non-zero value in at least one of a few
  // draws: a wrapper that fills only a prefix would leave the tail zero.
  std::vector<uint8_t> seen(1024);
  for (int round = 0; round < 8; ++round) {
    std::vector<uint8_t> buf(1024);
    random_bytes(buf);
    for (size_t i = 0; i < buf.size(); ++i) seen[i] |= buf[i];
  }
  for (size_t i = 0; i < seen.size(); ++i) ASSERT_NE(seen[i], 0) << i;
  random_bytes(base::MutableBytes());  // empty is fine
}

TEST(Random, U32Varies) {
  std::set<uint32_t> values;
  for (int i = 0; i < 64; ++i) values.insert(random_u32());
  EXPECT_GT(values.size(), 60u);
}

TEST(Random, UniformRespectsBoundAndCoversIt) {
  EXPECT_EQ(random_uniform(1), 0u);
  for (uint32_t bound : {2u, 3u, 10u, 1000u, 0x80000001u, UINT32_MAX}) {
    for (int i = 0; i < 20000; ++i) {
      uint32_t v = random_uniform(bound);
      ASSERT_LT(v, bound) << bound;
    }
  }
  // With bound 10 and 20000 draws each value is expected 2000 times; a bias or an
  // off-by-one would show as an empty or badly skewed bucket.
  std::array<int, 10> counts{};
  for (int i = 0; i < 20000; ++i) ++counts[random_uniform(10)];
  for (int c : counts) {
    EXPECT_GT(c, 1600);
    EXPECT_LT(c, 2400);
  }
}

}  // namespace
}  // namespace mw::crypto
