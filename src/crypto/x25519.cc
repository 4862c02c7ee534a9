// SPDX-License-Identifier: Apache-2.0
// X25519 via libsodium's crypto_scalarmult, which already refuses an all-zero output.
#include "crypto/x25519.h"

#include <sodium.h>

#include "crypto/random.h"

namespace mw::crypto {

void x25519_clamp(PrivateKey& key) {
  key[0] &= 248;
  key[31] = uint8_t((key[31] & 127) | 64);
}

PrivateKey x25519_generate() {
  PrivateKey k;
  random_bytes(k.span());
  x25519_clamp(k);
  return k;
}

PublicKey x25519_public(const PrivateKey& priv) {
  ensure_sodium_init();
  PublicKey pub;
  crypto_scalarmult_base(pub.data(), priv.data());
  return pub;
}

bool x25519(SymmetricKey& out, const PrivateKey& priv, const PublicKey& pub) {
  ensure_sodium_init();
  if (crypto_scalarmult(out.data(), priv.data(), pub.data()) != 0) {
    out.wipe();
    return false;
  }
  return true;
}

}  // namespace mw::crypto
