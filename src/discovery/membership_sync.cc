// SPDX-License-Identifier: Apache-2.0
// Dissemination and anti-entropy (docs/mesh.md §8): gossip rounds that drain the broadcast
// queue, periodic sync with a random member (bounded chunks, round-robin over the table) and
// with a random dead member (so healed partitions find each other), joins through seeds, and
// telling a dead member that still talks to us about its death so that it refutes.
#include <algorithm>

#include "discovery/membership.h"

namespace mw::swim {

void Membership::tick_gossip(base::Instant now, Transport& out) {
  if (now < next_gossip_ || queue_.empty()) return;
  next_gossip_ = now + config_.gossip_interval;
  // Only members we reach ourselves: a rumour sent where it cannot arrive (a member behind a NAT
  // no punch got through) spends one of its few retransmissions for nothing; members that do
  // reach it pass it on.
  std::vector<PublicKey> targets =
      random_members(static_cast<size_t>(std::max(config_.gossip_nodes, 0)), [&](const Member& m) {
        return (m.live() && m.view.direct) || (m.view.state == MemberState::kDead &&
                                               now - m.view.state_since < config_.gossip_to_dead);
      });
  for (const PublicKey& id : targets) {
    if (queue_.empty()) break;
    Member& m = *table_.find(id);
    std::vector<base::Endpoint> to = m.destinations();
    if (to.empty()) continue;
    Message g;
    g.type = MessageType::kGossip;
    send_to(m, to.front(), g, {}, true, out);
  }
}

void Membership::tick_sync(base::Instant now, Transport& out) {
  if (indirect_ > 0) next_sync_ = std::min(next_sync_, last_sync_ + config_.sync_interval_partial);
  if (now >= next_sync_) {
    last_sync_ = now;
    next_sync_ = now + config_.sync_interval;
    for (const PublicKey& id :
         random_members(1, [](const Member& m) { return m.live() && m.view.direct; })) {
      Member& m = *table_.find(id);
      std::vector<base::Endpoint> to = m.destinations();
      if (!to.empty()) send_sync(m, to.front(), SyncReply::kWanted, &sync_cursor_, nullptr, out);
    }
  }
  if (now < next_reconnect_) return;
  next_reconnect_ = now + config_.reconnect_interval;
  // Reconnect: a member we think dead may be alive behind a healed partition. Its own death
  // goes first so that it refutes.
  for (const PublicKey& id :
       random_members(1, [](const Member& m) { return m.view.state == MemberState::kDead; })) {
    Member& m = *table_.find(id);
    std::vector<base::Endpoint> to = m.destinations();
    if (!to.empty() && m.accusation) {
      send_sync(m, to.front(), SyncReply::kWanted, &sync_cursor_, &*m.accusation, out);
    }
  }
}

bool Membership::send_sync(Member& m, const base::Endpoint& to, SyncReply reply,
                           std::optional<PublicKey>* cursor, const Statement* first,
                           Transport& out) {
  Message sync;
  sync.type = MessageType::kSync;
  std::vector<GossipItem> items{self_item()};
  if (first) items.push_back(GossipItem{*first, std::nullopt});
  sync.gossip = items;
  size_t used = message_len(sync);
  bool wrapped = false;
  if (used < kMaxDatagramLen) {
    for (GossipItem& g :
         sync_items(kMaxDatagramLen - used, kMaxGossipItems - items.size(), cursor, &wrapped)) {
      items.push_back(std::move(g));
    }
  }
  bool wanted = reply == SyncReply::kWanted || (reply == SyncReply::kUntilDone && !wrapped);
  sync.sync_flags = wanted ? kSyncReplyWanted : 0;  // same length either way
  send_to(m, to, sync, std::move(items), false, out);
  return wrapped;
}

std::vector<GossipItem> Membership::sync_items(size_t budget, size_t max_count,
                                               std::optional<PublicKey>* cursor,
                                               bool* wrapped) const {
  std::vector<GossipItem> out;
  *wrapped = false;
  const auto& all = table_.all();
  auto it = *cursor ? all.upper_bound(**cursor) : all.begin();
  for (size_t visited = 0; visited < all.size(); ++visited) {
    if (it == all.end()) it = all.begin();  // a cursor left on the last member: start over
    const Member& m = it->second;
    // A live member's claim (and its suspicion); only the accusation of a dead or left one,
    // which matters only to peers that still know it.
    std::vector<GossipItem> add;
    if (m.live()) add.push_back(GossipItem{m.alive, m.authenticated});
    if (m.accusation) add.push_back(GossipItem{*m.accusation, m.authenticated});
    size_t len = 0;
    for (const GossipItem& g : add) len += gossip_item_len(g);
    bool fits = len <= budget && out.size() + add.size() <= max_count;
    if (!fits && !out.empty()) return out;
    if (fits) {  // else it never fits: skip it rather than stall the round robin on it
      budget -= len;
      for (GossipItem& g : add) out.push_back(std::move(g));
    }
    *cursor = it->first;
    if (++it == all.end()) {
      // The chunk reached the end of the table: a join answer is complete; the round robin of
      // periodic syncs goes on from the start next time.
      *wrapped = true;
      return out;
    }
  }
  *wrapped = true;
  return out;
}

void Membership::answer_join(Member& m, const base::Endpoint& to, Transport& out) {
  // One chunk only: the join's source is unauthenticated (a replayed join may come from a
  // spoofed address), so the answer must not amplify. It asks for a reply; the next chunks go
  // one per authenticated sync from the joiner (continue_join), to the address it came from.
  m.join_cursor.reset();
  // Always asks for a reply, even when complete: the joiner's reply is its first authenticated
  // datagram (the join's source is not authenticated).
  bool done = send_sync(m, to, SyncReply::kWanted, &m.join_cursor, nullptr, out);
  m.join_chunks_left = done ? 0 : std::max(config_.join_sync_chunks - 1, 0);
}

void Membership::continue_join(Member& m, const base::Endpoint& to, Transport& out) {
  if (m.join_chunks_left <= 0) return;
  --m.join_chunks_left;
  bool done = send_sync(m, to, m.join_chunks_left > 0 ? SyncReply::kUntilDone : SyncReply::kNone,
                        &m.join_cursor, nullptr, out);
  if (done) m.join_chunks_left = 0;
}

void Membership::tick_seeds(base::Instant now, Transport& out) {
  if (seeds_.empty()) return;
  if (alive_count() > 0) {
    for (Seed& s : seeds_) s.backoff = config_.join_retry_min;
    return;
  }
  for (Seed& s : seeds_) {
    if (now < s.next) continue;
    send_join(s.endpoint, out);
    s.next = now + s.backoff;
    s.backoff = std::min(s.backoff * 2, config_.join_retry_max);
  }
}

void Membership::send_join(const base::Endpoint& to, Transport& out) {
  Message join;
  join.type = MessageType::kJoin;
  join.sender = self_.public_key;
  join.counter = next_counter();
  join.gossip.push_back(self_item());
  stats_.gossip_bytes_sent += gossip_item_len(join.gossip.front());
  std::vector<uint8_t> d = encode_message(join);
  sign_join(d, self_);
  seal_join(d);
  ++stats_.datagrams_sent;
  out.send(to, d);
}

void Membership::tell_dead(Member& m, const base::Endpoint& to, base::Instant now, Transport& out) {
  if (!m.accusation ||
      (m.told_dead != base::Instant{} && now - m.told_dead < config_.probe_interval)) {
    return;
  }
  m.told_dead = now;
  Message g;
  g.type = MessageType::kGossip;
  send_to(m, to, g, {GossipItem{*m.accusation, std::nullopt}}, false, out);
}

}  // namespace mw::swim
