// SPDX-License-Identifier: Apache-2.0
// Known-answer tests for Ed25519 (RFC 8032 §7.1), strict verification and the X25519 conversion.
#include "crypto/ed25519.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/encoding.h"
#include "base/testing/test_values.h"
#include "crypto/x25519.h"

namespace mw::crypto {
namespace {

using base::testing::unhex;
constexpr auto public_from_hex = base::testing::array_from_hex<32>;
constexpr auto seed_from_hex = base::testing::secret_from_hex<32>;
Ed25519Signature signature_from_hex(std::string_view hex) {
  Ed25519Signature s{};
  EXPECT_TRUE(base::hex_decode_exact(hex, s)) << hex;
  return s;
}

struct Rfc8032Vector {
  const char* secret;
  const char* public_key;
  const char* message;
  const char* signature;
};

// RFC 8032 §7.1 TEST 1, TEST 2 and TEST 3.
const Rfc8032Vector kRfc8032[] = {
    {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
     "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
    {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
     "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
    {"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
     "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"},
};

// The eight small-order points of edwards25519 (orders 1, 2, 4 and 8).
const char* const kSmallOrderPoints[] = {
    "0100000000000000000000000000000000000000000000000000000000000000",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000080",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
};

TEST(Ed25519, Rfc8032Section71Vectors) {
  for (const Rfc8032Vector& v : kRfc8032) {
    Ed25519Keypair kp = ed25519_from_seed(seed_from_hex(v.secret));
    EXPECT_EQ(base::hex_encode(kp.public_key), v.public_key);
    // libsodium's secret key layout: seed || public key.
    EXPECT_EQ(base::hex_encode(kp.secret.span()), std::string(v.secret) + v.public_key);

    std::vector<uint8_t> message = unhex(v.message);
    Ed25519Signature sig = ed25519_sign(kp.secret, message);
    EXPECT_EQ(base::hex_encode(sig), v.signature);
    EXPECT_TRUE(
        ed25519_verify(public_from_hex(v.public_key), message, signature_from_hex(v.signature)));
  }
}

TEST(Ed25519, VerifyRejectsEverySingleBitFlip) {
  for (const Rfc8032Vector& v : kRfc8032) {
    PublicKey pk = public_from_hex(v.public_key);
    std::vector<uint8_t> message = unhex(v.message);
    Ed25519Signature sig = signature_from_hex(v.signature);
    ASSERT_TRUE(ed25519_verify(pk, message, sig));

    for (size_t bit = 0; bit < message.size() * 8; ++bit) {
      std::vector<uint8_t> bad = message;
      bad[bit / 8] ^= uint8_t(1u << (bit % 8));
      EXPECT_FALSE(ed25519_verify(pk, bad, sig)) << v.public_key << " message bit " << bit;
    }
    for (size_t bit = 0; bit < sig.size() * 8; ++bit) {
      Ed25519Signature bad = sig;
      bad[bit / 8] ^= uint8_t(1u << (bit % 8));
      EXPECT_FALSE(ed25519_verify(pk, message, bad)) << v.public_key << " signature bit " << bit;
    }
    for (size_t bit = 0; bit < pk.size() * 8; ++bit) {
      PublicKey bad = pk;
      bad[bit / 8] ^= uint8_t(1u << (bit % 8));
      EXPECT_FALSE(ed25519_verify(bad, message, sig)) << v.public_key << " key bit " << bit;
    }
    // An extra byte is a different message.
    std::vector<uint8_t> longer = message;
    longer.push_back(0);
    EXPECT_FALSE(ed25519_verify(pk, longer, sig));
  }
}

// S and S + L are the same scalar mod L, so only a strict verifier tells them apart
// (RFC 8032 §5.1.7 requires 0 <= S < L).
TEST(Ed25519, VerifyRejectsNonCanonicalS) {
  // L = 2^252 + 27742317777372353535851937790883648493, little-endian.
  std::vector<uint8_t> order =
      unhex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
  for (const Rfc8032Vector& v : kRfc8032) {
    PublicKey pk = public_from_hex(v.public_key);
    std::vector<uint8_t> message = unhex(v.message);
    Ed25519Signature sig = signature_from_hex(v.signature);
    Ed25519Signature malleated = sig;
    unsigned carry = 0;
    for (size_t i = 0; i < 32; ++i) {
      unsigned sum = unsigned(sig[32 + i]) + order[i] + carry;
      malleated[32 + i] = uint8_t(sum);
      carry = sum >> 8;
    }
    ASSERT_EQ(carry, 0u);  // S + L still fits in 256 bits for these vectors
    EXPECT_NE(malleated, sig);
    EXPECT_FALSE(ed25519_verify(pk, message, malleated)) << v.public_key;
    EXPECT_TRUE(ed25519_verify(pk, message, sig));
  }
}

TEST(Ed25519, SmallOrderPointsAreNotValidPublicKeys) {
  for (const char* hex : kSmallOrderPoints) {
    PublicKey p = public_from_hex(hex);
    EXPECT_FALSE(ed25519_is_valid_public(p)) << hex;
    EXPECT_FALSE(ed25519_public_to_x25519(p).has_value()) << hex;
    // A small-order key must not verify anything, not even an identity-based forgery.
    Ed25519Signature forged{};
    forged[0] = 1;  // R = identity, S = 0
    EXPECT_FALSE(ed25519_verify(p, std::vector<uint8_t>{1, 2, 3}, forged)) << hex;
  }
}

TEST(Ed25519, InvalidEncodingsAreNotValidPublicKeys) {
  const char* const invalid[] = {
      // y = 2 is not on the curve: (y^2 - 1) / (d y^2 + 1) has no square root.
      "0200000000000000000000000000000000000000000000000000000000000000",
      // y = p and y = p + 1: non-canonical encodings of 0 and 1.
      "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
      "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
      "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
  };
  for (const char* hex : invalid) {
    PublicKey p = public_from_hex(hex);
    EXPECT_FALSE(ed25519_is_valid_public(p)) << hex;
    EXPECT_FALSE(ed25519_public_to_x25519(p).has_value()) << hex;
  }
}

TEST(Ed25519, RealKeysAreValid) {
  for (const Rfc8032Vector& v : kRfc8032) {
    EXPECT_TRUE(ed25519_is_valid_public(public_from_hex(v.public_key))) << v.public_key;
  }
  for (int i = 0; i < 16; ++i) {
    Ed25519Keypair kp = ed25519_generate();
    EXPECT_TRUE(ed25519_is_valid_public(kp.public_key));
    std::vector<uint8_t> message = {uint8_t(i), 1, 2, 3};
    Ed25519Signature sig = ed25519_sign(kp.secret, message);
    EXPECT_TRUE(ed25519_verify(kp.public_key, message, sig));
  }
}

TEST(Ed25519, ToX25519FixedVector) {
  // RFC 8032 TEST 1 converted. Reference values computed independently: the X25519 public key
  // of the clamped SHA-512(seed)[0..32) scalar, and u = (1 + y) / (1 - y) of the Edwards key.
  Ed25519Keypair kp = ed25519_from_seed(seed_from_hex(kRfc8032[0].secret));
  PrivateKey x_secret = ed25519_secret_to_x25519(kp.secret);
  EXPECT_EQ(base::hex_encode(x_secret.span()),
            "307c83864f2833cb427a2ef1c00a013cfdff2768d980c0a3a520f006904de94f");
  std::optional<PublicKey> x_public = ed25519_public_to_x25519(kp.public_key);
  ASSERT_TRUE(x_public.has_value());
  EXPECT_EQ(base::hex_encode(*x_public),
            "d85e07ec22b0ad881537c2f44d662d1a143cf830c57aca4305d85c7a90f6b62e");
  EXPECT_EQ(*x_public, x25519_public(x_secret));
}

TEST(Ed25519, ToX25519AgreesForRandomKeys) {
  for (int i = 0; i < 32; ++i) {
    Ed25519Keypair a = ed25519_generate();
    Ed25519Keypair b = ed25519_generate();
    std::optional<PublicKey> a_x = ed25519_public_to_x25519(a.public_key);
    std::optional<PublicKey> b_x = ed25519_public_to_x25519(b.public_key);
    ASSERT_TRUE(a_x.has_value() && b_x.has_value());
    PrivateKey a_priv = ed25519_secret_to_x25519(a.secret);
    PrivateKey b_priv = ed25519_secret_to_x25519(b.secret);
    EXPECT_EQ(*a_x, x25519_public(a_priv));
    EXPECT_EQ(*b_x, x25519_public(b_priv));
    // The converted keys are clamped and agree on a shared secret.
    EXPECT_EQ(a_priv[0] & 7, 0);
    EXPECT_EQ(a_priv[31] & 0xc0, 0x40);
    SymmetricKey ab, ba;
    ASSERT_TRUE(x25519(ab, a_priv, *b_x));
    ASSERT_TRUE(x25519(ba, b_priv, *a_x));
    EXPECT_EQ(base::hex_encode(ab.span()), base::hex_encode(ba.span()));
  }
}

}  // namespace
}  // namespace mw::crypto
