// SPDX-License-Identifier: Apache-2.0
// Known-answer and tamper tests for ChaCha20-Poly1305 (RFC 8439 §2.8.2 and Appendix A.5), for
// the free functions and the keyed AeadKey, which is checked against the free functions, and
// both against OpenSSL's own ChaCha20-Poly1305 AEAD object as an independent reference.
#include "crypto/aead.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "base/encoding.h"
#include "base/testing/test_values.h"

namespace mw::crypto {
namespace {

using base::testing::unhex;
std::vector<uint8_t> bytes_of(std::string_view text) {
  return std::vector<uint8_t>(text.begin(), text.end());
}

AeadNonce nonce_from_hex(std::string_view hex) {
  AeadNonce n{};
  EXPECT_TRUE(base::hex_decode_exact(hex, n));
  return n;
}

bool all_zero(base::Bytes b) {
  for (uint8_t x : b)
    if (x != 0) return false;
  return true;
}

std::vector<uint8_t> key_80_to_9f() {
  std::vector<uint8_t> k(32);
  for (size_t i = 0; i < k.size(); ++i) k[i] = uint8_t(0x80 + i);
  return k;
}

constexpr std::string_view kSunscreen =
    "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, "
    "sunscreen would be it.";

// RFC 8439 §2.8.2.
struct Rfc8439Seal {
  std::vector<uint8_t> key = key_80_to_9f();
  AeadNonce nonce = nonce_from_hex("070000004041424344454647");
  std::vector<uint8_t> aad = unhex("50515253c0c1c2c3c4c5c6c7");
  std::vector<uint8_t> plaintext = bytes_of(kSunscreen);
  std::string ciphertext_hex =
      "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
      "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
      "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
      "3ff4def08e4b7a9de576d26586cec64b6116";
  std::string tag_hex = "1ae10b594f09e26a7e902ecbd0600691";
};

TEST(Aead, Rfc8439Section282Seal) {
  Rfc8439Seal v;
  ASSERT_EQ(v.plaintext.size(), 114u);
  std::vector<uint8_t> out(v.plaintext.size() + kAeadTagLen);
  ASSERT_TRUE(aead_seal(v.key, v.nonce, v.plaintext, v.aad, out));
  EXPECT_EQ(base::hex_encode(out), v.ciphertext_hex + v.tag_hex);

  std::vector<uint8_t> back(v.plaintext.size());
  ASSERT_TRUE(aead_open(v.key, v.nonce, out, v.aad, back));
  EXPECT_EQ(back, v.plaintext);
}

// RFC 8439 Appendix A.5: decryption of a 265-byte message.
TEST(Aead, Rfc8439AppendixA5Open) {
  std::vector<uint8_t> key =
      unhex("1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0");
  AeadNonce nonce = nonce_from_hex("000000000102030405060708");
  std::vector<uint8_t> aad = unhex("f33388860000000000004e91");
  std::vector<uint8_t> sealed = unhex(
      "64a0861575861af460f062c79be643bd5e805cfd345cf389f108670ac76c8cb2"
      "4c6cfc18755d43eea09ee94e382d26b0bdb7b73c321b0100d4f03b7f355894cf"
      "332f830e710b97ce98c8a84abd0b948114ad176e008d33bd60f982b1ff37c855"
      "9797a06ef4f0ef61c186324e2b3506383606907b6a7c02b0f9f6157b53c867e4"
      "b9166c767b804d46a59b5216cde7a4e99040c5a40433225ee282a1b0a06c523e"
      "af4534d7f83fa1155b0047718cbc546a0d072b04b3564eea1b422273f548271a"
      "0bb2316053fa76991955ebd63159434ecebb4e466dae5a1073a6727627097a10"
      "49e617d91d361094fa68f0ff77987130305beaba2eda04df997b714d6c6f2c29"
      "a6ad5cb4022b02709b"
      "eead9d67890cbb22392336fea1851f38");
  ASSERT_EQ(sealed.size(), 265u + kAeadTagLen);
  std::vector<uint8_t> expected = bytes_of(
      "Internet-Drafts are draft documents valid for a maximum of six months and may be "
      "updated, replaced, or obsoleted by other documents at any time. It is inappropriate to "
      "use Internet-Drafts as reference material or to cite them other than as "
      "/\xe2\x80\x9cwork in progress./\xe2\x80\x9d");
  ASSERT_EQ(expected.size(), 265u);

  std::vector<uint8_t> out(265);
  ASSERT_TRUE(aead_open(key, nonce, sealed, aad, out));
  EXPECT_EQ(out, expected);

  // Sealing the plaintext again gives back the exact bytes.
  std::vector<uint8_t> resealed(sealed.size());
  ASSERT_TRUE(aead_seal(key, nonce, expected, aad, resealed));
  EXPECT_EQ(resealed, sealed);
}

TEST(Aead, SealAndOpenInPlace) {
  Rfc8439Seal v;
  std::vector<uint8_t> buf(v.plaintext.size() + kAeadTagLen);
  std::copy(v.plaintext.begin(), v.plaintext.end(), buf.begin());
  base::Bytes in(buf.data(), v.plaintext.size());
  ASSERT_TRUE(aead_seal(v.key, v.nonce, in, v.aad, buf));
  EXPECT_EQ(base::hex_encode(buf), v.ciphertext_hex + v.tag_hex);

  base::MutableBytes out(buf.data(), v.plaintext.size());
  ASSERT_TRUE(aead_open(v.key, v.nonce, buf, v.aad, out));
  EXPECT_EQ(std::vector<uint8_t>(out.begin(), out.end()), v.plaintext);
}

TEST(Aead, InPlaceRoundTripAtPacketSizes) {
  std::vector<uint8_t> key = key_80_to_9f();
  for (size_t len : {1u, 15u, 16u, 17u, 63u, 64u, 65u, 1420u, 16384u}) {
    std::vector<uint8_t> plain(len);
    for (size_t i = 0; i < len; ++i) plain[i] = uint8_t(i * 7 + 3);
    std::vector<uint8_t> buf(len + kAeadTagLen);
    std::copy(plain.begin(), plain.end(), buf.begin());
    AeadNonce nonce = wg_nonce(len);
    ASSERT_TRUE(aead_seal(key, nonce, base::Bytes(buf.data(), len), {}, buf)) << len;
    EXPECT_NE(std::vector<uint8_t>(buf.begin(), buf.begin() + long(len)), plain) << len;
    ASSERT_TRUE(aead_open(key, nonce, buf, {}, base::MutableBytes(buf.data(), len))) << len;
    EXPECT_EQ(std::vector<uint8_t>(buf.begin(), buf.begin() + long(len)), plain) << len;
  }
}

TEST(Aead, EmptyPlaintextIsJustATag) {
  std::vector<uint8_t> key = key_80_to_9f();
  AeadNonce nonce = wg_nonce(0);
  std::vector<uint8_t> aad = unhex("0102");
  std::vector<uint8_t> tag(kAeadTagLen);
  ASSERT_TRUE(aead_seal(key, nonce, {}, aad, tag));
  EXPECT_FALSE(all_zero(tag));
  ASSERT_TRUE(aead_open(key, nonce, tag, aad, {}));
  // WireGuard keepalives: empty plaintext and empty AAD.
  ASSERT_TRUE(aead_seal(key, nonce, {}, {}, tag));
  ASSERT_TRUE(aead_open(key, nonce, tag, {}, {}));
  tag[0] ^= 1;
  EXPECT_FALSE(aead_open(key, nonce, tag, {}, {}));
}

TEST(Aead, WrongSizesAreRejected) {
  std::vector<uint8_t> key = key_80_to_9f();
  AeadNonce nonce = wg_nonce(1);
  std::vector<uint8_t> plain(10, 0x42);
  std::vector<uint8_t> out(plain.size() + kAeadTagLen);
  std::vector<uint8_t> short_key(31), long_key(33);

  EXPECT_FALSE(aead_seal(short_key, nonce, plain, {}, out));
  EXPECT_FALSE(aead_seal(long_key, nonce, plain, {}, out));
  EXPECT_FALSE(aead_seal(key, nonce, plain, {}, base::MutableBytes(out.data(), out.size() - 1)));
  std::vector<uint8_t> too_big(out.size() + 1);
  EXPECT_FALSE(aead_seal(key, nonce, plain, {}, too_big));

  ASSERT_TRUE(aead_seal(key, nonce, plain, {}, out));
  std::vector<uint8_t> back(plain.size());
  EXPECT_FALSE(aead_open(short_key, nonce, out, {}, back));
  EXPECT_FALSE(aead_open(key, nonce, out, {}, base::MutableBytes(back.data(), back.size() - 1)));
  std::vector<uint8_t> back_big(plain.size() + 1);
  EXPECT_FALSE(aead_open(key, nonce, out, {}, back_big));
  // Shorter than a tag.
  EXPECT_FALSE(aead_open(key, nonce, base::Bytes(out.data(), kAeadTagLen - 1), {}, {}));
  EXPECT_FALSE(aead_open(key, nonce, base::Bytes(), {}, {}));
  ASSERT_TRUE(aead_open(key, nonce, out, {}, back));
  EXPECT_EQ(back, plain);
}

// Every single-bit change of ciphertext, tag or AAD must fail, and no unauthenticated
// plaintext may be left in `out`.
TEST(Aead, EveryBitFlipFailsAndZeroesOutput) {
  Rfc8439Seal v;
  std::vector<uint8_t> sealed(v.plaintext.size() + kAeadTagLen);
  ASSERT_TRUE(aead_seal(v.key, v.nonce, v.plaintext, v.aad, sealed));
  std::vector<uint8_t> out(v.plaintext.size());

  for (size_t bit = 0; bit < sealed.size() * 8; ++bit) {
    std::vector<uint8_t> bad = sealed;
    bad[bit / 8] ^= uint8_t(1u << (bit % 8));
    std::fill(out.begin(), out.end(), 0xa5);
    ASSERT_FALSE(aead_open(v.key, v.nonce, bad, v.aad, out)) << "sealed bit " << bit;
    ASSERT_TRUE(all_zero(out)) << "sealed bit " << bit;
  }
  for (size_t bit = 0; bit < v.aad.size() * 8; ++bit) {
    std::vector<uint8_t> bad_aad = v.aad;
    bad_aad[bit / 8] ^= uint8_t(1u << (bit % 8));
    std::fill(out.begin(), out.end(), 0xa5);
    ASSERT_FALSE(aead_open(v.key, v.nonce, sealed, bad_aad, out)) << "aad bit " << bit;
    ASSERT_TRUE(all_zero(out)) << "aad bit " << bit;
  }
  // Dropping the AAD, a wrong nonce or a wrong key fail too.
  EXPECT_FALSE(aead_open(v.key, v.nonce, sealed, {}, out));
  EXPECT_FALSE(aead_open(v.key, wg_nonce(7), sealed, v.aad, out));
  std::vector<uint8_t> other_key = v.key;
  other_key[31] ^= 0x80;
  EXPECT_FALSE(aead_open(other_key, v.nonce, sealed, v.aad, out));

  // In place: a failed open wipes the buffer's plaintext region.
  std::vector<uint8_t> buf = sealed;
  buf[0] ^= 1;
  EXPECT_FALSE(aead_open(v.key, v.nonce, buf, v.aad, base::MutableBytes(buf.data(), out.size())));
  EXPECT_TRUE(all_zero(base::Bytes(buf.data(), out.size())));

  // The untouched message still opens.
  ASSERT_TRUE(aead_open(v.key, v.nonce, sealed, v.aad, out));
  EXPECT_EQ(out, v.plaintext);
}

TEST(Aead, WgNonceIsFourZeroBytesThenLittleEndianCounter) {
  EXPECT_EQ(base::hex_encode(wg_nonce(0)), "000000000000000000000000");
  EXPECT_EQ(base::hex_encode(wg_nonce(1)), "000000000100000000000000");
  EXPECT_EQ(base::hex_encode(wg_nonce(0x0102030405060708ull)), "000000000807060504030201");
  EXPECT_EQ(base::hex_encode(wg_nonce(UINT64_MAX)), "00000000ffffffffffffffff");
}

// --- AeadKey: the same cipher with the key set once ---

std::span<const uint8_t, kKeyLen> key_span(const std::vector<uint8_t>& key) {
  return std::span<const uint8_t, kKeyLen>(key.data(), kKeyLen);
}

TEST(AeadKey, Rfc8439Section282SealAndOpen) {
  Rfc8439Seal v;
  AeadKey k(key_span(v.key));
  ASSERT_TRUE(k.keyed());
  std::vector<uint8_t> out(v.plaintext.size() + kAeadTagLen);
  ASSERT_TRUE(k.seal(v.nonce, v.plaintext, v.aad, out));
  EXPECT_EQ(base::hex_encode(out), v.ciphertext_hex + v.tag_hex);
  std::vector<uint8_t> back(v.plaintext.size());
  ASSERT_TRUE(k.open(v.nonce, out, v.aad, back));
  EXPECT_EQ(back, v.plaintext);
}

// Setting only the nonce keeps the key and restarts ChaCha20 and Poly1305: the known answer
// still comes out after the context has sealed and opened other messages under other nonces.
TEST(AeadKey, Rfc8439VectorAfterOtherMessages) {
  Rfc8439Seal v;
  AeadKey k(key_span(v.key));
  std::vector<uint8_t> scratch(1000 + kAeadTagLen);
  for (uint64_t i = 0; i < 5; ++i) {
    ASSERT_TRUE(k.seal(wg_nonce(i), base::Bytes(scratch.data(), 1000), v.aad, scratch));
    ASSERT_TRUE(k.open(wg_nonce(i), scratch, v.aad, base::MutableBytes(scratch.data(), 1000)));
  }
  std::vector<uint8_t> out(v.plaintext.size() + kAeadTagLen);
  ASSERT_TRUE(k.seal(v.nonce, v.plaintext, v.aad, out));
  EXPECT_EQ(base::hex_encode(out), v.ciphertext_hex + v.tag_hex);
  ASSERT_TRUE(k.seal(v.nonce, v.plaintext, v.aad, out));  // twice in a row: same bytes
  EXPECT_EQ(base::hex_encode(out), v.ciphertext_hex + v.tag_hex);
}

TEST(AeadKey, Rfc8439AppendixA5OpenAfterSeal) {
  std::vector<uint8_t> key =
      unhex("1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0");
  AeadNonce nonce = nonce_from_hex("000000000102030405060708");
  std::vector<uint8_t> aad = unhex("f33388860000000000004e91");
  std::vector<uint8_t> plain(265, 0x17);
  std::vector<uint8_t> sealed(plain.size() + kAeadTagLen);
  ASSERT_TRUE(aead_seal(key, nonce, plain, aad, sealed));
  AeadKey k(key_span(key));
  std::vector<uint8_t> mine(sealed.size());
  ASSERT_TRUE(k.seal(nonce, plain, aad, mine));  // seal then open on the same context
  EXPECT_EQ(mine, sealed);
  std::vector<uint8_t> back(plain.size());
  ASSERT_TRUE(k.open(nonce, sealed, aad, back));
  EXPECT_EQ(back, plain);
}

// Differential against the free functions: thousands of packets in a row on one context with
// fresh nonces, random lengths 0..1500 and AAD 0..32, alternating directions; a second
// context opens what the first sealed, in place.
TEST(AeadKey, MatchesFreeFunctionsPacketAfterPacket) {
  std::mt19937_64 rng(8439);
  std::vector<uint8_t> key(kKeyLen);
  for (auto& b : key) b = uint8_t(rng());
  AeadKey sender(key_span(key));
  AeadKey receiver(key_span(key));
  std::uniform_int_distribution<size_t> len_dist(0, 1500), aad_dist(0, 32);
  for (int i = 0; i < 4000; ++i) {
    size_t len = len_dist(rng);
    std::vector<uint8_t> plain(len), aad(aad_dist(rng));
    for (auto& b : plain) b = uint8_t(rng());
    for (auto& b : aad) b = uint8_t(rng());
    AeadNonce nonce = (i % 3 == 0) ? wg_nonce(uint64_t(i)) : AeadNonce{};
    if (i % 3 != 0)
      for (auto& b : nonce) b = uint8_t(rng());

    std::vector<uint8_t> expected(len + kAeadTagLen);
    ASSERT_TRUE(aead_seal(key, nonce, plain, aad, expected)) << i;
    std::vector<uint8_t> got(len + kAeadTagLen);
    ASSERT_TRUE(sender.seal(nonce, plain, aad, got)) << i;
    ASSERT_EQ(got, expected) << "packet " << i << " len " << len;

    std::vector<uint8_t> back(len);
    ASSERT_TRUE(sender.open(nonce, got, aad, back)) << i;  // direction switch on one context
    ASSERT_EQ(back, plain) << i;
    ASSERT_TRUE(receiver.open(nonce, got, aad, base::MutableBytes(got.data(), len))) << i;
    ASSERT_EQ(std::vector<uint8_t>(got.begin(), got.begin() + long(len)), plain) << i;
  }
}

TEST(AeadKey, SealAndOpenInPlace) {
  Rfc8439Seal v;
  AeadKey k(key_span(v.key));
  std::vector<uint8_t> buf(v.plaintext.size() + kAeadTagLen);
  std::copy(v.plaintext.begin(), v.plaintext.end(), buf.begin());
  ASSERT_TRUE(k.seal(v.nonce, base::Bytes(buf.data(), v.plaintext.size()), v.aad, buf));
  EXPECT_EQ(base::hex_encode(buf), v.ciphertext_hex + v.tag_hex);
  base::MutableBytes out(buf.data(), v.plaintext.size());
  ASSERT_TRUE(k.open(v.nonce, buf, v.aad, out));
  EXPECT_EQ(std::vector<uint8_t>(out.begin(), out.end()), v.plaintext);
}

// Every single-bit change of ciphertext, tag or AAD fails and zeroes out; after each failed
// open the same context still opens the genuine message (its state is reset by the nonce).
TEST(AeadKey, EveryBitFlipFailsAndContextRecovers) {
  Rfc8439Seal v;
  AeadKey k(key_span(v.key));
  std::vector<uint8_t> sealed(v.plaintext.size() + kAeadTagLen);
  ASSERT_TRUE(k.seal(v.nonce, v.plaintext, v.aad, sealed));
  std::vector<uint8_t> out(v.plaintext.size());
  auto genuine_opens = [&] {
    std::vector<uint8_t> back(v.plaintext.size());
    return k.open(v.nonce, sealed, v.aad, back) && back == v.plaintext;
  };

  for (size_t bit = 0; bit < sealed.size() * 8; ++bit) {
    std::vector<uint8_t> bad = sealed;
    bad[bit / 8] ^= uint8_t(1u << (bit % 8));
    std::fill(out.begin(), out.end(), 0xa5);
    ASSERT_FALSE(k.open(v.nonce, bad, v.aad, out)) << "sealed bit " << bit;
    ASSERT_TRUE(all_zero(out)) << "sealed bit " << bit;
    ASSERT_TRUE(genuine_opens()) << "after sealed bit " << bit;
  }
  for (size_t bit = 0; bit < v.aad.size() * 8; ++bit) {
    std::vector<uint8_t> bad_aad = v.aad;
    bad_aad[bit / 8] ^= uint8_t(1u << (bit % 8));
    std::fill(out.begin(), out.end(), 0xa5);
    ASSERT_FALSE(k.open(v.nonce, sealed, bad_aad, out)) << "aad bit " << bit;
    ASSERT_TRUE(all_zero(out)) << "aad bit " << bit;
    ASSERT_TRUE(genuine_opens()) << "after aad bit " << bit;
  }
  EXPECT_FALSE(k.open(v.nonce, sealed, {}, out));
  EXPECT_FALSE(k.open(wg_nonce(7), sealed, v.aad, out));
  std::vector<uint8_t> other_key = v.key;
  other_key[31] ^= 0x80;
  AeadKey other(key_span(other_key));
  EXPECT_FALSE(other.open(v.nonce, sealed, v.aad, out));

  // In place: a failed open wipes the plaintext region; a seal after it is still correct.
  std::vector<uint8_t> buf = sealed;
  buf[0] ^= 1;
  EXPECT_FALSE(k.open(v.nonce, buf, v.aad, base::MutableBytes(buf.data(), out.size())));
  EXPECT_TRUE(all_zero(base::Bytes(buf.data(), out.size())));
  std::vector<uint8_t> again(sealed.size());
  ASSERT_TRUE(k.seal(v.nonce, v.plaintext, v.aad, again));
  EXPECT_EQ(again, sealed);
  EXPECT_TRUE(genuine_opens());
}

TEST(AeadKey, EmptyPlaintextAndWrongSizes) {
  std::vector<uint8_t> key = key_80_to_9f();
  AeadKey k(key_span(key));
  AeadNonce nonce = wg_nonce(3);
  std::vector<uint8_t> tag(kAeadTagLen), expected(kAeadTagLen);
  ASSERT_TRUE(k.seal(nonce, {}, {}, tag));  // a keepalive
  ASSERT_TRUE(aead_seal(key, nonce, {}, {}, expected));
  EXPECT_EQ(tag, expected);
  EXPECT_TRUE(k.open(nonce, tag, {}, {}));

  std::vector<uint8_t> plain(10, 0x42), out(plain.size() + kAeadTagLen);
  EXPECT_FALSE(k.seal(nonce, plain, {}, base::MutableBytes(out.data(), out.size() - 1)));
  std::vector<uint8_t> too_big(out.size() + 1);
  EXPECT_FALSE(k.seal(nonce, plain, {}, too_big));
  ASSERT_TRUE(k.seal(nonce, plain, {}, out));
  std::vector<uint8_t> back(plain.size()), back_big(plain.size() + 1);
  EXPECT_FALSE(k.open(nonce, out, {}, base::MutableBytes(back.data(), back.size() - 1)));
  EXPECT_FALSE(k.open(nonce, out, {}, back_big));
  EXPECT_FALSE(k.open(nonce, base::Bytes(out.data(), kAeadTagLen - 1), {}, {}));
  EXPECT_FALSE(k.open(nonce, base::Bytes(), {}, {}));
  ASSERT_TRUE(k.open(nonce, out, {}, back));
  EXPECT_EQ(back, plain);
}

TEST(AeadKey, MoveOnlyAndUnkeyedFails) {
  std::vector<uint8_t> key = key_80_to_9f();
  AeadNonce nonce = wg_nonce(9);
  std::vector<uint8_t> plain(40, 0x11), out(plain.size() + kAeadTagLen), back(plain.size());

  AeadKey unkeyed;
  EXPECT_FALSE(unkeyed.keyed());
  EXPECT_FALSE(unkeyed.seal(nonce, plain, {}, out));
  EXPECT_FALSE(unkeyed.open(nonce, out, {}, back));

  AeadKey a(key_span(key));
  AeadKey b(std::move(a));
  EXPECT_FALSE(a.keyed());  // NOLINT(bugprone-use-after-move): moved-from state is specified
  EXPECT_FALSE(a.seal(nonce, plain, {}, out));
  ASSERT_TRUE(b.seal(nonce, plain, {}, out));
  AeadKey c;
  c = std::move(b);
  ASSERT_TRUE(c.open(nonce, out, {}, back));
  EXPECT_EQ(back, plain);
  // Re-keying by assignment replaces (and frees) the old context.
  std::vector<uint8_t> other_key = key;
  other_key[0] ^= 1;
  c = AeadKey(key_span(other_key));
  EXPECT_FALSE(c.open(nonce, out, {}, back));
  static_assert(!std::is_copy_constructible_v<AeadKey>);
  static_assert(!std::is_copy_assignable_v<AeadKey>);
  std::vector<base::Bytes> one_part{plain};
  EXPECT_FALSE(unkeyed.seal_gather(nonce, one_part, 0, out));
}

// Forgetting the thread's last key leaves the free functions working with the next one.
TEST(Aead, ForgettingThreadKeysKeepsTheFreeFunctionsWorking) {
  Rfc8439Seal v;
  forget_thread_keys();
  std::vector<uint8_t> out(v.plaintext.size() + kAeadTagLen);
  ASSERT_TRUE(aead_seal(v.key, v.nonce, v.plaintext, v.aad, out));
  forget_thread_keys();
  EXPECT_EQ(base::hex_encode(out), v.ciphertext_hex + v.tag_hex);
  std::vector<uint8_t> back(v.plaintext.size());
  ASSERT_TRUE(aead_open(v.key, v.nonce, out, v.aad, back));
  EXPECT_EQ(back, v.plaintext);
}

// --- The composition checked against OpenSSL's own AEAD object ---

// Seals with OpenSSL's "ChaCha20-Poly1305" EVP cipher: an implementation independent of ours.
std::vector<uint8_t> reference_seal(base::Bytes key, const AeadNonce& nonce, base::Bytes plain,
                                    base::Bytes aad) {
  std::vector<uint8_t> out(plain.size() + kAeadTagLen);
  EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, "ChaCha20-Poly1305", nullptr);
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  int len = 0;
  bool ok =
      cipher && ctx && EVP_EncryptInit_ex(ctx, cipher, nullptr, key.data(), nonce.data()) == 1 &&
      (aad.empty() || EVP_EncryptUpdate(ctx, nullptr, &len, aad.data(), int(aad.size())) == 1) &&
      (plain.empty() ||
       EVP_EncryptUpdate(ctx, out.data(), &len, plain.data(), int(plain.size())) == 1) &&
      EVP_EncryptFinal_ex(ctx, out.data() + plain.size(), &len) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, int(kAeadTagLen),
                          out.data() + plain.size()) == 1;
  EVP_CIPHER_CTX_free(ctx);
  EVP_CIPHER_free(cipher);
  EXPECT_TRUE(ok);
  return out;
}

// Every length around the ChaCha20 block (64 B) and the 8-block (512 B) boundaries, then random
// lengths up to a jumbo frame, with and without AAD: byte for byte what OpenSSL's AEAD gives,
// and it opens back.
TEST(AeadReference, MatchesOpenSslAeadAtEveryBoundary) {
  std::mt19937_64 rng(7539);
  std::vector<uint8_t> key(kKeyLen);
  for (auto& b : key) b = uint8_t(rng());
  AeadKey keyed(key_span(key));
  std::vector<size_t> lengths;
  for (size_t n = 0; n <= 1100; ++n) lengths.push_back(n);
  std::uniform_int_distribution<size_t> big(1100, 9100), aad_len(0, 40);
  for (int i = 0; i < 300; ++i) lengths.push_back(big(rng));
  for (size_t len : lengths) {
    std::vector<uint8_t> plain(len), aad(len % 3 == 0 ? 0 : aad_len(rng));
    for (auto& b : plain) b = uint8_t(rng());
    for (auto& b : aad) b = uint8_t(rng());
    AeadNonce nonce{};
    for (auto& b : nonce) b = uint8_t(rng());
    std::vector<uint8_t> expected = reference_seal(key, nonce, plain, aad);
    std::vector<uint8_t> got(len + kAeadTagLen), got_free(len + kAeadTagLen);
    ASSERT_TRUE(keyed.seal(nonce, plain, aad, got)) << len;
    ASSERT_TRUE(aead_seal(key, nonce, plain, aad, got_free)) << len;
    ASSERT_EQ(got, expected) << "length " << len;
    ASSERT_EQ(got_free, expected) << "length " << len;
    std::vector<uint8_t> back(len);
    ASSERT_TRUE(keyed.open(nonce, expected, aad, back)) << len;
    ASSERT_EQ(back, plain) << len;
    ASSERT_TRUE(aead_open(key, nonce, expected, aad, back)) << len;
    ASSERT_EQ(back, plain) << len;
  }
}

// A message gathered from up to four pieces plus zero padding seals exactly as the same bytes
// laid out in one buffer; pieces may also lie in place in the output.
TEST(AeadKey, SealGatherEqualsSealOfTheConcatenation) {
  std::mt19937_64 rng(1420);
  std::vector<uint8_t> key(kKeyLen);
  for (auto& b : key) b = uint8_t(rng());
  AeadKey keyed(key_span(key));
  // Half the pieces short, so that piece boundaries fall inside the first keystream block too.
  std::uniform_int_distribution<size_t> part_len(0, 700), short_len(0, 80), part_count(0, 4),
      pad(0, 15);
  for (int i = 0; i < 2000; ++i) {
    std::vector<std::vector<uint8_t>> pieces(part_count(rng));
    std::vector<uint8_t> whole;
    for (auto& p : pieces) {
      p.resize((rng() & 1) != 0 ? short_len(rng) : part_len(rng));
      for (auto& b : p) b = uint8_t(rng());
      whole.insert(whole.end(), p.begin(), p.end());
    }
    size_t padding = pad(rng);
    whole.resize(whole.size() + padding, 0);
    AeadNonce nonce = wg_nonce(uint64_t(i));
    std::vector<uint8_t> expected(whole.size() + kAeadTagLen);
    ASSERT_TRUE(keyed.seal(nonce, whole, {}, expected));

    std::vector<base::Bytes> parts(pieces.begin(), pieces.end());
    std::vector<uint8_t> got(whole.size() + kAeadTagLen, 0xee);
    ASSERT_TRUE(keyed.seal_gather(nonce, parts, padding, got)) << i;
    ASSERT_EQ(got, expected) << "message " << i;

    // The last piece already in place in the output, as a framed packet's body would be.
    if (!pieces.empty()) {
      std::vector<uint8_t> in_place(whole.size() + kAeadTagLen, 0xee);
      size_t at = whole.size() - padding - pieces.back().size();
      std::copy(pieces.back().begin(), pieces.back().end(), in_place.begin() + long(at));
      parts.back() = base::Bytes(in_place.data() + at, pieces.back().size());
      ASSERT_TRUE(keyed.seal_gather(nonce, parts, padding, in_place)) << i;
      ASSERT_EQ(in_place, expected) << "message " << i << " in place";
    }
  }
}

TEST(AeadKey, SealGatherRejectsAWrongOutputSizeWithoutWriting) {
  std::vector<uint8_t> key = key_80_to_9f();
  AeadKey keyed(key_span(key));
  std::vector<uint8_t> a(30, 1), b(20, 2);
  std::vector<base::Bytes> parts{a, b};
  for (size_t size : {size_t(0), size_t(50), size_t(50 + 3 + kAeadTagLen - 1),
                      size_t(50 + 3 + kAeadTagLen + 1)}) {
    std::vector<uint8_t> out(size, 0xee);
    EXPECT_FALSE(keyed.seal_gather(wg_nonce(1), parts, 3, out)) << size;
    EXPECT_EQ(out, std::vector<uint8_t>(size, 0xee)) << size;
  }
  std::vector<uint8_t> out(50 + 3 + kAeadTagLen);
  EXPECT_TRUE(keyed.seal_gather(wg_nonce(1), parts, 3, out));
}

}  // namespace
}  // namespace mw::crypto
