// SPDX-License-Identifier: Apache-2.0
// Membership: construction, the receive dispatch, the timer loop, sending and the accessors.
// Admission, statements, probing and dissemination live in the membership_*.cc files.
#include "discovery/membership.h"

#include <algorithm>

namespace mw::swim {

Membership::Membership(const trust::Identity& self, trust::TrustStore trust, Config config,
                       std::function<uint64_t()> rng)
    : self_(self),
      wg_private_(trust::wireguard_private_key(self)),
      trust_(std::move(trust)),
      config_(config),
      rng_(std::move(rng)),
      table_(config.max_members),
      awareness_(config.awareness_max_multiplier),
      limiter_(config.unknown_sender_rate, config.unknown_sender_burst, config.max_sources),
      budget_(config.expensive_checks_rate, config.expensive_checks_burst),
      pair_keys_(config.pair_key_cache),
      intro_budget_(config.intro_rate, config.intro_burst),
      refused_budget_(config.refused_join_rate, config.refused_join_burst) {
  warm_pair_keys();
}

void Membership::start(base::Instant now, base::WallTime /*wall*/, uint64_t incarnation,
                       std::vector<base::Endpoint> announced,
                       std::optional<trust::Certificate> certificate, uint64_t counter_seed,
                       std::vector<CandidateKind> kinds) {
  if (announced.size() > kMaxEndpoints) announced.resize(kMaxEndpoints);
  kinds.resize(announced.size(), CandidateKind::kUnknown);
  announced_ = std::move(announced);
  announced_kinds_ = std::move(kinds);
  certificate_ = certificate ? trust::encode_certificate(*certificate) : std::vector<uint8_t>{};
  incarnation_ = incarnation;
  self_alive_ = make_alive(self_, incarnation_, announced_, certificate_, announced_kinds_);
  counter_ = std::max(counter_, counter_seed);
  started_ = true;
  left_ = false;
  // Spread the first probe and sync over an interval so that nodes started together do not
  // probe in lockstep.
  auto jitter = [&](base::Duration d) {
    int64_t n = d.to_nanos();
    return n > 0 ? base::Duration::nanos(static_cast<int64_t>(rng_() % static_cast<uint64_t>(n)))
                 : base::Duration::zero();
  };
  next_probe_ = now + jitter(config_.probe_interval);
  next_gossip_ = now + config_.gossip_interval;
  next_sync_ = now + config_.sync_interval / 2 + jitter(config_.sync_interval / 2);
  next_reconnect_ = now + config_.reconnect_interval;
}

bool Membership::set_announced(std::vector<base::Endpoint> announced,
                               std::vector<CandidateKind> kinds) {
  if (announced.size() > kMaxEndpoints) announced.resize(kMaxEndpoints);
  kinds.resize(announced.size(), CandidateKind::kUnknown);
  if (!started_ || left_ || (announced == announced_ && kinds == announced_kinds_)) return false;
  announced_ = std::move(announced);
  announced_kinds_ = std::move(kinds);
  if (incarnation_ < UINT64_MAX) ++incarnation_;
  self_alive_ = make_alive(self_, incarnation_, announced_, certificate_, announced_kinds_);
  broadcast(self_alive_);
  return true;
}

void Membership::add_seed(const base::Endpoint& seed, base::Instant now) {
  for (const Seed& s : seeds_) {
    if (s.endpoint == seed) return;
  }
  seeds_.push_back(Seed{seed, now, config_.join_retry_min});
}

bool Membership::is_mesh_datagram(base::Bytes d) { return !d.empty() && d[0] == kMeshMagic; }

void Membership::receive(base::Bytes datagram, const base::Endpoint& from, base::Instant now,
                         base::WallTime wall, Transport& out) {
  if (!started_ || left_) return;
  ++stats_.datagrams_received;
  Message msg;
  DecodeError err = decode_message(datagram, &msg);
  if (err != DecodeError::kOk) {
    drop(err == DecodeError::kBadVersion ? DropReason::kBadVersion : DropReason::kMalformed);
    return;
  }
  if (msg.sender == self_.public_key) return drop(DropReason::kUnknownSender);
  if (msg.type == MessageType::kPing && msg.target != self_.public_key) {
    return drop(DropReason::kWrongTarget);
  }
  Sender sender = authenticate(msg, datagram, from, now, wall, out);
  if (!sender.member) return;
  for (const GossipItem& g : msg.gossip) stats_.gossip_bytes_received += gossip_item_len(g);
  apply_gossip(msg, sender.skip_items, now, wall, out);
  // Applying gossip may have evicted or revived the sender: look it up again.
  Member* m = table_.find(msg.sender);
  if (!m) return;
  note_contact(*m, from, sender.newest, now, out);
  switch (msg.type) {
    case MessageType::kPing: handle_ping(msg, *m, from, out); break;
    case MessageType::kAck: handle_ack(msg, *m, from, now, out); break;
    case MessageType::kNack: handle_nack(msg, *m); break;
    case MessageType::kPingReq: handle_ping_req(msg, *m, from, now, out); break;
    case MessageType::kSync:
      if (m->join_chunks_left > 0) {
        continue_join(*m, from, out);
      } else if (msg.sync_flags & kSyncReplyWanted) {
        send_sync(*m, from, SyncReply::kNone, &sync_cursor_, nullptr, out);
      }
      break;
    case MessageType::kJoin: answer_join(*m, from, out); break;
    case MessageType::kGossip: break;
    case MessageType::kIntroReq: handle_intro_req(msg, *m, from, now, out); break;
    case MessageType::kIntro: handle_intro(msg, now, out); break;
  }
}

void Membership::tick(base::Instant now, base::WallTime /*wall*/, Transport& out) {
  if (!started_ || left_) return;
  tick_relays(now, out);
  tick_probe(now, out);
  // Both walk the table; nothing expires before the summary's earliest deadline (every change of
  // a state or suspicion marks the summary stale), so a large table is walked only when due.
  bool expiry_due = now >= summary().earliest;
  if (expiry_due) tick_suspicions(now);
  tick_gossip(now, out);
  tick_sync(now, out);
  tick_seeds(now, out);
  tick_punch(now, out);
  if (expiry_due) tick_retention(now);
}

base::Instant Membership::next_deadline() const {
  if (!started_ || left_) return base::Instant::max();
  base::Instant t = std::min({next_probe_, next_sync_, next_reconnect_});
  if (probe_.active) {
    t = std::min(t, probe_.end);
    if (!probe_.indirect_sent) t = std::min(t, probe_.direct_deadline);
  }
  if (!queue_.empty()) t = std::min(t, next_gossip_);
  for (const Relay& r : relays_) t = std::min(t, r.nack_at);
  for (const Punch& p : punches_) t = std::min(t, p.next);
  if (live_count() > 0) t = std::min(t, next_intro_scan_);
  if (!seeds_.empty() && alive_count() == 0) {
    for (const Seed& s : seeds_) t = std::min(t, s.next);
  }
  return std::min(t, summary().earliest);
}

const Membership::TableSummary& Membership::summary() const {
  if (!summary_.dirty) return summary_;
  summary_ = TableSummary{};
  summary_.dirty = false;
  for (const auto& [id, m] : table_.all()) {
    summary_.alive += m.view.state == MemberState::kAlive;
    summary_.live += m.live();
    if (m.suspicion) summary_.earliest = std::min(summary_.earliest, m.suspicion->deadline());
    if (!m.live()) {
      summary_.earliest = std::min(summary_.earliest, m.view.state_since + config_.dead_retention);
    }
  }
  return summary_;
}

void Membership::leave(base::Instant /*now*/, Transport& out) {
  if (!started_ || left_) return;
  Statement bye = make_accusation(self_, StatementKind::kLeave, self_.public_key, incarnation_);
  for (auto& [id, m] : table_.all()) {
    if (!m.live()) continue;
    std::vector<base::Endpoint> to = m.destinations();
    if (to.empty()) continue;
    Message g;
    g.type = MessageType::kGossip;
    send_to(m, to.front(), g, {GossipItem{bye, std::nullopt}}, false, out);
  }
  left_ = true;
}

std::vector<Event> Membership::take_events() { return std::exchange(events_, {}); }

std::vector<Observed> Membership::take_observed() { return std::exchange(observed_, {}); }

std::vector<MemberView> Membership::members() const {
  std::vector<MemberView> out;
  out.reserve(table_.size());
  for (const auto& [id, m] : table_.all()) out.push_back(m.view);
  return out;
}

const MemberView* Membership::find(const crypto::PublicKey& id) const {
  const Member* m = table_.find(id);
  return m ? &m->view : nullptr;
}

size_t Membership::alive_count() const { return summary().alive; }

size_t Membership::live_count() const { return summary().live; }

base::Duration Membership::probe_interval_now() const {
  return awareness_.scale(config_.probe_interval);
}

int Membership::suspicion_confirmations(const crypto::PublicKey& id) const {
  const Member* m = table_.find(id);
  return m && m->suspicion ? m->suspicion->confirmations() : -1;
}

std::optional<base::Instant> Membership::suspicion_deadline(const crypto::PublicKey& id) const {
  const Member* m = table_.find(id);
  if (!m || !m->suspicion) return std::nullopt;
  return m->suspicion->deadline();
}

void Membership::send_to(Member& m, const base::Endpoint& to, Message msg,
                         std::vector<GossipItem> prefix, bool piggyback, Transport& out) {
  if (!ensure_pair_key(m)) return;
  msg.sender = self_.public_key;
  // Every ack tells the pinger where its ping came from: its reflexive address, as we see it.
  if (msg.type == MessageType::kAck) msg.observed = to;
  // A member that has not heard from us may not know us: introduce ourselves first.
  if (!m.confirmed && (prefix.empty() || prefix.front().statement != self_alive_)) {
    prefix.insert(prefix.begin(), self_item());
  }
  msg.gossip = std::move(prefix);
  while (!msg.gossip.empty() && message_len(msg) > kMaxDatagramLen) msg.gossip.pop_back();
  size_t used = message_len(msg);
  // Rumours ride only to members we reach ourselves (a ping toward one behind a NAT we have
  // not punched would spend a retransmission on a datagram that never arrives).
  if (piggyback && m.view.direct && !queue_.empty() && used < kMaxDatagramLen &&
      msg.gossip.size() < kMaxGossipItems) {
    int limit = retransmit_limit(config_.retransmit_mult, live_count() + 1);
    for (GossipItem& g :
         queue_.take(kMaxDatagramLen - used, kMaxGossipItems - msg.gossip.size(), limit)) {
      msg.gossip.push_back(std::move(g));
    }
  }
  for (const GossipItem& g : msg.gossip) stats_.gossip_bytes_sent += gossip_item_len(g);
  send_sealed(to, msg, *m.pair_key, out);
}

void Membership::send_sealed(const base::Endpoint& to, Message& msg, const PairKey& key,
                             Transport& out) {
  msg.sender = self_.public_key;
  msg.counter = next_counter();
  std::vector<uint8_t> d = encode_message(msg);
  seal_mac(d, key);
  ++stats_.datagrams_sent;
  out.send(to, d);
}

void Membership::emit(EventKind kind, const PublicKey& id) { events_.push_back(Event{kind, id}); }

}  // namespace mw::swim
