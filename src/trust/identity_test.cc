// SPDX-License-Identifier: Apache-2.0
// Tests for identity files (identity.key, identity.pub) and the derived WireGuard key.
#include "trust/identity.h"

#include <gtest/gtest.h>

#include <string>

#include "base/encoding.h"
#include "base/testing/test_values.h"
#include "crypto/x25519.h"
#include "trust/testing/identities.h"

namespace mw::trust {
namespace {

using testing::identity_from_byte;

std::string b64(const std::vector<uint8_t>& bytes) { return base::base64_encode(bytes); }

std::vector<uint8_t> secret_bytes(const Identity& id) {
  return std::vector<uint8_t>(id.secret.data(), id.secret.data() + 64);
}

TEST(IdentityTest, KeyFileRoundTrip) {
  const Identity id = generate_identity();
  const std::string text = encode_identity_key(id);
  ASSERT_EQ(text.size(), 89u);
  EXPECT_EQ(text.back(), '\n');
  auto parsed = parse_identity_key(text);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  EXPECT_EQ(parsed->public_key, id.public_key);
  EXPECT_EQ(secret_bytes(*parsed), secret_bytes(id));
  EXPECT_EQ(encode_identity_key(*parsed), text);
}

TEST(IdentityTest, PublicFileRoundTrip) {
  const Identity id = identity_from_byte(7);
  const std::string line = encode_public_key_line(id.public_key);
  ASSERT_EQ(line.size(), 45u);
  EXPECT_EQ(line, public_key_text(id.public_key) + "\n");
  auto parsed = parse_public_key(line);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  EXPECT_EQ(*parsed, id.public_key);
}

TEST(IdentityTest, SurroundingWhitespaceIsAllowed) {
  const Identity id = identity_from_byte(8);
  EXPECT_TRUE(parse_identity_key(" \t" + encode_identity_key(id) + "\r\n\n").ok());
  EXPECT_TRUE(parse_public_key("\r\n " + public_key_text(id.public_key) + " \r\n").ok());
}

TEST(IdentityTest, InnerWhitespaceIsRejected) {
  std::string text = public_key_text(identity_from_byte(8).public_key);
  text.insert(20, " ");
  EXPECT_FALSE(parse_public_key(text).ok());
}

TEST(IdentityTest, KeyFileWrongCharacterCount) {
  const std::string text = base::base64_encode(identity_from_byte(9).secret.span());
  auto short_key = parse_identity_key(text.substr(0, 87));
  ASSERT_FALSE(short_key.ok());
  EXPECT_EQ(short_key.error().message(), "invalid base64 identity key: 87 characters, want 88");
  auto long_key = parse_identity_key(text + "A");
  ASSERT_FALSE(long_key.ok());
  EXPECT_EQ(long_key.error().message(), "invalid base64 identity key: 89 characters, want 88");
  EXPECT_FALSE(parse_identity_key("").ok());
}

TEST(IdentityTest, KeyFileWrongByteCount) {
  std::vector<uint8_t> bytes = secret_bytes(identity_from_byte(9));
  std::vector<uint8_t> b63(bytes.begin(), bytes.end() - 1);
  auto r63 = parse_identity_key(b64(b63));
  ASSERT_FALSE(r63.ok());
  EXPECT_EQ(r63.error().message(), "invalid base64 identity key: 84 characters, want 88");
  std::vector<uint8_t> b65 = bytes;
  b65.push_back(0);
  ASSERT_EQ(b64(b65).size(), 88u);
  auto r65 = parse_identity_key(b64(b65));
  ASSERT_FALSE(r65.ok());
  EXPECT_EQ(r65.error().message(), "identity key decodes to 65 bytes, want 64");
}

TEST(IdentityTest, KeyFileNotBase64) {
  std::string text = encode_identity_key(identity_from_byte(10));
  text[10] = '!';
  auto r = parse_identity_key(text);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "invalid base64 in identity key");
  EXPECT_EQ(r.error().message().find(text.substr(0, 8)), std::string::npos);
}

TEST(IdentityTest, KeyFileMismatchingPublicHalf) {
  std::vector<uint8_t> bytes = secret_bytes(identity_from_byte(11));
  const PublicKey other = identity_from_byte(12).public_key;
  std::copy(other.begin(), other.end(), bytes.begin() + 32);
  auto r = parse_identity_key(b64(bytes));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "identity key's public half does not match its seed");
}

TEST(IdentityTest, PublicKeyWrongCharacterCount) {
  const std::string text = public_key_text(identity_from_byte(13).public_key);
  auto r43 = parse_public_key(text.substr(0, 43));
  ASSERT_FALSE(r43.ok());
  EXPECT_EQ(r43.error().message(), "invalid base64 public key: 43 characters, want 44");
  auto r45 = parse_public_key(text + "A");
  ASSERT_FALSE(r45.ok());
  EXPECT_EQ(r45.error().message(), "invalid base64 public key: 45 characters, want 44");
  // A long input is refused by its length before anything is decoded.
  EXPECT_FALSE(parse_public_key(std::string(100000, 'A')).ok());
}

TEST(IdentityTest, PublicKeyWrongByteCount) {
  const PublicKey key = identity_from_byte(13).public_key;
  std::vector<uint8_t> b31(key.begin(), key.end() - 1);
  ASSERT_EQ(b64(b31).size(), 44u);
  auto r31 = parse_public_key(b64(b31));
  ASSERT_FALSE(r31.ok());
  EXPECT_EQ(r31.error().message(), "public key decodes to 31 bytes, want 32");
  std::vector<uint8_t> b33(key.begin(), key.end());
  b33.push_back(1);
  ASSERT_EQ(b64(b33).size(), 44u);
  auto r33 = parse_public_key(b64(b33));
  ASSERT_FALSE(r33.ok());
  EXPECT_EQ(r33.error().message(), "public key decodes to 33 bytes, want 32");
}

TEST(IdentityTest, PublicKeyNotBase64) {
  std::string text = public_key_text(identity_from_byte(14).public_key);
  text[3] = '-';
  auto r = parse_public_key(text);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "invalid base64 in public key");
}

TEST(IdentityTest, SmallOrderPointsAreRefused) {
  // The neutral element (order 1), y = 0 (order 4) and y = -1 (order 2).
  for (const char* hex : {"0100000000000000000000000000000000000000000000000000000000000000",
                          "0000000000000000000000000000000000000000000000000000000000000000",
                          "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"}) {
    const PublicKey key = base::testing::array_from_hex<32>(hex);
    auto r = parse_public_key(public_key_text(key));
    ASSERT_FALSE(r.ok()) << hex;
    EXPECT_EQ(r.error().message(), "not a valid Ed25519 public key");
    EXPECT_FALSE(wireguard_public_key(key).has_value());
  }
}

TEST(IdentityTest, WireguardKeysMatch) {
  for (uint8_t n : {1, 2, 3}) {
    const Identity id = identity_from_byte(n);
    const auto wg = wireguard_public_key(id.public_key);
    ASSERT_TRUE(wg.has_value());
    EXPECT_EQ(*wg, crypto::x25519_public(wireguard_private_key(id)));
  }
  const Identity fresh = generate_identity();
  EXPECT_EQ(wireguard_public_key(fresh.public_key),
            crypto::x25519_public(wireguard_private_key(fresh)));
}

// RFC 8032 §7.1 TEST 1; the X25519 keys are what libsodium's crypto_sign_ed25519_pk_to_curve25519
// and crypto_sign_ed25519_sk_to_curve25519 give for it (computed once, hard-coded here).
TEST(IdentityTest, Rfc8032Test1KnownKeys) {
  const auto seed = base::testing::secret_from_hex<32>(
      "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  crypto::Ed25519Keypair kp = crypto::ed25519_from_seed(seed);
  const Identity id{kp.secret, kp.public_key};
  EXPECT_EQ(base::hex_encode(id.public_key),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  const auto wg = wireguard_public_key(id.public_key);
  ASSERT_TRUE(wg.has_value());
  EXPECT_EQ(base::hex_encode(*wg),
            "d85e07ec22b0ad881537c2f44d662d1a143cf830c57aca4305d85c7a90f6b62e");
  EXPECT_EQ(base::hex_encode(wireguard_private_key(id).span()),
            "307c83864f2833cb427a2ef1c00a013cfdff2768d980c0a3a520f006904de94f");
  // And through the file encodings.
  auto parsed = parse_identity_key(encode_identity_key(id));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->public_key, id.public_key);
  EXPECT_EQ(public_key_text(id.public_key), "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
}

}  // namespace
}  // namespace mw::trust
