// SPDX-License-Identifier: Apache-2.0
// ChaCha20-Poly1305 (RFC 8439 §2.8) composed from OpenSSL 3's ChaCha20 stream cipher and its
// Poly1305 MAC. OpenSSL's own AEAD object costs about 500 ns per message in parameter plumbing
// (IV length queries, tag get/set through OSSL_PARAM lookups), which is half the work of sealing
// a 1420-byte packet; the two primitives keyed once cost a fifth of that. The free functions key
// per-thread contexts on every call, AeadKey keys its own once. Nothing allocates per message.
#include "crypto/aead.h"

#include <openssl/evp.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <memory>
#include <utility>

#include "base/bytes.h"
#include "base/check.h"
#include "base/secret.h"
#include "crypto/ct.h"

namespace mw::crypto {
namespace {

constexpr size_t kChachaBlockLen = 64;
constexpr size_t kPolyKeyLen = 32;

const EVP_CIPHER* chacha20() {
  static EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, "ChaCha20", nullptr);
  MW_CHECK(cipher != nullptr);
  return cipher;
}

EVP_MAC* poly1305() {
  static EVP_MAC* mac = EVP_MAC_fetch(nullptr, "POLY1305", nullptr);
  MW_CHECK(mac != nullptr);
  return mac;
}

// The two contexts one message needs. `stream` holds the ChaCha20 key (set at creation or per
// call); `mac` is keyed per message with the one-time key.
struct Contexts {
  EVP_CIPHER_CTX* stream;
  EVP_MAC_CTX* mac;
};

bool make_contexts(const uint8_t* key, EVP_CIPHER_CTX** stream, EVP_MAC_CTX** mac) {
  *stream = EVP_CIPHER_CTX_new();
  *mac = EVP_MAC_CTX_new(poly1305());
  if (*stream && *mac && EVP_CipherInit_ex(*stream, chacha20(), nullptr, key, nullptr, 1) == 1)
    return true;
  EVP_CIPHER_CTX_free(*stream);
  EVP_MAC_CTX_free(*mac);
  *stream = nullptr;
  *mac = nullptr;
  return false;
}

// This thread's contexts for the free functions, which pass the key on every call.
Contexts thread_contexts() {
  struct Owned {
    EVP_CIPHER_CTX* stream = nullptr;
    EVP_MAC_CTX* mac = nullptr;
    Owned() { MW_CHECK(make_contexts(nullptr, &stream, &mac)); }
    ~Owned() {
      EVP_CIPHER_CTX_free(stream);
      EVP_MAC_CTX_free(mac);
    }
  };
  thread_local Owned owned;
  return {owned.stream, owned.mac};
}

// XORs `len` bytes of the running key stream into out (from in; in == out is allowed).
bool xor_stream(EVP_CIPHER_CTX* stream, uint8_t* out, const uint8_t* in, size_t len) {
  if (len == 0) return true;
  int done = 0;
  return len <= size_t(INT_MAX) && EVP_CipherUpdate(stream, out, &done, in, int(len)) == 1 &&
         size_t(done) == len;
}

// One message's ChaCha20 keystream. start() positions the stream at block 0 of (key, nonce);
// block 0 becomes the Poly1305 one-time key (§2.6). OpenSSL's short path computes two blocks per
// call, so for a text of at most 64 bytes (keepalives, TCP acknowledgements) blocks 0 and 1 come
// from one call and block 1 is kept for the text: one call instead of two, 7 % off a 64-byte
// seal. Longer texts take block 0 alone and the rest from the context (then at block 1): taking
// block 1 there too made a 1420-byte seal 6 % slower (crypto_bench), as it shifts the bulk call
// off OpenSSL's 8-block stride.
class Keystream {
 public:
  explicit Keystream(Contexts c) : c_(c) {}
  ~Keystream() {
    if (filled_) base::secure_wipe(spare_, sizeof spare_);
  }
  Keystream(const Keystream&) = delete;
  Keystream& operator=(const Keystream&) = delete;

  // `key` is nullptr when the stream context already holds it.
  bool start(const uint8_t* key, const AeadNonce& nonce, size_t text_len) {
    // OpenSSL's ChaCha20 IV: the 32-bit block counter (little-endian), then the 96-bit nonce.
    uint8_t iv[16] = {};
    std::memcpy(iv + 4, nonce.data(), nonce.size());
    if (EVP_CipherInit_ex(c_.stream, nullptr, nullptr, key, iv, 1) != 1) return false;
    uint8_t blocks[2 * kChachaBlockLen] = {};
    size_t take = text_len <= kChachaBlockLen ? 2 * kChachaBlockLen : kChachaBlockLen;
    bool ok = xor_stream(c_.stream, blocks, blocks, take) &&
              EVP_MAC_init(c_.mac, blocks, kPolyKeyLen, nullptr) == 1;
    if (take > kChachaBlockLen) {
      std::memcpy(spare_, blocks + kChachaBlockLen, kChachaBlockLen);
      used_ = 0;
      filled_ = true;
    }
    base::secure_wipe(blocks, take);
    return ok;
  }

  // XORs the next `len` bytes of keystream into `in`, giving `out` (which may be `in`).
  bool apply(uint8_t* out, const uint8_t* in, size_t len) {
    size_t n = std::min(len, kChachaBlockLen - used_);
    for (size_t i = 0; i < n; ++i) out[i] = in[i] ^ spare_[used_ + i];
    used_ += n;
    return xor_stream(c_.stream, out + n, in + n, len - n);
  }

 private:
  Contexts c_;
  uint8_t spare_[kChachaBlockLen];
  size_t used_ = kChachaBlockLen;
  bool filled_ = false;
};

// MACs `data` followed by zeros up to a multiple of 16 bytes (§2.8's padding).
bool mac_padded(EVP_MAC_CTX* mac, base::Bytes data) {
  static constexpr uint8_t kZeros[16] = {};
  if (!data.empty() && EVP_MAC_update(mac, data.data(), data.size()) != 1) return false;
  size_t rem = data.size() % 16;
  return rem == 0 || EVP_MAC_update(mac, kZeros, 16 - rem) == 1;
}

// Ends the MAC with both lengths and writes the tag.
bool mac_finish(EVP_MAC_CTX* mac, size_t aad_len, size_t text_len, uint8_t* tag) {
  uint8_t lengths[16];
  base::store_u64le(lengths, aad_len);
  base::store_u64le(lengths + 8, text_len);
  size_t tag_len = 0;
  return EVP_MAC_update(mac, lengths, sizeof lengths) == 1 &&
         EVP_MAC_final(mac, tag, &tag_len, kAeadTagLen) == 1 && tag_len == kAeadTagLen;
}

bool seal_with(Contexts c, const uint8_t* key, const AeadNonce& nonce,
               std::span<const base::Bytes> parts, size_t zero_padding, base::Bytes aad,
               base::MutableBytes out) {
  size_t text_len = zero_padding;
  for (base::Bytes p : parts) text_len += p.size();
  Keystream ks(c);
  if (out.size() != text_len + kAeadTagLen || !ks.start(key, nonce, text_len) ||
      !mac_padded(c.mac, aad))
    return false;
  uint8_t* at = out.data();
  for (base::Bytes p : parts) {
    if (!ks.apply(at, p.data(), p.size())) return false;
    at += p.size();
  }
  std::memset(at, 0, zero_padding);
  if (!ks.apply(at, at, zero_padding)) return false;
  base::Bytes ciphertext(out.data(), text_len);
  return mac_padded(c.mac, ciphertext) &&
         mac_finish(c.mac, aad.size(), text_len, out.data() + text_len);
}

bool open_with(Contexts c, const uint8_t* key, const AeadNonce& nonce, base::Bytes ciphertext,
               base::Bytes aad, base::MutableBytes out) {
  if (ciphertext.size() < kAeadTagLen || out.size() != ciphertext.size() - kAeadTagLen)
    return false;
  size_t body_len = out.size();
  base::Bytes body = ciphertext.first(body_len);
  uint8_t tag[kAeadTagLen];
  // Encrypt-then-MAC: the tag is checked before a byte is decrypted.
  Keystream ks(c);
  bool authentic = ks.start(key, nonce, body_len) && mac_padded(c.mac, aad) &&
                   mac_padded(c.mac, body) && mac_finish(c.mac, aad.size(), body_len, tag) &&
                   ct_equal(base::Bytes(tag, kAeadTagLen), ciphertext.subspan(body_len));
  if (!authentic || !ks.apply(out.data(), body.data(), body_len)) {
    base::secure_wipe(out.data(), out.size());
    return false;
  }
  return true;
}

}  // namespace

AeadNonce wg_nonce(uint64_t counter) {
  AeadNonce n{};
  base::store_u64le(n.data() + 4, counter);
  return n;
}

bool aead_seal(base::Bytes key, const AeadNonce& nonce, base::Bytes plaintext, base::Bytes aad,
               base::MutableBytes out) {
  if (key.size() != kKeyLen) return false;
  return seal_with(thread_contexts(), key.data(), nonce, std::span(&plaintext, 1), 0, aad, out);
}

bool aead_open(base::Bytes key, const AeadNonce& nonce, base::Bytes ciphertext, base::Bytes aad,
               base::MutableBytes out) {
  if (key.size() != kKeyLen) return false;
  return open_with(thread_contexts(), key.data(), nonce, ciphertext, aad, out);
}

void forget_thread_keys() {
  static constexpr uint8_t kZeroKey[kKeyLen] = {};
  static constexpr uint8_t kZeroIv[16] = {};
  Contexts c = thread_contexts();
  // The MAC context holds only the last one-time key; keying it anew overwrites that too.
  MW_CHECK(EVP_CipherInit_ex(c.stream, nullptr, nullptr, kZeroKey, kZeroIv, 1) == 1);
  MW_CHECK(EVP_MAC_init(c.mac, kZeroKey, kPolyKeyLen, nullptr) == 1);
}

AeadKey::AeadKey(std::span<const uint8_t, kKeyLen> key) {
  if (!make_contexts(key.data(), &stream_, &mac_)) stream_ = nullptr, mac_ = nullptr;
}

AeadKey::AeadKey(AeadKey&& other) noexcept
    : stream_(std::exchange(other.stream_, nullptr)), mac_(std::exchange(other.mac_, nullptr)) {}

AeadKey& AeadKey::operator=(AeadKey&& other) noexcept {
  if (this != &other) {
    reset();
    stream_ = std::exchange(other.stream_, nullptr);
    mac_ = std::exchange(other.mac_, nullptr);
  }
  return *this;
}

AeadKey::~AeadKey() { reset(); }

// Freeing has OpenSSL clear both contexts (the ChaCha20 key and the last one-time key).
void AeadKey::reset() {
  EVP_CIPHER_CTX_free(stream_);
  EVP_MAC_CTX_free(mac_);
  stream_ = nullptr;
  mac_ = nullptr;
}

bool AeadKey::seal(const AeadNonce& nonce, base::Bytes plaintext, base::Bytes aad,
                   base::MutableBytes out) {
  return keyed() &&
         seal_with({stream_, mac_}, nullptr, nonce, std::span(&plaintext, 1), 0, aad, out);
}

bool AeadKey::seal_gather(const AeadNonce& nonce, std::span<const base::Bytes> parts,
                          size_t zero_padding, base::MutableBytes out) {
  return keyed() && seal_with({stream_, mac_}, nullptr, nonce, parts, zero_padding, {}, out);
}

bool AeadKey::open(const AeadNonce& nonce, base::Bytes ciphertext, base::Bytes aad,
                   base::MutableBytes out) {
  return keyed() && open_with({stream_, mac_}, nullptr, nonce, ciphertext, aad, out);
}

}  // namespace mw::crypto
