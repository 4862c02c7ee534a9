// SPDX-License-Identifier: Apache-2.0
// The handshake token bucket: refill by elapsed time, capped at the burst; spend one packet.
#include "wireguard/ratelimiter.h"

#include <algorithm>

#include "base/bytes.h"
#include "crypto/random.h"

namespace mw::wg {
namespace {

uint64_t random_seed() {
  uint64_t seed = 0;
  uint8_t b[8];
  crypto::random_bytes(b);
  for (uint8_t x : b) seed = seed << 8 | x;
  return seed;
}

}  // namespace

size_t Ratelimiter::KeyHash::operator()(const Key& k) const {
  // The 64-bit finaliser of MurmurHash3 over the seeded key.
  uint64_t x = k.bits ^ seed ^ (k.v6 ? 0x9e3779b97f4a7c15ull : 0);
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ull;
  x ^= x >> 33;
  return size_t(x);
}

Ratelimiter::Ratelimiter(size_t max_entries)
    : max_entries_(max_entries), table_(16, KeyHash{random_seed()}) {}

bool Ratelimiter::allow(const base::IpAddress& source, base::Instant now) {
  Key key;
  if (source.is_v4()) {
    key.bits = source.v4_host_order();
  } else if (source.is_v6()) {
    key.bits =
        uint64_t{base::load_u32be(source.data())} << 32 | base::load_u32be(source.data() + 4);
    key.v6 = true;
  } else {
    return false;
  }

  auto it = table_.find(key);
  if (it == table_.end()) {
    if (table_.size() >= max_entries_) return false;
    table_.emplace(key, Bucket{now, kTokenMax - kPacketCost});
    return true;
  }
  Bucket& b = it->second;
  // Refill by the time elapsed, capped at the burst; a clock that steps back grants nothing.
  const base::Duration elapsed = std::clamp(now - b.last_time, base::Duration::zero(), kTokenMax);
  const base::Duration tokens = std::min(b.tokens + elapsed, kTokenMax);
  b.last_time = std::max(now, b.last_time);
  if (tokens < kPacketCost) {
    b.tokens = tokens;
    return false;
  }
  b.tokens = tokens - kPacketCost;
  return true;
}

void Ratelimiter::gc(base::Instant now) {
  std::erase_if(table_, [now](const auto& kv) { return now - kv.second.last_time > kIdleTimeout; });
}

}  // namespace mw::wg
