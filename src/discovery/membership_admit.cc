// SPDX-License-Identifier: Apache-2.0
// Who sent a datagram and whether to listen (docs/mesh.md §5): members are authenticated by
// their cached pair key and replay window; unknown senders pass a cheap trust check, a
// per-source rate limit and the node's global budget before any X25519 or Ed25519 work, and a
// trusted identity's pair key is computed once. Also trust reloads.
#include <algorithm>
#include <utility>

#include "discovery/membership.h"

namespace mw::swim {

Membership::Sender Membership::authenticate(const Message& msg, base::Bytes datagram,
                                            const base::Endpoint& from, base::Instant now,
                                            base::WallTime wall, Transport& out) {
  Member* m = table_.find(msg.sender);
  if (!m) {
    Member* admitted = admit_unknown(msg, datagram, from, now, wall, out);
    return Sender{admitted, admitted ? size_t{1} : 0, true};
  }
  if (!m->replay.fresh(msg.counter)) {
    drop(DropReason::kReplayed);
    return {};
  }
  if (msg.type == MessageType::kJoin) {
    // A rejoining member does not know who it talks to either: its join is signed.
    if (!check_join_mac(datagram)) {
      drop(DropReason::kBadMac);
      return {};
    }
    if (!limiter_.allow(from.address, now)) {
      drop(DropReason::kRateLimited);
      return {};
    }
    if (!spend_budget(now)) return {};
    if (!verify_join_signature(datagram, msg.sender)) {
      drop(DropReason::kBadSignature);
      return {};
    }
  } else if (!ensure_pair_key(*m) || !check_mac(datagram, *m->pair_key)) {
    drop(DropReason::kBadMac);
    return {};
  }
  // A join is signed but not bound to its receiver (anyone may replay it to us from anywhere):
  // its counter is recorded, but it never moves a known member's authenticated endpoint.
  bool newest = msg.type != MessageType::kJoin && msg.counter > m->replay.highest();
  m->replay.accept(msg.counter);
  return Sender{m, 0, newest};
}

Member* Membership::admit_unknown(const Message& msg, base::Bytes datagram,
                                  const base::Endpoint& from, base::Instant now,
                                  base::WallTime wall, Transport& out) {
  // Cheap checks first: replay of a forgotten member, trust without certificate, table room.
  if (!ReplayWindow(table_.tombstone(msg.sender)).fresh(msg.counter)) {
    drop(DropReason::kReplayed);
    return nullptr;
  }
  const Statement* claim = nullptr;
  if (!msg.gossip.empty()) {
    const Statement& s = msg.gossip.front().statement;
    if (s.kind == StatementKind::kAlive && s.subject == msg.sender) claim = &s;
  }
  trust::Decision decision = trust::authorize(trust_, msg.sender, nullptr, wall);
  std::optional<trust::Certificate> cert;
  if (claim && !claim->certificate.empty()) {
    auto decoded = trust::decode_certificate(claim->certificate);
    if (decoded.ok()) cert = std::move(decoded.value());
  }
  if (!decision.admitted() && !cert) {
    drop(DropReason::kNotTrusted);
    note_refused_join(msg, datagram, from, now, decision.detail);
    return nullptr;
  }
  if (claim && !has_room()) {
    drop(DropReason::kTableFull);
    return nullptr;
  }
  // Expensive work from here on: at most a few per second per source prefix, and each
  // X25519 or Ed25519 from the node's budget for all sources together. An authorized sender
  // whose pair key is already known (all authorized keys are, from the trust load) costs a MAC
  // check first, so it skips the per-prefix limit: nodes of one LAN /24 that start together
  // are not held to 5 first contacts per second.
  // The same for its joins (their Ed25519 still comes from the budget).
  bool known_key = decision.admitted() && pair_keys_.find(msg.sender) != nullptr;
  if (!known_key && !limiter_.allow(from.address, now)) {
    drop(DropReason::kRateLimited);
    return nullptr;
  }
  if (!decision.admitted()) {
    if (!spend_budget(now)) return nullptr;
    decision = trust::authorize(trust_, msg.sender, &*cert, wall);
    if (!decision.admitted()) {
      drop(DropReason::kNotTrusted);
      note_refused_join(msg, datagram, from, now, decision.detail);
      return nullptr;
    }
  }
  std::optional<PairKey> key;
  if (msg.type == MessageType::kJoin) {
    if (!check_join_mac(datagram)) {
      drop(DropReason::kBadMac);
      return nullptr;
    }
    if (!spend_budget(now)) return nullptr;
    if (!verify_join_signature(datagram, msg.sender)) {
      drop(DropReason::kBadSignature);
      return nullptr;
    }
  } else {
    // A trusted identity's pair key is computed once (cached), however many datagrams claim it.
    const PairKey* cached = pair_keys_.find(msg.sender);
    if (!cached) {
      if (!spend_budget(now)) return nullptr;
      if (auto derived = derive_pair_key(wg_private_, self_.public_key, msg.sender))
        cached = &pair_keys_.insert(msg.sender, *derived);
    }
    if (!cached || !check_mac(datagram, *cached)) {
      drop(DropReason::kBadMac);
      return nullptr;
    }
    key = *cached;
  }
  if (!claim) {
    // An admitted sender we have no claim for (we forgot it, or its gossip has not reached us):
    // ask for its claim with a sync carrying ours.
    Message ask;
    ask.type = MessageType::kSync;
    ask.sync_flags = kSyncReplyWanted;
    ask.gossip.push_back(self_item());
    stats_.gossip_bytes_sent += gossip_item_len(ask.gossip.front());
    send_sealed(from, ask, *key, out);
    drop(DropReason::kUnknownSender);
    return nullptr;
  }
  if (!spend_budget(now)) return nullptr;
  if (!verify_statement(*claim)) {
    drop(DropReason::kBadSignature);
    return nullptr;
  }
  Member* m = create_member(*claim, decision, std::move(cert), now);
  if (!m) {
    drop(DropReason::kTableFull);
    return nullptr;
  }
  if (key) m->pair_key = std::move(key);
  m->replay.accept(msg.counter);
  return m;
}

void Membership::note_contact(Member& m, const base::Endpoint& from, bool newest, base::Instant now,
                              Transport& out) {
  m.heard_at = now;
  // Roaming: only a datagram newer than all before it may move the member's endpoint, so a
  // replayed (or reordered) datagram from an old address cannot.
  if (newest && m.authenticated != from) {
    bool roamed = m.authenticated.has_value() && m.confirmed && m.joined;
    m.authenticated = from;
    m.refresh_endpoint();
    if (roamed) emit(EventKind::kUpdated, m.view.id);
  }
  // Confirmed means reachable at an authenticated address: a contact that did not set one (a
  // join from a known member, a reordered datagram after a revival) does not confirm.
  if (m.live() && !m.confirmed && m.authenticated) {
    m.confirmed = true;
    m.view.direct = m.direct();
    emit(m.joined ? EventKind::kUpdated : EventKind::kJoined, m.view.id);
    m.joined = true;
  }
  if (m.view.state == MemberState::kDead) tell_dead(m, from, now, out);
}

bool Membership::ensure_pair_key(Member& m) {
  if (m.pair_key) return true;
  if (const PairKey* cached = pair_keys_.find(m.view.id)) {
    m.pair_key = *cached;
  } else if (auto derived = derive_pair_key(wg_private_, self_.public_key, m.view.id)) {
    m.pair_key = pair_keys_.insert(m.view.id, *derived);
  }
  return m.pair_key.has_value();
}

void Membership::note_refused_join(const Message& msg, base::Bytes datagram,
                                   const base::Endpoint& from, base::Instant now,
                                   const std::string& why) {
  if (msg.type != MessageType::kJoin) return;
  auto noted = refused_noted_.find(msg.sender);
  if (noted != refused_noted_.end() && now - noted->second < config_.refused_join_interval) return;
  // Only a join the key's holder signed is reported: a forged one must not put a key in the
  // log. Its checks come from a budget of their own, so a flood of them costs the admission of
  // real members nothing.
  if (!check_join_mac(datagram) || !refused_budget_.allow(now) ||
      !verify_join_signature(datagram, msg.sender))
    return;
  if (noted == refused_noted_.end() && refused_noted_.size() >= 64) {
    auto oldest =
        std::min_element(refused_noted_.begin(), refused_noted_.end(),
                         [](const auto& a, const auto& b) { return a.second < b.second; });
    refused_noted_.erase(oldest);
  }
  refused_noted_[msg.sender] = now;
  if (refused_.size() < 16) refused_.push_back(RefusedJoin{msg.sender, from, why});
}

std::vector<RefusedJoin> Membership::take_refused_joins() { return std::exchange(refused_, {}); }

bool Membership::spend_budget(base::Instant now) {
  if (budget_.allow(now)) return true;
  drop(DropReason::kOverBudget);
  return false;
}

bool Membership::has_room() {
  return table_.size() < config_.max_members || table_.eviction_candidate().has_value();
}

void Membership::warm_pair_keys() {
  // Bounded by the cache: beyond its capacity the oldest would only be evicted again.
  size_t room = config_.pair_key_cache;
  for (const PublicKey& id : trust_.authorized_keys()) {
    if (room-- == 0) break;
    if (id == self_.public_key || pair_keys_.find(id)) continue;
    if (auto derived = derive_pair_key(wg_private_, self_.public_key, id)) {
      pair_keys_.insert(id, *derived);
    }
  }
}

void Membership::set_trust(trust::TrustStore trust, base::WallTime wall) {
  trust_ = std::move(trust);
  warm_pair_keys();
  std::vector<PublicKey> gone;
  for (auto& [id, m] : table_.all()) {
    const trust::Certificate* cert = m.view.certificate ? &*m.view.certificate : nullptr;
    trust::Decision d = trust::authorize(trust_, id, cert, wall);
    if (d.admitted()) {
      m.view.admitted_by = std::move(d.detail);
    } else {
      gone.push_back(id);
    }
  }
  for (const PublicKey& id : gone) forget(id, true);
}

}  // namespace mw::swim
