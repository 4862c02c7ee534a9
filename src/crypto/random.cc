// SPDX-License-Identifier: Apache-2.0
// CSPRNG over libsodium.
#include "crypto/random.h"

#include <sodium.h>

#include "base/check.h"

namespace mw::crypto {

void ensure_sodium_init() {
  static const bool ok = sodium_init() >= 0;
  MW_CHECK(ok);
}

void random_bytes(base::MutableBytes out) {
  if (out.empty()) return;  // randombytes_buf's buffer is declared nonnull
  ensure_sodium_init();
  randombytes_buf(out.data(), out.size());
}

uint32_t random_u32() {
  ensure_sodium_init();
  return randombytes_random();
}

uint32_t random_uniform(uint32_t bound) {
  ensure_sodium_init();
  return randombytes_uniform(bound);
}

}  // namespace mw::crypto
