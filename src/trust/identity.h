// SPDX-License-Identifier: Apache-2.0
// A node's (or an org's) Ed25519 identity, its file encodings (compatible with the original
// meshguard: identity.key is base64 of the 64-byte secret seed||public, identity.pub base64 of
// the 32-byte public key, each with a trailing newline), and the WireGuard key derived from it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "crypto/ed25519.h"
#include "crypto/keys.h"

namespace mw::trust {

using crypto::PublicKey;

struct Identity {
  crypto::Ed25519SecretKey secret;  // seed (32) || public key (32)
  PublicKey public_key{};
};

Identity generate_identity();

// "<88 base64 chars>\n" and "<44 base64 chars>\n".
std::string encode_identity_key(const Identity& id);
std::string encode_public_key_line(const PublicKey& key);
// The 44-character base64 text of a key, without newline.
std::string public_key_text(const PublicKey& key);

// Parses identity.key text (surrounding whitespace allowed). Errors say what is wrong without
// echoing key material: not base64, wrong length, or a public half that does not match the seed.
base::Result<Identity> parse_identity_key(std::string_view text);
// Parses a public key: exactly 44 base64 characters (surrounding whitespace allowed) decoding to
// 32 bytes that are a valid Ed25519 point of large order. Errors: "invalid base64 ...",
// "... decodes to N bytes, want 32", "not a valid Ed25519 public key".
base::Result<PublicKey> parse_public_key(std::string_view text);

// The WireGuard key pair derived from the identity by the standard Ed25519 -> X25519
// conversion; anyone can check that a WireGuard public key belongs to an identity.
crypto::PrivateKey wireguard_private_key(const Identity& id);
std::optional<PublicKey> wireguard_public_key(const PublicKey& identity);

}  // namespace mw::trust
