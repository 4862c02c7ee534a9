// SPDX-License-Identifier: Apache-2.0
// X25519 Diffie-Hellman (RFC 7748) over libsodium.
#pragma once

#include "crypto/keys.h"

namespace mw::crypto {

// Applies RFC 7748 §5 clamping to a private scalar.
void x25519_clamp(PrivateKey& key);
// A fresh clamped private key from the CSPRNG.
PrivateKey x25519_generate();
PublicKey x25519_public(const PrivateKey& priv);
// Computes the shared secret. Returns false, with `out` zeroed, when the result is all zeros
// (the peer's point has small order): WireGuard must abort the handshake then.
[[nodiscard]] bool x25519(SymmetricKey& out, const PrivateKey& priv, const PublicKey& pub);

}  // namespace mw::crypto
