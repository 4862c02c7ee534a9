// SPDX-License-Identifier: Apache-2.0
// BLAKE2b (RFC 7693) over libsodium's crypto_generichash, for mesh address derivation.
#pragma once

#include "base/bytes.h"

namespace mw::crypto {

// Unkeyed BLAKE2b with an output of out.size() bytes (16..64). False on a bad size.
[[nodiscard]] bool blake2b(base::Bytes data, base::MutableBytes out);

}  // namespace mw::crypto
