// SPDX-License-Identifier: Apache-2.0
// The CSPRNG (libsodium's randombytes, getrandom underneath).
#pragma once

#include <cstdint>

#include "base/bytes.h"

namespace mw::crypto {

// Initialises libsodium once; every primitive that uses it calls this first. Thread-safe.
void ensure_sodium_init();
void random_bytes(base::MutableBytes out);
uint32_t random_u32();
// Uniform in [0, bound) without modulo bias; bound > 0.
uint32_t random_uniform(uint32_t bound);

}  // namespace mw::crypto
