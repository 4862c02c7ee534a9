// SPDX-License-Identifier: Apache-2.0
// ChaCha20-Poly1305 IETF (RFC 8439) through OpenSSL EVP, one cipher context per thread.
// Sealing and opening work in place: `out` may be exactly the same memory as the input.
#pragma once

#include <array>
#include <cstdint>

#include "base/bytes.h"
#include "crypto/keys.h"

namespace mw::crypto {

using AeadNonce = std::array<uint8_t, 12>;

// WireGuard's nonce: 32 zero bits then the 64-bit counter, little-endian.
AeadNonce wg_nonce(uint64_t counter);

// Writes plaintext.size() + 16 bytes to out (ciphertext then tag). out.size() must be exactly
// that; out.data() may equal plaintext.data(). Returns false only on a size mismatch.
[[nodiscard]] bool aead_seal(base::Bytes key, const AeadNonce& nonce, base::Bytes plaintext,
                             base::Bytes aad, base::MutableBytes out);
// Verifies and decrypts ciphertext (which ends in the 16-byte tag) into out, whose size must be
// ciphertext.size() - 16; out.data() may equal ciphertext.data(). False on a bad tag or size.
[[nodiscard]] bool aead_open(base::Bytes key, const AeadNonce& nonce, base::Bytes ciphertext,
                             base::Bytes aad, base::MutableBytes out);

}  // namespace mw::crypto
