// SPDX-License-Identifier: Apache-2.0
// Tests for the constant-time comparisons.
#include "crypto/ct.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace mw::crypto {
namespace {

TEST(Ct, EqualNeedsSameLengthAndContents) {
  std::vector<uint8_t> a = {1, 2, 3, 4};
  std::vector<uint8_t> b = {1, 2, 3, 4};
  EXPECT_TRUE(ct_equal(a, b));
  EXPECT_TRUE(ct_equal(base::Bytes(), base::Bytes()));
  EXPECT_TRUE(ct_equal(base::Bytes(a.data(), 0), base::Bytes()));

  std::vector<uint8_t> prefix = {1, 2, 3};
  EXPECT_FALSE(ct_equal(a, prefix));
  EXPECT_FALSE(ct_equal(prefix, a));
  EXPECT_FALSE(ct_equal(a, base::Bytes()));
  std::vector<uint8_t> longer = {1, 2, 3, 4, 0};
  EXPECT_FALSE(ct_equal(a, longer));
}

TEST(Ct, EqualSeesEveryBit) {
  std::vector<uint8_t> a(32);
  for (size_t i = 0; i < a.size(); ++i) a[i] = uint8_t(i * 37);
  for (size_t bit = 0; bit < a.size() * 8; ++bit) {
    std::vector<uint8_t> b = a;
    b[bit / 8] ^= uint8_t(1u << (bit % 8));
    EXPECT_FALSE(ct_equal(a, b)) << bit;
    EXPECT_FALSE(ct_equal(b, a)) << bit;
  }
  EXPECT_TRUE(ct_equal(a, a));
}

TEST(Ct, IsZero) {
  EXPECT_TRUE(ct_is_zero(base::Bytes()));
  std::vector<uint8_t> z(64);
  EXPECT_TRUE(ct_is_zero(z));
  for (size_t bit = 0; bit < z.size() * 8; ++bit) {
    std::vector<uint8_t> nz = z;
    nz[bit / 8] = uint8_t(1u << (bit % 8));
    EXPECT_FALSE(ct_is_zero(nz)) << bit;
  }
}

}  // namespace
}  // namespace mw::crypto
