// SPDX-License-Identifier: Apache-2.0
// Deterministic identities for trust tests: the same small number always gives the same key.
#pragma once

#include <cstdint>

#include "crypto/ed25519.h"
#include "trust/identity.h"

namespace mw::trust::testing {

// The identity whose Ed25519 seed is 32 bytes of `n`.
inline Identity identity_from_byte(uint8_t n) {
  crypto::Ed25519Seed seed;
  for (size_t i = 0; i < seed.size(); ++i) seed[i] = n;
  crypto::Ed25519Keypair kp = crypto::ed25519_from_seed(seed);
  return Identity{kp.secret, kp.public_key};
}

}  // namespace mw::trust::testing
