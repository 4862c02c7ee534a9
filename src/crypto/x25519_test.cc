// SPDX-License-Identifier: Apache-2.0
// Known-answer tests for X25519: RFC 7748 §5.2 and §6.1, and the low-order points WireGuard
// rejects.
#include "crypto/x25519.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>

#include "base/encoding.h"
#include "base/testing/test_values.h"

namespace mw::crypto {
namespace {

constexpr auto public_from_hex = base::testing::array_from_hex<32>;
constexpr auto private_from_hex = base::testing::secret_from_hex<32>;
std::string hex(const SymmetricKey& k) { return base::hex_encode(k.span()); }
std::string hex(const PublicKey& k) { return base::hex_encode(k); }

// RFC 7748 §5.2: the two single-shot vectors. The scalars are not clamped and the second
// u-coordinate has its top bit set; X25519 must clamp the one and mask the other itself.
TEST(X25519, Rfc7748Section52Vectors) {
  struct Vector {
    const char* scalar;
    const char* u;
    const char* out;
  };
  const Vector vectors[] = {
      {"a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
       "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
       "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"},
      {"4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
       "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
       "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957"},
  };
  for (const Vector& v : vectors) {
    SymmetricKey out;
    ASSERT_TRUE(x25519(out, private_from_hex(v.scalar), public_from_hex(v.u)));
    EXPECT_EQ(hex(out), v.out);
  }
}

// RFC 7748 §5.2 iterated test: k = u = 9; each round k' = X25519(k, u), u' = k.
TEST(X25519, Rfc7748Section52Iterated) {
  PrivateKey k;
  k[0] = 9;
  PublicKey u{};
  u[0] = 9;
  SymmetricKey result;
  for (int i = 1; i <= 1000; ++i) {
    ASSERT_TRUE(x25519(result, k, u));
    std::copy(k.data(), k.data() + kKeyLen, u.begin());
    std::copy(result.data(), result.data() + kKeyLen, k.data());
    if (i == 1) {
      EXPECT_EQ(hex(result), "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079");
    }
  }
  EXPECT_EQ(hex(result), "684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51");
}

// RFC 7748 §6.1: Alice and Bob.
TEST(X25519, Rfc7748Section61DiffieHellman) {
  PrivateKey alice =
      private_from_hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
  PrivateKey bob =
      private_from_hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
  PublicKey alice_pub = x25519_public(alice);
  PublicKey bob_pub = x25519_public(bob);
  EXPECT_EQ(hex(alice_pub), "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
  EXPECT_EQ(hex(bob_pub), "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");

  SymmetricKey alice_shared, bob_shared;
  ASSERT_TRUE(x25519(alice_shared, alice, bob_pub));
  ASSERT_TRUE(x25519(bob_shared, bob, alice_pub));
  EXPECT_EQ(hex(alice_shared), "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
  EXPECT_EQ(hex(bob_shared), hex(alice_shared));
}

// The low-order points of the kernel's WireGuard selftest (tools/testing/selftests/wireguard/
// netns.sh): 0, 1, the two points of order 8, p - 1, p and p + 1. Each gives an all-zero shared
// secret, so x25519() must refuse it and leave no key material behind.
TEST(X25519, RejectsLowOrderPoints) {
  const char* const points[] = {
      "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
      "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
      "4Ot6fDtBuK4WVuP68Z/EatoJjeucMrH9hmIFFl9JuAA=",
      "X5yVvKNQjCSx0LFVnIPvWwREXMRYHI6G2CJO3dCfEVc=",
      "7P///////////////////////////////////////38=",
      "7f///////////////////////////////////////38=",
      "7v///////////////////////////////////////38=",
  };
  PrivateKey priv = x25519_generate();
  for (const char* b64 : points) {
    PublicKey point{};
    ASSERT_TRUE(base::base64_decode_exact(b64, point)) << b64;
    for (bool high_bit : {false, true}) {
      // The top bit of a u-coordinate is ignored (RFC 7748 §5), so it must not evade the check.
      if (high_bit) point[31] |= 0x80;
      SymmetricKey out;
      std::fill(out.data(), out.data() + kKeyLen, 0xa5);
      EXPECT_FALSE(x25519(out, priv, point)) << b64 << " high_bit=" << high_bit;
      EXPECT_TRUE(out.is_zero()) << b64 << " high_bit=" << high_bit;
    }
  }
}

TEST(X25519, ClampSetsAndClearsTheRightBits) {
  PrivateKey k;
  std::fill(k.data(), k.data() + kKeyLen, 0xff);
  x25519_clamp(k);
  EXPECT_EQ(k[0], 0xf8);
  EXPECT_EQ(k[31], 0x7f);
  for (size_t i = 1; i < 31; ++i) EXPECT_EQ(k[i], 0xff);

  PrivateKey z;
  x25519_clamp(z);
  EXPECT_EQ(z[0], 0x00);
  EXPECT_EQ(z[31], 0x40);
}

TEST(X25519, PublicKeyIgnoresClampedBits) {
  // X25519 clamps internally, so the three low bits and the top two bits of the scalar must
  // not change the public key.
  PrivateKey k =
      private_from_hex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4");
  PrivateKey clamped = k;
  x25519_clamp(clamped);
  EXPECT_NE(hex(k), hex(clamped));
  EXPECT_EQ(hex(x25519_public(k)), hex(x25519_public(clamped)));
}

TEST(X25519, GeneratedKeysAreClampedAndAgree) {
  for (int i = 0; i < 16; ++i) {
    PrivateKey a = x25519_generate();
    PrivateKey b = x25519_generate();
    EXPECT_EQ(a[0] & 7, 0);
    EXPECT_EQ(a[31] & 0xc0, 0x40);
    SymmetricKey ab, ba;
    ASSERT_TRUE(x25519(ab, a, x25519_public(b)));
    ASSERT_TRUE(x25519(ba, b, x25519_public(a)));
    EXPECT_EQ(hex(ab), hex(ba));
    EXPECT_FALSE(ab.is_zero());
  }
}

}  // namespace
}  // namespace mw::crypto
