// SPDX-License-Identifier: Apache-2.0
// TAI64N encoding and ordering.
#include "wireguard/tai64n.h"

#include <cstring>

#include "base/bytes.h"

namespace mw::wg {
namespace {
constexpr uint64_t kTai64Base = 0x400000000000000aull;
constexpr uint32_t kWhitenerMask = 0x1000000 - 1;
}  // namespace

Tai64n tai64n_from_wall(base::WallTime t) {
  int64_t secs = t.unix_nanos / 1000'000'000;
  int64_t nanos = t.unix_nanos % 1000'000'000;
  if (nanos < 0) {
    nanos += 1000'000'000;
    secs -= 1;
  }
  Tai64n out;
  uint64_t s = kTai64Base + uint64_t(secs);
  base::store_u32be(out.data(), uint32_t(s >> 32));
  base::store_u32be(out.data() + 4, uint32_t(s));
  base::store_u32be(out.data() + 8, uint32_t(nanos) & ~kWhitenerMask);
  return out;
}

bool tai64n_after(const Tai64n& a, const Tai64n& b) {
  return std::memcmp(a.data(), b.data(), a.size()) > 0;
}

}  // namespace mw::wg
