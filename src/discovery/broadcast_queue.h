// SPDX-License-Identifier: Apache-2.0
// BroadcastQueue: statements waiting to be piggybacked on outgoing datagrams, each sent a
// limited number of times (memberlist TransmitLimitedQueue).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "discovery/statement.h"

namespace mw::swim {

// retransmit_mult * ceil(log10(n + 1)) for n members (self included): enough for a statement
// to reach everyone with high probability in an epidemic.
int retransmit_limit(int retransmit_mult, size_t n);

// Items are taken fewest-transmissions first, then newest first. A newer statement about a
// subject replaces any queued one about the same subject (the caller only queues statements
// that changed its view, so the new one supersedes). Bounded: when full the oldest, most
// transmitted item is dropped.
class BroadcastQueue {
 public:
  explicit BroadcastQueue(size_t max_items = 1024) : max_items_(max_items) {}

  void push(GossipItem item);
  // Items whose encodings fit together in `budget` bytes, at most `max_count`. Each counts one
  // transmission; an item is dropped after `limit` transmissions.
  std::vector<GossipItem> take(size_t budget, size_t max_count, int limit);
  // Drops every item whose subject or author is `id` (a de-authorized member).
  void remove_about(const PublicKey& id);
  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }

 private:
  struct Entry {
    GossipItem item;
    size_t len;
    int transmits;
    uint64_t id;  // insertion order: higher is newer
  };
  size_t max_items_;
  uint64_t next_id_ = 0;
  std::vector<Entry> items_;
};

}  // namespace mw::swim
