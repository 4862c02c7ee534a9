// SPDX-License-Identifier: Apache-2.0
// TAI64N timestamps (cr.yp.to/libtai/tai64.html) as WireGuard puts them in initiations.
#pragma once

#include <array>
#include <cstdint>

#include "base/time.h"

namespace mw::wg {

// 8 bytes big-endian seconds (2^62 + 10 + Unix seconds) then 4 bytes big-endian nanoseconds.
using Tai64n = std::array<uint8_t, 12>;

// Nanoseconds are rounded down to a multiple of 2^24 (about 16.8 ms), as the kernel and
// wireguard-go do, so that a timestamp is no timing oracle.
Tai64n tai64n_from_wall(base::WallTime t);
// Strictly later, comparing the 12 bytes as one big-endian number.
bool tai64n_after(const Tai64n& a, const Tai64n& b);

}  // namespace mw::wg
