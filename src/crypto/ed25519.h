// SPDX-License-Identifier: Apache-2.0
// Ed25519 signatures (RFC 8032) and the Ed25519 -> X25519 key conversion, over libsodium.
#pragma once

#include <array>
#include <optional>

#include "base/bytes.h"
#include "base/secret.h"
#include "crypto/keys.h"

namespace mw::crypto {

using Ed25519Signature = std::array<uint8_t, 64>;
using Ed25519Seed = base::Secret<32>;
// libsodium's 64-byte secret key: seed || public key (the layout identity.key stores).
using Ed25519SecretKey = base::Secret<64>;

struct Ed25519Keypair {
  Ed25519SecretKey secret;
  PublicKey public_key;
};

Ed25519Keypair ed25519_generate();
Ed25519Keypair ed25519_from_seed(const Ed25519Seed& seed);
Ed25519Signature ed25519_sign(const Ed25519SecretKey& secret, base::Bytes message);
// Strict verification: rejects non-canonical S, small-order and non-canonical public keys.
bool ed25519_verify(const PublicKey& public_key, base::Bytes message,
                    const Ed25519Signature& signature);
// True when the 32 bytes encode a valid Ed25519 point of large order.
bool ed25519_is_valid_public(const PublicKey& public_key);

// The birationally equivalent X25519 public key; nullopt for an invalid Ed25519 key.
std::optional<PublicKey> ed25519_public_to_x25519(const PublicKey& public_key);
// The X25519 private scalar derived from the Ed25519 secret (clamped SHA-512 of the seed).
PrivateKey ed25519_secret_to_x25519(const Ed25519SecretKey& secret);

}  // namespace mw::crypto
