// SPDX-License-Identifier: Apache-2.0
// The transmit-limited gossip queue (memberlist queue.go, simplified to a sorted vector).
#include "discovery/broadcast_queue.h"

#include <algorithm>
#include <cmath>

namespace mw::swim {

int retransmit_limit(int retransmit_mult, size_t n) {
  return retransmit_mult * static_cast<int>(std::ceil(std::log10(static_cast<double>(n) + 1)));
}

void BroadcastQueue::push(GossipItem item) {
  const PublicKey& subject = item.statement.subject;
  std::erase_if(items_, [&](const Entry& e) { return e.item.statement.subject == subject; });
  if (items_.size() >= max_items_) {
    auto victim =
        std::max_element(items_.begin(), items_.end(), [](const Entry& a, const Entry& b) {
          return a.transmits != b.transmits ? a.transmits < b.transmits : a.id > b.id;
        });
    items_.erase(victim);
  }
  size_t len = gossip_item_len(item);
  items_.push_back(Entry{std::move(item), len, 0, next_id_++});
}

std::vector<GossipItem> BroadcastQueue::take(size_t budget, size_t max_count, int limit) {
  std::sort(items_.begin(), items_.end(), [](const Entry& a, const Entry& b) {
    return a.transmits != b.transmits ? a.transmits < b.transmits : a.id > b.id;
  });
  std::vector<GossipItem> out;
  for (Entry& e : items_) {
    if (out.size() >= max_count) break;
    if (e.len > budget) continue;
    budget -= e.len;
    out.push_back(e.item);
    ++e.transmits;
  }
  std::erase_if(items_, [&](const Entry& e) { return e.transmits >= limit; });
  return out;
}

void BroadcastQueue::remove_about(const PublicKey& id) {
  std::erase_if(items_, [&](const Entry& e) {
    return e.item.statement.subject == id || e.item.statement.author == id;
  });
}

}  // namespace mw::swim
