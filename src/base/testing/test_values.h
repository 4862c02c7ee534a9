// SPDX-License-Identifier: Apache-2.0
// Helpers that turn the hex and word forms of test vectors into values; a malformed vector
// fails the calling test rather than yielding garbage.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/encoding.h"
#include "base/ip_address.h"
#include "base/secret.h"

namespace mw::base::testing {

inline std::vector<uint8_t> unhex(std::string_view hex) {
  auto v = hex_decode(hex);
  EXPECT_TRUE(v.has_value()) << "bad hex in a test vector: " << hex;
  return v.value_or(std::vector<uint8_t>{});
}

template <size_t N>
std::array<uint8_t, N> array_from_hex(std::string_view hex) {
  std::array<uint8_t, N> a{};
  EXPECT_TRUE(hex_decode_exact(hex, a)) << "want " << N << " bytes of hex: " << hex;
  return a;
}

template <size_t N>
Secret<N> secret_from_hex(std::string_view hex) {
  Secret<N> s;
  EXPECT_TRUE(hex_decode_exact(hex, s.span())) << "want " << N << " bytes of hex: " << hex;
  return s;
}

// An IPv6 address from four big-endian 32-bit words, as the kernel selftests write them.
inline IpAddress ipv6_from_words(uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
  std::array<uint8_t, 16> x{};
  store_u32be(x.data(), a);
  store_u32be(x.data() + 4, b);
  store_u32be(x.data() + 8, c);
  store_u32be(x.data() + 12, d);
  return IpAddress::v6(x);
}

}  // namespace mw::base::testing
