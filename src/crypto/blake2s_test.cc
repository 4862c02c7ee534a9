// SPDX-License-Identifier: Apache-2.0
// Known-answer tests for BLAKE2s (RFC 7693, BLAKE2 reference KAT) and WireGuard's MAC, HMAC and
// KDF built on it (wireguard-go device/kdf_test.go).
#include "crypto/blake2s.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/encoding.h"
#include "base/testing/test_values.h"

namespace mw::crypto {
namespace {

base::Bytes text(std::string_view s) {
  return base::Bytes(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

using base::testing::unhex;
std::vector<uint8_t> counting(size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = uint8_t(i);
  return v;
}

// RFC 7693 Appendix B, and the empty string.
TEST(Blake2s, Rfc7693AppendixB) {
  EXPECT_EQ(base::hex_encode(blake2s256(text("abc"))),
            "508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982");
  EXPECT_EQ(base::hex_encode(blake2s256(text(""))),
            "69217a3079908094e11121d042354a7c1f55b6482ca1a51e1b250dfd1ed0eef9");
  EXPECT_EQ(base::hex_encode(blake2s256(base::Bytes())),
            "69217a3079908094e11121d042354a7c1f55b6482ca1a51e1b250dfd1ed0eef9");
}

// Unkeyed entries of testvectors/blake2-kat.json (BLAKE2/BLAKE2): input 00 01 02 ... of length n.
TEST(Blake2s, ReferenceKatUnkeyed) {
  struct Kat {
    size_t len;
    const char* hash;
  };
  const Kat kats[] = {
      {0, "69217a3079908094e11121d042354a7c1f55b6482ca1a51e1b250dfd1ed0eef9"},
      {1, "e34d74dbaf4ff4c6abd871cc220451d2ea2648846c7757fbaac82fe51ad64bea"},
      {64, "56f34e8b96557e90c1f24b52d0c89d51086acf1b00f634cf1dde9233b8eaaa3e"},
      {255, "f03f5789d3336b80d002d59fdf918bdb775b00956ed5528e86aa994acb38fe2d"},
  };
  for (const Kat& k : kats) {
    EXPECT_EQ(base::hex_encode(blake2s256(counting(k.len))), k.hash) << "len " << k.len;
  }
}

// Keyed entries of the reference KAT (blake2s-kat.txt / blake2-kat.json): key 00..1f, input
// 00 01 02 ... of length n, 32-byte output.
TEST(Blake2s, ReferenceKatKeyed) {
  struct Kat {
    size_t len;
    const char* hash;
  };
  const Kat kats[] = {
      {0, "48a8997da407876b3d79c0d92325ad3b89cbb754d86ab71aee047ad345fd2c49"},
      {1, "40d15fee7c328830166ac3f918650f807e7e01e177258cdc0a39b11f598066f1"},
      {2, "6bb71300644cd3991b26ccd4d274acd1adeab8b1d7914546c1198bbe9fc9d803"},
      {3, "1d220dbe2ee134661fdf6d9e74b41704710556f2f6e5a091b227697445dbea6b"},
      {31, "b6156f72d380ee9ea6acd190464f2307a5c179ef01fd71f99f2d0f7a57360aea"},
      {32, "c03bc642b20959cbe133a0303e0c1abff3e31ec8e1a328ec8565c36decff5265"},
      {33, "2c3e08176f760c6264c3a2cd66fec6c3d78de43fc192457b2a4a660a1e0eb22b"},
      {63, "c65382513f07460da39833cb666c5ed82e61b9e998f4b0c4287cee56c3cc9bcd"},
      {64, "8975b0577fd35566d750b362b0897a26c399136df07bababbde6203ff2954ed4"},
      {65, "21fe0ceb0052be7fb0f004187cacd7de67fa6eb0938d927677f2398c132317a8"},
      {127, "ddbfea75cc467882eb3483ce5e2e756a4f4701b76b445519e89f22d60fa86e06"},
      {128, "0c311f38c35a4fb90d651c289d486856cd1413df9b0677f53ece2cd9e477c60a"},
      {129, "46a73a8dd3e70f59d3942c01df599def783c9da82fd83222cd662b53dce7dbdf"},
      {255, "3fb735061abc519dfe979e54c1ee5bfad0a9d858b3315bad34bde999efd724dd"},
  };
  std::vector<uint8_t> key = counting(32);
  for (const Kat& k : kats) {
    std::vector<uint8_t> in = counting(k.len);
    Hash out{};
    ASSERT_TRUE(blake2s_keyed(key, {in}, out)) << "len " << k.len;
    EXPECT_EQ(base::hex_encode(out), k.hash) << "len " << k.len;
  }
}

TEST(Blake2s, MultiPartEqualsOneShot) {
  std::vector<uint8_t> data = counting(255);
  Hash one = blake2s256(data);
  for (size_t cut1 : {0u, 1u, 63u, 64u, 65u, 128u, 200u, 255u}) {
    for (size_t cut2 : {cut1, size_t(cut1 + (255 - cut1) / 2), size_t(255)}) {
      base::Bytes all(data);
      Hash parts =
          blake2s256({all.subspan(0, cut1), all.subspan(cut1, cut2 - cut1), all.subspan(cut2)});
      EXPECT_EQ(parts, one) << cut1 << "," << cut2;
    }
  }
  // Keyed, too.
  std::vector<uint8_t> key = counting(32);
  Hash keyed_one{}, keyed_parts{};
  ASSERT_TRUE(blake2s_keyed(key, {data}, keyed_one));
  base::Bytes all(data);
  ASSERT_TRUE(
      blake2s_keyed(key, {all.subspan(0, 64), all.subspan(64, 1), all.subspan(65)}, keyed_parts));
  EXPECT_EQ(keyed_parts, keyed_one);
  EXPECT_EQ(base::hex_encode(keyed_one),
            "3fb735061abc519dfe979e54c1ee5bfad0a9d858b3315bad34bde999efd724dd");
}

// WireGuard's MAC is keyed BLAKE2s with a 16-byte digest length: the output length is part of
// the parameter block, so it is not a truncation of the 32-byte keyed hash.
TEST(Blake2s, WgMacIsKeyedBlake2s128) {
  std::vector<uint8_t> key = counting(32);
  Mac mac = wg_mac(key, text("msg"));
  // Reference value from an independent implementation (CPython hashlib.blake2s with
  // digest_size=16, key=00..1f).
  EXPECT_EQ(base::hex_encode(mac), "122ba20ff0357deadbbd8c905ff959fd");
  EXPECT_EQ(wg_mac(key, text("msg")), mac);

  Mac via_keyed{};
  ASSERT_TRUE(blake2s_keyed(key, {text("m"), text("sg")}, via_keyed));
  EXPECT_EQ(via_keyed, mac);

  Hash full{};
  ASSERT_TRUE(blake2s_keyed(key, {text("msg")}, full));
  EXPECT_NE(base::hex_encode(full).substr(0, 32), base::hex_encode(mac));

  std::vector<uint8_t> other_key = key;
  other_key[0] ^= 1;
  EXPECT_NE(wg_mac(other_key, text("msg")), mac);
  EXPECT_NE(wg_mac(key, text("msh")), mac);
}

TEST(Blake2s, KeyedRejectsBadSizes) {
  std::vector<uint8_t> data = counting(10);
  Hash out{};
  std::vector<uint8_t> key33(33), key32(32), key1(1);
  EXPECT_FALSE(blake2s_keyed(base::Bytes(), {data}, out));
  EXPECT_FALSE(blake2s_keyed(key33, {data}, out));
  EXPECT_TRUE(blake2s_keyed(key32, {data}, out));
  EXPECT_TRUE(blake2s_keyed(key1, {data}, out));
  std::vector<uint8_t> out33(33);
  EXPECT_FALSE(blake2s_keyed(key32, {data}, out33));
  EXPECT_FALSE(blake2s_keyed(key32, {data}, base::MutableBytes()));
  std::vector<uint8_t> out1(1);
  EXPECT_TRUE(blake2s_keyed(key32, {data}, out1));
  // Failed calls leave the per-thread context usable.
  Mac after{};
  ASSERT_TRUE(blake2s_keyed(counting(32), {text("msg")}, after));
  EXPECT_EQ(base::hex_encode(after), "122ba20ff0357deadbbd8c905ff959fd");
}

// wireguard-go device/kdf_test.go TestKDF. Go's KDF3(&t0, &t1, &t2, key, input) names its three
// outputs t0..t2; our wg_kdf names the same outputs t1..t3 (the Noise spec's names) and keeps
// the HMAC of the input internal.
TEST(Blake2s, WgKdfMatchesWireguardGo) {
  struct Vector {
    const char* key;
    const char* input;
    const char* t1;
    const char* t2;
    const char* t3;
  };
  const Vector vectors[] = {
      {"746573742d6b6579", "746573742d696e707574",
       "6f0e5ad38daba1bea8a0d213688736f19763239305e0f58aba697f9ffc41c633",
       "df1194df20802a4fe594cde27e92991c8cae66c366e8106aaa937a55fa371e8a",
       "fac6e2745a325f5dc5d11a5b165aad08b0ada28e7b4e666b7c077934a4d76c24"},
      {"776972656775617264", "776972656775617264",
       "491d43bbfdaa8750aaf535e334ecbfe5129967cd64635101c566d4caefda96e8",
       "1e71a379baefd8a79aa4662212fcafe19a23e2b609a3db7d6bcba8f560e3d25f",
       "31e1ae48bddfbe5de38f295e5452b1909a1b4e38e183926af3780b0c1e1f0160"},
      {"", "", "8387b46bf43eccfcf349552a095d8315c4055beb90208fb1be23b894bc2ed5d0",
       "58a0e5f6faefccf4807bff1f05fa8a9217945762040bcec2f4b4a62bdfe0e86e",
       "0ce6ea98ec548f8e281e93e32db65621c45eb18dc6f0a7ad94178610a2f7338e"},
  };
  for (const Vector& v : vectors) {
    std::vector<uint8_t> key = unhex(v.key);
    std::vector<uint8_t> input = unhex(v.input);
    base::Secret<32> t1, t2, t3;
    wg_kdf(key, input, &t1, &t2, &t3);
    EXPECT_EQ(base::hex_encode(t1.span()), v.t1);
    EXPECT_EQ(base::hex_encode(t2.span()), v.t2);
    EXPECT_EQ(base::hex_encode(t3.span()), v.t3);

    // KDF2 and KDF1: fewer outputs, same prefix.
    base::Secret<32> k1, k2;
    wg_kdf(key, input, &k1, &k2, nullptr);
    EXPECT_EQ(base::hex_encode(k1.span()), v.t1);
    EXPECT_EQ(base::hex_encode(k2.span()), v.t2);
    base::Secret<32> only1;
    wg_kdf(key, input, &only1, nullptr, nullptr);
    EXPECT_EQ(base::hex_encode(only1.span()), v.t1);
    // Asking for t2 alone still derives it from t1.
    base::Secret<32> only2;
    wg_kdf(key, input, nullptr, &only2, nullptr);
    EXPECT_EQ(base::hex_encode(only2.span()), v.t2);
  }
}

TEST(Blake2s, HmacKeyLongerThanABlockIsHashedFirst) {
  std::vector<uint8_t> long_key = counting(100);
  base::Bytes msg = text("meshward hmac long key");
  Hash h = hmac_blake2s(long_key, msg);
  // RFC 2104: K = H(K) when K is longer than the 64-byte block.
  EXPECT_EQ(h, hmac_blake2s(blake2s256(long_key), msg));
  // Reference value from an independent implementation (CPython hmac with hashlib.blake2s).
  EXPECT_EQ(base::hex_encode(h),
            "db709079d173fa9ac7924d2c7abd734c5ad9536db545555178ba806df78e91b8");
  // A key of exactly one block is used as is.
  std::vector<uint8_t> block_key = counting(64);
  Hash b = hmac_blake2s(block_key, msg);
  EXPECT_EQ(base::hex_encode(b),
            "38459708b9c70bc7185678feffe6fdaac8f566029143ca92db542ba58d088ef7");
  EXPECT_NE(b, hmac_blake2s(blake2s256(block_key), msg));
}

}  // namespace
}  // namespace mw::crypto
