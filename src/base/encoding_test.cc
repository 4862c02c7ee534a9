// SPDX-License-Identifier: Apache-2.0
// Tests for the hex and base64 codecs: RFC 4648 §10 vectors, round trips and every reject path.
#include "base/encoding.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mw::base {
namespace {

std::vector<uint8_t> bytes_of(std::string_view s) {
  return std::vector<uint8_t>(s.begin(), s.end());
}

TEST(Hex, Rfc4648Section10) {
  EXPECT_EQ(hex_encode(bytes_of("")), "");
  EXPECT_EQ(hex_encode(bytes_of("f")), "66");
  EXPECT_EQ(hex_encode(bytes_of("foobar")), "666f6f626172");
  EXPECT_EQ(hex_decode("666F6F626172"), bytes_of("foobar"));
  EXPECT_EQ(hex_decode("666f6f626172"), bytes_of("foobar"));
  EXPECT_EQ(hex_decode(""), std::vector<uint8_t>{});
}

TEST(Hex, RoundTripsEveryByte) {
  std::vector<uint8_t> all(256);
  for (size_t i = 0; i < all.size(); ++i) all[i] = uint8_t(i);
  std::string text = hex_encode(all);
  EXPECT_EQ(text.substr(0, 8), "00010203");
  EXPECT_EQ(text.substr(text.size() - 4), "feff");
  EXPECT_EQ(hex_decode(text), all);
}

TEST(Hex, RejectsOddLengthAndBadCharacters) {
  EXPECT_FALSE(hex_decode("0"));
  EXPECT_FALSE(hex_decode("abc"));
  for (std::string_view bad : {"0g", "g0", "0x", " 0", "0 ", "-1", "+1", "0\n", "zz"}) {
    EXPECT_FALSE(hex_decode(bad)) << bad;
  }
  EXPECT_FALSE(hex_decode(std::string_view("0\0", 2)));
  // Characters just outside each accepted range.
  for (char c : {'/', ':', '@', 'G', '`', 'g'}) {
    std::string s = {'0', c};
    EXPECT_FALSE(hex_decode(s)) << s;
  }
}

TEST(Hex, DecodeExact) {
  std::array<uint8_t, 4> out{};
  EXPECT_TRUE(hex_decode_exact("deadBEEF", out));
  EXPECT_EQ(out, (std::array<uint8_t, 4>{0xde, 0xad, 0xbe, 0xef}));
  EXPECT_FALSE(hex_decode_exact("deadbe", out));
  EXPECT_FALSE(hex_decode_exact("deadbeef00", out));
  EXPECT_FALSE(hex_decode_exact("deadbeeg", out));
  std::array<uint8_t, 0> none{};
  EXPECT_TRUE(hex_decode_exact("", none));
  EXPECT_FALSE(hex_decode_exact("00", none));
}

// RFC 4648 §10 test vectors.
TEST(Base64, Rfc4648Section10) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(bytes_of(plain)), encoded);
    auto decoded = base64_decode(encoded);
    ASSERT_TRUE(decoded) << encoded;
    EXPECT_EQ(*decoded, bytes_of(plain)) << encoded;
  }
}

TEST(Base64, RoundTripsAllLengthsAndAlphabet) {
  std::vector<uint8_t> data;
  for (size_t n = 0; n < 70; ++n) {
    std::string text = base64_encode(data);
    EXPECT_EQ(text.size(), (n + 2) / 3 * 4);
    EXPECT_EQ(base64_decode(text), data) << n;
    data.push_back(uint8_t(n * 73 + 11));
  }
  // 0xfb 0xff 0xbf covers '+' and '/'.
  const uint8_t high[] = {0xfb, 0xff, 0xbf};
  EXPECT_EQ(base64_encode(high), "+/+/");
  EXPECT_EQ(base64_decode("+/+/"), std::vector<uint8_t>(high, high + 3));
}

TEST(Base64, WireGuardKey) {
  std::array<uint8_t, 32> key{};
  EXPECT_TRUE(base64_decode_exact("4Ot6fDtBuK4WVuP68Z/EatoJjeucMrH9hmIFFl9JuAA=", key));
  EXPECT_EQ(key[0], 0xe0);
  EXPECT_EQ(key[31], 0x00);
  EXPECT_EQ(base64_encode(key), "4Ot6fDtBuK4WVuP68Z/EatoJjeucMrH9hmIFFl9JuAA=");
  // Wrong decoded length.
  EXPECT_FALSE(base64_decode_exact("Zm9vYmFy", key));
  std::array<uint8_t, 31> short_key{};
  EXPECT_FALSE(base64_decode_exact("4Ot6fDtBuK4WVuP68Z/EatoJjeucMrH9hmIFFl9JuAA=", short_key));
}

TEST(Base64, RejectsBadCharacters) {
  for (std::string_view bad : {"Zm9*", "Zm9v!A==", "Zm 9", "Zm9v\n", "Zm-_"}) {
    EXPECT_FALSE(base64_decode(bad)) << bad;
  }
  EXPECT_FALSE(base64_decode(std::string_view("Zm9\0", 4)));
  // Bytes with the high bit set.
  EXPECT_FALSE(base64_decode("Zm9\xc3"));
}

TEST(Base64, RejectsBadPadding) {
  for (std::string_view bad : {
           "Zg",        // missing padding
           "Zg=",       // short padding
           "Zm8",       // missing padding
           "Z===",      // three pad characters
           "====",      // only padding
           "=Zg=",      // padding first
           "Zg=a",      // data after padding
           "Zm=v",      // padding in the middle of a quad
           "Zg==Zg==",  // padding before the last quad
           "Zm9vYg===",
           "Zm9vY",
       }) {
    EXPECT_FALSE(base64_decode(bad)) << bad;
  }
}

TEST(Base64, RejectsNonCanonicalTrailingBits) {
  // "f" is Zg==; Zh== .. Zv== decode to the same byte with non-zero dropped bits.
  for (std::string_view bad : {"Zh==", "Zi==", "Zv==", "Zm9=", "Zm+=", "Zm/="}) {
    EXPECT_FALSE(base64_decode(bad)) << bad;
  }
  EXPECT_TRUE(base64_decode("Zg=="));
  EXPECT_TRUE(base64_decode("Zm8="));
  // The all-ones WireGuard-key position: 43 characters then '='; the last character must leave
  // its two low bits zero.
  EXPECT_FALSE(base64_decode("4Ot6fDtBuK4WVuP68Z/EatoJjeucMrH9hmIFFl9JuAB="));
  EXPECT_TRUE(base64_decode("4Ot6fDtBuK4WVuP68Z/EatoJjeucMrH9hmIFFl9JuAE="));
}

}  // namespace
}  // namespace mw::base
