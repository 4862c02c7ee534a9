// SPDX-License-Identifier: Apache-2.0
// XChaCha20-Poly1305 via libsodium's crypto_aead_xchacha20poly1305_ietf.
#include "crypto/xaead.h"

#include <sodium.h>

#include "crypto/random.h"

namespace mw::crypto {

bool xaead_seal(base::Bytes key, const XAeadNonce& nonce, base::Bytes plaintext, base::Bytes aad,
                base::MutableBytes out) {
  if (key.size() != kKeyLen || out.size() != plaintext.size() + kAeadTagLen) return false;
  ensure_sodium_init();
  unsigned long long len = 0;
  return crypto_aead_xchacha20poly1305_ietf_encrypt(out.data(), &len, plaintext.data(),
                                                    plaintext.size(), aad.data(), aad.size(),
                                                    nullptr, nonce.data(), key.data()) == 0;
}

bool xaead_open(base::Bytes key, const XAeadNonce& nonce, base::Bytes ciphertext, base::Bytes aad,
                base::MutableBytes out) {
  if (key.size() != kKeyLen || ciphertext.size() < kAeadTagLen ||
      out.size() != ciphertext.size() - kAeadTagLen)
    return false;
  ensure_sodium_init();
  unsigned long long len = 0;
  return crypto_aead_xchacha20poly1305_ietf_decrypt(out.data(), &len, nullptr, ciphertext.data(),
                                                    ciphertext.size(), aad.data(), aad.size(),
                                                    nonce.data(), key.data()) == 0;
}

}  // namespace mw::crypto
