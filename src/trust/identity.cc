// SPDX-License-Identifier: Apache-2.0
// Identity generation, the identity.key / identity.pub text encodings and the WireGuard key
// derived from an identity (SHA-512 of the seed, clamped: libsodium's Ed25519 -> X25519).
#include "trust/identity.h"

#include <vector>

#include "base/encoding.h"
#include "base/secret.h"
#include "crypto/ct.h"
#include "trust/text_util.h"

namespace mw::trust {

namespace {

constexpr size_t kPublicKeyChars = 44;    // base64 of 32 bytes
constexpr size_t kIdentityKeyChars = 88;  // base64 of 64 bytes

// A heap buffer of decoded key material that is wiped when it goes out of scope.
struct WipedBytes {
  std::vector<uint8_t> bytes;
  ~WipedBytes() { base::secure_wipe(bytes.data(), bytes.size()); }
};

}  // namespace

Identity generate_identity() {
  crypto::Ed25519Keypair kp = crypto::ed25519_generate();
  return Identity{kp.secret, kp.public_key};
}

std::string encode_identity_key(const Identity& id) {
  return base::base64_encode(id.secret.span()) + "\n";
}

std::string encode_public_key_line(const PublicKey& key) { return public_key_text(key) + "\n"; }

std::string public_key_text(const PublicKey& key) { return base::base64_encode(key); }

base::Result<Identity> parse_identity_key(std::string_view text) {
  text = internal::trim_space(text);
  if (text.size() != kIdentityKeyChars) {
    return base::make_error("invalid base64 identity key: {} characters, want {}", text.size(),
                            kIdentityKeyChars);
  }
  WipedBytes decoded;
  if (auto bytes = base::base64_decode(text)) {
    decoded.bytes = std::move(*bytes);
  } else {
    return base::make_error("invalid base64 in identity key");
  }
  if (decoded.bytes.size() != crypto::Ed25519SecretKey::size()) {
    return base::make_error("identity key decodes to {} bytes, want {}", decoded.bytes.size(),
                            crypto::Ed25519SecretKey::size());
  }
  crypto::Ed25519Seed seed(std::span<const uint8_t, 32>(decoded.bytes.data(), 32));
  crypto::Ed25519Keypair kp = crypto::ed25519_from_seed(seed);
  if (!crypto::ct_equal(kp.public_key, base::Bytes(decoded.bytes.data() + 32, 32))) {
    return base::make_error("identity key's public half does not match its seed");
  }
  return Identity{kp.secret, kp.public_key};
}

base::Result<PublicKey> parse_public_key(std::string_view text) {
  text = internal::trim_space(text);
  if (text.size() != kPublicKeyChars) {
    return base::make_error("invalid base64 public key: {} characters, want {}", text.size(),
                            kPublicKeyChars);
  }
  auto bytes = base::base64_decode(text);
  if (!bytes) return base::make_error("invalid base64 in public key");
  PublicKey key{};
  if (bytes->size() != key.size()) {
    return base::make_error("public key decodes to {} bytes, want {}", bytes->size(), key.size());
  }
  std::copy(bytes->begin(), bytes->end(), key.begin());
  if (!crypto::ed25519_is_valid_public(key)) {
    return base::make_error("not a valid Ed25519 public key");
  }
  return key;
}

crypto::PrivateKey wireguard_private_key(const Identity& id) {
  return crypto::ed25519_secret_to_x25519(id.secret);
}

std::optional<PublicKey> wireguard_public_key(const PublicKey& identity) {
  return crypto::ed25519_public_to_x25519(identity);
}

}  // namespace mw::trust
