// SPDX-License-Identifier: Apache-2.0
// SourceLimiter: a per-source-prefix token bucket in front of the expensive checks (X25519,
// Ed25519) done for datagrams from senders that are not members yet; TokenBucket: one bucket,
// the node's global budget for those checks, which rotating sources cannot multiply.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <map>
#include <optional>
#include <utility>

#include "base/ip_address.h"
#include "base/time.h"

namespace mw::swim {

// A source is an IPv4 /24 or an IPv6 /64 (one host rarely owns less). Each source may spend
// `rate` tokens per second with a burst of `burst`. The table holds at most `max_sources`:
// when full, the least recently used source is evicted to make room (a new source is never
// denied for lack of room, so busy sources cannot lock out new joiners). O(log n) per call.
// Pure: the caller passes `now`.
// `rate` tokens per second with a burst of `burst`. Pure: the caller passes `now`.
class TokenBucket {
 public:
  TokenBucket(int rate, int burst);
  // Spends one token; false when there is none.
  bool allow(base::Instant now);

 private:
  base::Duration cost_;
  base::Duration max_tokens_;
  base::Duration tokens_;
  std::optional<base::Instant> last_;
};

class SourceLimiter {
 public:
  SourceLimiter(int rate, int burst, size_t max_sources);

  // Spends one token of the source's bucket; false when it is empty or the address has no
  // family.
  bool allow(const base::IpAddress& source, base::Instant now);
  size_t size() const { return buckets_.size(); }

 private:
  using Key = std::pair<uint64_t, bool>;  // prefix bits, is IPv6
  struct Bucket {
    TokenBucket tokens;
    std::list<Key>::iterator lru;  // its place in lru_
  };

  int rate_;
  int burst_;
  size_t max_sources_;
  std::map<Key, Bucket> buckets_;
  std::list<Key> lru_;  // most recently used first
};

}  // namespace mw::swim
