// SPDX-License-Identifier: Apache-2.0
// Ed25519 over libsodium's crypto_sign_* and crypto_core_ed25519_*.
#include "crypto/ed25519.h"

#include <sodium.h>

#include "base/check.h"
#include "crypto/random.h"

namespace mw::crypto {

Ed25519Keypair ed25519_generate() {
  Ed25519Seed seed;
  random_bytes(seed.span());
  return ed25519_from_seed(seed);
}

Ed25519Keypair ed25519_from_seed(const Ed25519Seed& seed) {
  ensure_sodium_init();
  Ed25519Keypair kp;
  MW_CHECK(crypto_sign_seed_keypair(kp.public_key.data(), kp.secret.data(), seed.data()) == 0);
  return kp;
}

Ed25519Signature ed25519_sign(const Ed25519SecretKey& secret, base::Bytes message) {
  ensure_sodium_init();
  Ed25519Signature sig;
  MW_CHECK(crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(),
                                secret.data()) == 0);
  return sig;
}

bool ed25519_verify(const PublicKey& public_key, base::Bytes message,
                    const Ed25519Signature& signature) {
  ensure_sodium_init();
  return crypto_sign_verify_detached(signature.data(), message.data(), message.size(),
                                     public_key.data()) == 0;
}

bool ed25519_is_valid_public(const PublicKey& public_key) {
  ensure_sodium_init();
  return crypto_core_ed25519_is_valid_point(public_key.data()) == 1;
}

std::optional<PublicKey> ed25519_public_to_x25519(const PublicKey& public_key) {
  ensure_sodium_init();
  if (!ed25519_is_valid_public(public_key)) return std::nullopt;
  PublicKey out;
  if (crypto_sign_ed25519_pk_to_curve25519(out.data(), public_key.data()) != 0) return std::nullopt;
  return out;
}

PrivateKey ed25519_secret_to_x25519(const Ed25519SecretKey& secret) {
  ensure_sodium_init();
  PrivateKey out;
  MW_CHECK(crypto_sign_ed25519_sk_to_curve25519(out.data(), secret.data()) == 0);
  return out;
}

}  // namespace mw::crypto
