// SPDX-License-Identifier: Apache-2.0
// XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha) over libsodium, used by WireGuard cookie replies.
#pragma once

#include <array>

#include "base/bytes.h"
#include "crypto/keys.h"

namespace mw::crypto {

using XAeadNonce = std::array<uint8_t, 24>;

// Same size rules and in-place guarantees as aead_seal/aead_open.
[[nodiscard]] bool xaead_seal(base::Bytes key, const XAeadNonce& nonce, base::Bytes plaintext,
                              base::Bytes aad, base::MutableBytes out);
[[nodiscard]] bool xaead_open(base::Bytes key, const XAeadNonce& nonce, base::Bytes ciphertext,
                              base::Bytes aad, base::MutableBytes out);

}  // namespace mw::crypto
