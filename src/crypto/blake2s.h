// SPDX-License-Identifier: Apache-2.0
// BLAKE2s (RFC 7693) through OpenSSL 3, and WireGuard's constructions on it: HASH, MAC
// (keyed BLAKE2s-128), HMAC-BLAKE2s and the HKDF-style KDF1/2/3 of the Noise framework.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>

#include "base/bytes.h"
#include "crypto/keys.h"

namespace mw::crypto {

constexpr size_t kHashLen = 32;
constexpr size_t kMacLen = 16;

using Hash = std::array<uint8_t, kHashLen>;
using Mac = std::array<uint8_t, kMacLen>;

// BLAKE2s-256 of the concatenation of the parts.
Hash blake2s256(std::initializer_list<base::Bytes> parts);
inline Hash blake2s256(base::Bytes data) { return blake2s256({data}); }

// Keyed BLAKE2s with an output of out.size() bytes (1..32) and a key of 1..32 bytes, over the
// concatenation of the parts. WireGuard's MAC(key, msg) is this with a 16-byte output.
// Returns false on a bad key or output size.
[[nodiscard]] bool blake2s_keyed(base::Bytes key, std::initializer_list<base::Bytes> parts,
                                 base::MutableBytes out);
Mac wg_mac(base::Bytes key, base::Bytes data);

// HMAC (RFC 2104) with BLAKE2s-256 and its 64-byte block.
Hash hmac_blake2s(base::Bytes key, base::Bytes data);

// WireGuard/Noise KDF_n(key, input): t0 = HMAC(key, input); t1 = HMAC(t0, 0x1);
// t_{i+1} = HMAC(t0, t_i || i+1). Writes min(n, 3) outputs into the non-null pointers.
void wg_kdf(base::Bytes key, base::Bytes input, base::Secret<32>* t1, base::Secret<32>* t2,
            base::Secret<32>* t3);

}  // namespace mw::crypto
