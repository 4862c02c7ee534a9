// SPDX-License-Identifier: Apache-2.0
// ChaCha20-Poly1305 over OpenSSL 3: the cipher is fetched once; the free functions re-key a
// per-thread EVP_CIPHER_CTX on each call, AeadKey keys its own context once. Neither allocates
// per packet.
#include "crypto/aead.h"

#include <openssl/evp.h>

#include <cstring>
#include <memory>
#include <utility>

#include "base/bytes.h"
#include "base/check.h"

namespace mw::crypto {
namespace {

const EVP_CIPHER* chacha_cipher() {
  static EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, "ChaCha20-Poly1305", nullptr);
  MW_CHECK(cipher != nullptr);
  return cipher;
}

struct CtxDeleter {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};

// Returns this thread's context, initialised for the cipher (key and direction set per call).
EVP_CIPHER_CTX* thread_ctx() {
  thread_local std::unique_ptr<EVP_CIPHER_CTX, CtxDeleter> ctx = [] {
    std::unique_ptr<EVP_CIPHER_CTX, CtxDeleter> c(EVP_CIPHER_CTX_new());
    MW_CHECK(c != nullptr);
    MW_CHECK(EVP_CipherInit_ex(c.get(), chacha_cipher(), nullptr, nullptr, nullptr, 1) == 1);
    return c;
  }();
  return ctx.get();
}

// The EVP sequence shared by both APIs. `key` is nullptr when ctx already holds the key: then
// the init only sets the nonce and direction, which also restarts ChaCha20's block counter and
// Poly1305 (RFC 8439 §2.8: the one-time key is derived from key and nonce on the first update).
bool seal_with(EVP_CIPHER_CTX* ctx, const uint8_t* key, const AeadNonce& nonce,
               base::Bytes plaintext, base::Bytes aad, base::MutableBytes out) {
  if (out.size() != plaintext.size() + kAeadTagLen) return false;
  int len = 0;
  if (EVP_CipherInit_ex(ctx, nullptr, nullptr, key, nonce.data(), 1) != 1) return false;
  if (!aad.empty() && EVP_CipherUpdate(ctx, nullptr, &len, aad.data(), int(aad.size())) != 1)
    return false;
  if (!plaintext.empty() &&
      EVP_CipherUpdate(ctx, out.data(), &len, plaintext.data(), int(plaintext.size())) != 1)
    return false;
  if (EVP_CipherFinal_ex(ctx, out.data() + plaintext.size(), &len) != 1) return false;
  return EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, int(kAeadTagLen),
                             out.data() + plaintext.size()) == 1;
}

bool open_with(EVP_CIPHER_CTX* ctx, const uint8_t* key, const AeadNonce& nonce,
               base::Bytes ciphertext, base::Bytes aad, base::MutableBytes out) {
  if (ciphertext.size() < kAeadTagLen || out.size() != ciphertext.size() - kAeadTagLen)
    return false;
  size_t body_len = ciphertext.size() - kAeadTagLen;
  // Copy the tag first: in-place decryption overwrites nothing past body_len, but the tag must
  // be handed to OpenSSL before the final call either way.
  uint8_t tag[kAeadTagLen];
  std::memcpy(tag, ciphertext.data() + body_len, kAeadTagLen);
  int len = 0;
  if (EVP_CipherInit_ex(ctx, nullptr, nullptr, key, nonce.data(), 0) != 1) return false;
  if (!aad.empty() && EVP_CipherUpdate(ctx, nullptr, &len, aad.data(), int(aad.size())) != 1)
    return false;
  if (body_len > 0 &&
      EVP_CipherUpdate(ctx, out.data(), &len, ciphertext.data(), int(body_len)) != 1)
    return false;
  if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, int(kAeadTagLen), tag) != 1) return false;
  if (EVP_CipherFinal_ex(ctx, out.data() + body_len, &len) != 1) {
    // Never hand out unauthenticated plaintext.
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
  return seal_with(thread_ctx(), key.data(), nonce, plaintext, aad, out);
}

bool aead_open(base::Bytes key, const AeadNonce& nonce, base::Bytes ciphertext, base::Bytes aad,
               base::MutableBytes out) {
  if (key.size() != kKeyLen) return false;
  return open_with(thread_ctx(), key.data(), nonce, ciphertext, aad, out);
}

AeadKey::AeadKey(std::span<const uint8_t, kKeyLen> key) {
  std::unique_ptr<EVP_CIPHER_CTX, CtxDeleter> c(EVP_CIPHER_CTX_new());
  if (!c) return;
  // Cipher and key once; every seal/open then passes only the nonce and direction.
  if (EVP_CipherInit_ex(c.get(), chacha_cipher(), nullptr, key.data(), nullptr, 1) != 1) return;
  ctx_ = c.release();
}

AeadKey::AeadKey(AeadKey&& other) noexcept : ctx_(std::exchange(other.ctx_, nullptr)) {}

AeadKey& AeadKey::operator=(AeadKey&& other) noexcept {
  if (this != &other) {
    EVP_CIPHER_CTX_free(ctx_);
    ctx_ = std::exchange(other.ctx_, nullptr);
  }
  return *this;
}

// EVP_CIPHER_CTX_free has the provider clear its context (key schedule included) before freeing.
AeadKey::~AeadKey() { EVP_CIPHER_CTX_free(ctx_); }

bool AeadKey::seal(const AeadNonce& nonce, base::Bytes plaintext, base::Bytes aad,
                   base::MutableBytes out) {
  return ctx_ != nullptr && seal_with(ctx_, nullptr, nonce, plaintext, aad, out);
}

bool AeadKey::open(const AeadNonce& nonce, base::Bytes ciphertext, base::Bytes aad,
                   base::MutableBytes out) {
  return ctx_ != nullptr && open_with(ctx_, nullptr, nonce, ciphertext, aad, out);
}

}  // namespace mw::crypto
