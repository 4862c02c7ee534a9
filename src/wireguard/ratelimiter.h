// SPDX-License-Identifier: Apache-2.0
// Ratelimiter: a per-source token bucket for handshake messages, as in the kernel and wireguard-go.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>

#include "base/ip_address.h"
#include "base/time.h"

namespace mw::wg {

// Allows each source 20 handshake messages per second with a burst of 5 (kernel ratelimiter.c,
// wireguard-go ratelimiter.go). A source is an IPv4 address or an IPv6 /64. The table is
// bounded: when it holds max_entries sources, a new source is denied and not inserted. It runs
// after mac2 has proven the source address (whitepaper §5.3), so a spoofer cannot fill it.
//
// Pure: the caller passes `now` and runs gc() from a timer. Not thread-safe.
class Ratelimiter {
 public:
  static constexpr int64_t kPacketsPerSecond = 20;
  static constexpr int64_t kPacketsBurstable = 5;
  static constexpr base::Duration kPacketCost = base::Duration::seconds(1) / kPacketsPerSecond;
  static constexpr base::Duration kTokenMax = kPacketCost * kPacketsBurstable;
  // gc() drops sources idle for longer than this.
  static constexpr base::Duration kIdleTimeout = base::Duration::seconds(1);
  static constexpr size_t kDefaultMaxEntries = 65536;

  explicit Ratelimiter(size_t max_entries = kDefaultMaxEntries);

  // Spends one packet from source's bucket; false when the bucket is empty, the table is full
  // and source is new, or source has no address family.
  bool allow(const base::IpAddress& source, base::Instant now);
  // Drops every source idle for more than kIdleTimeout.
  void gc(base::Instant now);
  size_t size() const { return table_.size(); }
  size_t max_entries() const { return max_entries_; }

 private:
  struct Key {
    uint64_t bits = 0;  // the IPv4 address, or the top 64 bits of the IPv6 address
    bool v6 = false;
    bool operator==(const Key&) const = default;
  };
  // Keyed with a random seed so that sources cannot be chosen to collide in one bucket chain.
  struct KeyHash {
    uint64_t seed = 0;
    size_t operator()(const Key& k) const;
  };
  struct Bucket {
    base::Instant last_time;
    base::Duration tokens;
  };

  size_t max_entries_;
  std::unordered_map<Key, Bucket, KeyHash> table_;
};

}  // namespace mw::wg
