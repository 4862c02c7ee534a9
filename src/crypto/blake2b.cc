// SPDX-License-Identifier: Apache-2.0
// BLAKE2b via libsodium.
#include "crypto/blake2b.h"

#include <sodium.h>

#include "crypto/random.h"

namespace mw::crypto {

bool blake2b(base::Bytes data, base::MutableBytes out) {
  if (out.size() < crypto_generichash_BYTES_MIN || out.size() > crypto_generichash_BYTES_MAX)
    return false;
  ensure_sodium_init();
  return crypto_generichash(out.data(), out.size(), data.data(), data.size(), nullptr, 0) == 0;
}

}  // namespace mw::crypto
