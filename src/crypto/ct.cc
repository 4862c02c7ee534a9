// SPDX-License-Identifier: Apache-2.0
// Constant-time comparison over OpenSSL's CRYPTO_memcmp.
#include "crypto/ct.h"

#include <openssl/crypto.h>

namespace mw::crypto {

bool ct_equal(base::Bytes a, base::Bytes b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool ct_is_zero(base::Bytes a) {
  volatile uint8_t acc = 0;
  for (uint8_t b : a) acc = acc | b;
  return acc == 0;
}

}  // namespace mw::crypto
