// SPDX-License-Identifier: Apache-2.0
// Key and tag types shared by the crypto primitives.
#pragma once

#include <array>
#include <cstdint>

#include "base/secret.h"

namespace mw::crypto {

constexpr size_t kKeyLen = 32;
constexpr size_t kAeadTagLen = 16;

using PublicKey = std::array<uint8_t, kKeyLen>;  // X25519 or Ed25519 public key
using SymmetricKey = base::Secret<kKeyLen>;      // ChaCha20-Poly1305 key, chaining key, ...
using PrivateKey = base::Secret<kKeyLen>;        // X25519 private scalar

}  // namespace mw::crypto
