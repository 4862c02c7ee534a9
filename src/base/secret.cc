// SPDX-License-Identifier: Apache-2.0
// secure_wipe: a zeroing loop the compiler cannot elide.
#include "base/secret.h"

namespace mw::base {

void secure_wipe(void* p, size_t n) {
  volatile uint8_t* v = static_cast<volatile uint8_t*>(p);
  for (size_t i = 0; i < n; ++i) v[i] = 0;
  asm volatile("" : : "r"(p) : "memory");
}

}  // namespace mw::base
