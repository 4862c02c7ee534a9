// SPDX-License-Identifier: Apache-2.0
// BLAKE2b known answers (RFC 7693 Appendix A: BLAKE2b-512("abc")) and size rejects.
#include "crypto/blake2b.h"

#include <gtest/gtest.h>

#include "base/encoding.h"

namespace mw::crypto {
namespace {

TEST(Blake2b, Rfc7693AppendixA) {
  const uint8_t abc[] = {'a', 'b', 'c'};
  std::array<uint8_t, 64> out;
  ASSERT_TRUE(blake2b(abc, out));
  EXPECT_EQ(base::hex_encode(out),
            "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
            "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923");
}

TEST(Blake2b, RejectsBadOutputSizes) {
  std::array<uint8_t, 65> big;
  std::array<uint8_t, 15> small;
  EXPECT_FALSE(blake2b({}, big));
  EXPECT_FALSE(blake2b({}, small));
}

}  // namespace
}  // namespace mw::crypto
