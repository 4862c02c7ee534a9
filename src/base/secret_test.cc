// SPDX-License-Identifier: Apache-2.0
// Tests for Secret<N> and secure_wipe: construction, copies, and zeros after wipe and destruction.
#include "base/secret.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <new>

namespace mw::base {
namespace {

TEST(Secret, StartsZeroed) {
  Secret<32> s;
  EXPECT_TRUE(s.is_zero());
  EXPECT_EQ(s.size(), 32u);
  EXPECT_EQ(Secret<64>::size(), 64u);
}

TEST(Secret, HoldsAndCopiesBytes) {
  std::array<uint8_t, 16> raw;
  for (size_t i = 0; i < raw.size(); ++i) raw[i] = uint8_t(i + 1);
  Secret<16> s{std::span<const uint8_t, 16>(raw)};
  EXPECT_FALSE(s.is_zero());
  EXPECT_EQ(s[0], 1);
  EXPECT_EQ(s[15], 16);
  EXPECT_EQ(s.data()[3], 4);
  EXPECT_EQ(s.span().size(), 16u);

  Secret<16> copy = s;
  EXPECT_EQ(copy[15], 16);
  Secret<16> assigned;
  assigned = s;
  EXPECT_EQ(assigned[7], 8);

  s[0] = 0xff;
  EXPECT_EQ(copy[0], 1);  // copies are independent
}

TEST(Secret, IsZeroSeesEveryByte) {
  for (size_t i = 0; i < 32; ++i) {
    Secret<32> s;
    s[i] = 0x80;
    EXPECT_FALSE(s.is_zero()) << i;
  }
}

TEST(Secret, WipeLeavesZeros) {
  Secret<32> s;
  for (size_t i = 0; i < s.size(); ++i) s[i] = uint8_t(0xa5 ^ i);
  ASSERT_FALSE(s.is_zero());
  s.wipe();
  EXPECT_TRUE(s.is_zero());
  for (size_t i = 0; i < s.size(); ++i) EXPECT_EQ(s[i], 0) << i;
}

TEST(Secret, DestructorWipes) {
  // Construct in caller-owned storage, destroy, and look at the storage that remains.
  alignas(Secret<32>) unsigned char storage[sizeof(Secret<32>)];
  auto* s = new (storage) Secret<32>();
  for (size_t i = 0; i < 32; ++i) (*s)[i] = 0xcc;
  s->~Secret<32>();
  for (size_t i = 0; i < sizeof(storage); ++i) EXPECT_EQ(storage[i], 0) << i;
}

TEST(Secret, SecureWipeZeroesRawMemory) {
  std::array<uint8_t, 37> buf;
  buf.fill(0x5a);
  secure_wipe(buf.data() + 1, 35);
  EXPECT_EQ(buf[0], 0x5a);
  for (size_t i = 1; i < 36; ++i) EXPECT_EQ(buf[i], 0) << i;
  EXPECT_EQ(buf[36], 0x5a);
  secure_wipe(buf.data(), 0);
  EXPECT_EQ(buf[0], 0x5a);
}

}  // namespace
}  // namespace mw::base
