// SPDX-License-Identifier: Apache-2.0
// Token buckets per source prefix for the unknown-sender path (docs/mesh.md §5).
#include "discovery/source_limiter.h"

#include <algorithm>

namespace mw::swim {

TokenBucket::TokenBucket(int rate, int burst)
    : cost_(base::Duration::seconds(1) / std::max(rate, 1)),
      max_tokens_(cost_ * std::max(burst, 1)),
      tokens_(max_tokens_) {}

bool TokenBucket::allow(base::Instant now) {
  if (last_ && now > *last_) tokens_ = std::min(max_tokens_, tokens_ + (now - *last_));
  if (!last_ || now > *last_) last_ = now;
  if (tokens_ < cost_) return false;
  tokens_ -= cost_;
  return true;
}

SourceLimiter::SourceLimiter(int rate, int burst, size_t max_sources)
    : rate_(rate), burst_(burst), max_sources_(std::max<size_t>(max_sources, 1)) {}

bool SourceLimiter::allow(const base::IpAddress& source, base::Instant now) {
  if (source.empty()) return false;
  const uint8_t* p = source.data();
  uint64_t bits = 0;
  size_t n = source.is_v4() ? 3 : 8;
  for (size_t i = 0; i < n; ++i) bits = bits << 8 | p[i];
  Key key{bits, source.is_v6()};
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    // Full: evict the least recently used source (it starts over with a full burst if it
    // comes back, which is no more than a new source gets).
    while (buckets_.size() >= max_sources_) {
      buckets_.erase(lru_.back());
      lru_.pop_back();
    }
    lru_.push_front(key);
    it = buckets_.emplace(key, Bucket{TokenBucket(rate_, burst_), lru_.begin()}).first;
  } else {
    lru_.splice(lru_.begin(), lru_, it->second.lru);
  }
  return it->second.tokens.allow(now);
}

}  // namespace mw::swim
