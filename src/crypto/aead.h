// SPDX-License-Identifier: Apache-2.0
// ChaCha20-Poly1305 IETF (RFC 8439), built from OpenSSL's ChaCha20 and Poly1305: free functions
// that key per-thread contexts on every call (handshakes, cookies), and AeadKey, keyed once
// (transport data). Sealing and opening work in place: `out` may be exactly the same memory as
// the input.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "base/bytes.h"
#include "crypto/keys.h"

// OpenSSL's EVP_CIPHER_CTX and EVP_MAC_CTX, declared here so that <openssl/evp.h> stays inside
// crypto/*.cc.
struct evp_cipher_ctx_st;
struct evp_mac_ctx_st;

namespace mw::crypto {

using AeadNonce = std::array<uint8_t, 12>;

// WireGuard's nonce: 32 zero bits then the 64-bit counter, little-endian.
AeadNonce wg_nonce(uint64_t counter);

// Writes plaintext.size() + 16 bytes to out (ciphertext then tag). out.size() must be exactly
// that; out.data() may equal plaintext.data(). Returns false only on a size mismatch.
[[nodiscard]] bool aead_seal(base::Bytes key, const AeadNonce& nonce, base::Bytes plaintext,
                             base::Bytes aad, base::MutableBytes out);
// Verifies and decrypts ciphertext (which ends in the 16-byte tag) into out, whose size must be
// ciphertext.size() - 16; out.data() may equal ciphertext.data(). False on a bad tag or size;
// on a bad tag out is zeroed.
[[nodiscard]] bool aead_open(base::Bytes key, const AeadNonce& nonce, base::Bytes ciphertext,
                             base::Bytes aad, base::MutableBytes out);

// Re-keys this thread's contexts of the free functions with an all-zero key, so that the last
// real key they were given does not stay in memory (crypto workers call it after each batch).
void forget_thread_keys();

// A ChaCha20-Poly1305 key set up once: each seal or open only sets the nonce, which skips the
// key setup the free functions pay on every call. Same size rules, in-place guarantees and
// results as aead_seal/aead_open.
//
// Not thread-safe: one object is used by one thread at a time (a keypair's send or receive
// direction belongs to the thread processing that peer; a parallel pipeline gives each worker
// its own object). Move-only. Destruction frees the OpenSSL context, which clears its key
// schedule; a default-constructed, moved-from or failed-to-key object fails every call.
// Wrong sizes fail before anything is written.
class AeadKey {
 public:
  AeadKey() = default;
  // Allocates and keys the context; keyed() is false if OpenSSL fails.
  explicit AeadKey(std::span<const uint8_t, kKeyLen> key);
  AeadKey(AeadKey&& other) noexcept;
  AeadKey& operator=(AeadKey&& other) noexcept;
  AeadKey(const AeadKey&) = delete;
  AeadKey& operator=(const AeadKey&) = delete;
  ~AeadKey();

  bool keyed() const { return stream_ != nullptr; }

  [[nodiscard]] bool seal(const AeadNonce& nonce, base::Bytes plaintext, base::Bytes aad,
                          base::MutableBytes out);
  // Seals, with no AAD, the plaintext made of `parts` one after another followed by
  // `zero_padding` zero bytes: out.size() must be their total + 16. This gathers a message from
  // where its pieces lie, so it costs no copy before sealing. A part either does not overlap
  // out at all, or lies exactly where its ciphertext goes (in place).
  [[nodiscard]] bool seal_gather(const AeadNonce& nonce, std::span<const base::Bytes> parts,
                                 size_t zero_padding, base::MutableBytes out);
  [[nodiscard]] bool open(const AeadNonce& nonce, base::Bytes ciphertext, base::Bytes aad,
                          base::MutableBytes out);

 private:
  void reset();

  evp_cipher_ctx_st* stream_ = nullptr;  // ChaCha20, keyed
  evp_mac_ctx_st* mac_ = nullptr;        // Poly1305, keyed per message
};

}  // namespace mw::crypto
