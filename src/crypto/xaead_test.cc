// SPDX-License-Identifier: Apache-2.0
// Known-answer and tamper tests for XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha-03 §A.3.1).
#include "crypto/xaead.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/encoding.h"

namespace mw::crypto {
namespace {

bool all_zero(base::Bytes b) {
  for (uint8_t x : b)
    if (x != 0) return false;
  return true;
}

// draft-irtf-cfrg-xchacha-03 Appendix A.3.1.
struct DraftVector {
  DraftVector() {
    for (size_t i = 0; i < key.size(); ++i) key[i] = uint8_t(0x80 + i);
    for (size_t i = 0; i < nonce.size(); ++i) nonce[i] = uint8_t(0x40 + i);
    aad = base::hex_decode("50515253c0c1c2c3c4c5c6c7").value();
  }
  std::vector<uint8_t> key = std::vector<uint8_t>(32);
  XAeadNonce nonce{};
  std::vector<uint8_t> aad;
  std::string_view plaintext =
      "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the "
      "future, sunscreen would be it.";
  std::string ciphertext_hex =
      "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb"
      "731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452"
      "2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9"
      "21f9664c97637da9768812f615c68b13b52e";
  std::string tag_hex = "c0875924c1c7987947deafd8780acf49";

  base::Bytes plain() const {
    return base::Bytes(reinterpret_cast<const uint8_t*>(plaintext.data()), plaintext.size());
  }
};

TEST(XAead, DraftAppendixA31Seal) {
  DraftVector v;
  ASSERT_EQ(v.plaintext.size(), 114u);
  std::vector<uint8_t> out(v.plaintext.size() + kAeadTagLen);
  ASSERT_TRUE(xaead_seal(v.key, v.nonce, v.plain(), v.aad, out));
  EXPECT_EQ(base::hex_encode(out), v.ciphertext_hex + v.tag_hex);

  std::vector<uint8_t> back(v.plaintext.size());
  ASSERT_TRUE(xaead_open(v.key, v.nonce, out, v.aad, back));
  EXPECT_EQ(std::string(back.begin(), back.end()), v.plaintext);
}

TEST(XAead, SealAndOpenInPlace) {
  DraftVector v;
  std::vector<uint8_t> buf(v.plaintext.size() + kAeadTagLen);
  std::copy(v.plaintext.begin(), v.plaintext.end(), buf.begin());
  ASSERT_TRUE(xaead_seal(v.key, v.nonce, base::Bytes(buf.data(), v.plaintext.size()), v.aad, buf));
  EXPECT_EQ(base::hex_encode(buf), v.ciphertext_hex + v.tag_hex);
  ASSERT_TRUE(
      xaead_open(v.key, v.nonce, buf, v.aad, base::MutableBytes(buf.data(), v.plaintext.size())));
  EXPECT_EQ(std::string(buf.begin(), buf.begin() + long(v.plaintext.size())), v.plaintext);
}

// A WireGuard cookie reply seals a 16-byte cookie with mac1 as AAD.
TEST(XAead, CookieSizedRoundTrip) {
  DraftVector v;
  std::vector<uint8_t> cookie(16, 0x5c);
  std::vector<uint8_t> mac1(16, 0x77);
  std::vector<uint8_t> sealed(32);
  ASSERT_TRUE(xaead_seal(v.key, v.nonce, cookie, mac1, sealed));
  std::vector<uint8_t> back(16);
  ASSERT_TRUE(xaead_open(v.key, v.nonce, sealed, mac1, back));
  EXPECT_EQ(back, cookie);
}

TEST(XAead, EveryBitFlipFailsAndZeroesOutput) {
  DraftVector v;
  std::vector<uint8_t> sealed(v.plaintext.size() + kAeadTagLen);
  ASSERT_TRUE(xaead_seal(v.key, v.nonce, v.plain(), v.aad, sealed));
  std::vector<uint8_t> out(v.plaintext.size());

  for (size_t bit = 0; bit < sealed.size() * 8; ++bit) {
    std::vector<uint8_t> bad = sealed;
    bad[bit / 8] ^= uint8_t(1u << (bit % 8));
    std::fill(out.begin(), out.end(), 0xa5);
    ASSERT_FALSE(xaead_open(v.key, v.nonce, bad, v.aad, out)) << "sealed bit " << bit;
    ASSERT_TRUE(all_zero(out)) << "sealed bit " << bit;
  }
  for (size_t bit = 0; bit < v.aad.size() * 8; ++bit) {
    std::vector<uint8_t> bad_aad = v.aad;
    bad_aad[bit / 8] ^= uint8_t(1u << (bit % 8));
    std::fill(out.begin(), out.end(), 0xa5);
    ASSERT_FALSE(xaead_open(v.key, v.nonce, sealed, bad_aad, out)) << "aad bit " << bit;
    ASSERT_TRUE(all_zero(out)) << "aad bit " << bit;
  }
  // The 192-bit nonce is authenticated in full, including the bytes past the HChaCha20 input.
  for (size_t bit = 0; bit < v.nonce.size() * 8; ++bit) {
    XAeadNonce bad_nonce = v.nonce;
    bad_nonce[bit / 8] ^= uint8_t(1u << (bit % 8));
    ASSERT_FALSE(xaead_open(v.key, bad_nonce, sealed, v.aad, out)) << "nonce bit " << bit;
  }
  ASSERT_TRUE(xaead_open(v.key, v.nonce, sealed, v.aad, out));
  EXPECT_EQ(std::string(out.begin(), out.end()), v.plaintext);
}

TEST(XAead, WrongSizesAreRejected) {
  DraftVector v;
  std::vector<uint8_t> out(v.plaintext.size() + kAeadTagLen);
  std::vector<uint8_t> short_key(31);
  EXPECT_FALSE(xaead_seal(short_key, v.nonce, v.plain(), v.aad, out));
  EXPECT_FALSE(
      xaead_seal(v.key, v.nonce, v.plain(), v.aad, base::MutableBytes(out.data(), out.size() - 1)));
  ASSERT_TRUE(xaead_seal(v.key, v.nonce, v.plain(), v.aad, out));
  std::vector<uint8_t> back(v.plaintext.size());
  EXPECT_FALSE(xaead_open(short_key, v.nonce, out, v.aad, back));
  EXPECT_FALSE(xaead_open(v.key, v.nonce, out, v.aad, base::MutableBytes(back.data(), 1)));
  EXPECT_FALSE(xaead_open(v.key, v.nonce, base::Bytes(out.data(), kAeadTagLen - 1), v.aad, {}));
}

}  // namespace
}  // namespace mw::crypto
