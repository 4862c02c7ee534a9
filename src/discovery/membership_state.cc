// SPDX-License-Identifier: Apache-2.0
// Statements and the precedence rules (docs/mesh.md §6, as memberlist state.go): a cheap
// precedence check decides whether a statement would change our view, and only then are its
// author's admission and signature checked. Also refutation, suspicion expiry and forgetting.
#include <algorithm>

#include "discovery/membership.h"

namespace mw::swim {

void Membership::apply_gossip(const Message& msg, size_t skip, base::Instant now,
                              base::WallTime wall, Transport& out) {
  std::vector<PublicKey> created;
  for (size_t i = skip; i < msg.gossip.size(); ++i)
    apply_statement(msg.gossip[i], now, wall, &created);
  // A member learned from gossip is pinged directly before it counts as reachable.
  for (const PublicKey& id : created) {
    Member* m = table_.find(id);
    if (m && m->live() && !m->confirmed && id != msg.sender) send_ping(*m, next_seq_++, out);
  }
}

void Membership::apply_statement(const GossipItem& item, base::Instant now, base::WallTime wall,
                                 std::vector<PublicKey>* created) {
  const Statement& s = item.statement;
  if (s.subject == self_.public_key) return about_self(s, wall);
  switch (s.kind) {
    case StatementKind::kAlive: apply_alive(item, now, wall, created); break;
    case StatementKind::kSuspect: apply_suspect(s, now, wall); break;
    case StatementKind::kDead:
    case StatementKind::kLeave: apply_dead(s, now, wall); break;
  }
  if (item.hint) {
    Member* m = table_.find(s.subject);
    if (m && !m->authenticated && m->hint != item.hint) {
      m->hint = item.hint;
      m->refresh_endpoint();
    }
  }
}

void Membership::about_self(const Statement& s, base::WallTime wall) {
  if (left_) return;
  if (s.kind == StatementKind::kAlive) {
    // Only we sign our claims; a newer one than ours can only be an old life's: supersede it.
    if (s.incarnation == incarnation_) return already_known();  // our claim, gossiped back
    if (s.incarnation < incarnation_) return drop(DropReason::kStale);
    if (!verify_statement(s)) return drop(DropReason::kBadSignature);
    return refute(s.incarnation);
  }
  // An accusation refers to a claim of ours: one below our incarnation is stale, one above it
  // accuses a claim we never made (a forgery, or garbage such as dead(2^64-1) meant to exclude
  // us for good): drop it. Only an accusation at our own incarnation is refuted.
  if (s.incarnation != incarnation_) return drop(DropReason::kStale);
  if (!author_admitted(s.author, wall)) return drop(DropReason::kNotTrusted);
  if (!verify_statement(s)) return drop(DropReason::kBadSignature);
  refute(s.incarnation);
}

void Membership::refute(uint64_t accused_incarnation) {
  // Saturate, never wrap (an incarnation of 2^64-1 cannot be superseded, but never goes back).
  uint64_t next = accused_incarnation == UINT64_MAX ? UINT64_MAX : accused_incarnation + 1;
  incarnation_ = std::max(incarnation_, next);
  self_alive_ = make_alive(self_, incarnation_, announced_, certificate_, announced_kinds_);
  broadcast(self_alive_);
  ++stats_.refutations;
  // Lifeguard: being accused hints that we are the slow one.
  awareness_.apply_delta(1);
}

bool Membership::author_admitted(const PublicKey& author, base::WallTime wall) const {
  if (author == self_.public_key || table_.find(author)) return true;
  return trust::authorize(trust_, author, nullptr, wall).admitted();
}

void Membership::apply_alive(const GossipItem& item, base::Instant now, base::WallTime wall,
                             std::vector<PublicKey>* created) {
  const Statement& s = item.statement;
  Member* m = table_.find(s.subject);
  // alive(i) beats anything at an incarnation below i, and nothing at i or above: the same
  // incarnation never revives a dead or left member (no alive replay).
  if (m && s.incarnation == m->view.incarnation && m->view.state == MemberState::kAlive)
    return already_known();
  if (m && s.incarnation <= m->view.incarnation) return drop(DropReason::kStale);
  if (!m && !has_room()) return drop(DropReason::kTableFull);
  bool same_cert = m && m->alive.certificate == s.certificate;
  std::optional<trust::Certificate> cert;  // decoded only when it is news
  if (!same_cert && !s.certificate.empty()) {
    auto decoded = trust::decode_certificate(s.certificate);
    if (decoded.ok()) cert = std::move(decoded.value());
  }
  trust::Decision decision;
  if (!same_cert) {
    decision = trust::authorize(trust_, s.subject, cert ? &*cert : nullptr, wall);
    if (!decision.admitted()) return drop(DropReason::kNotTrusted);
  }
  if (!verify_statement(s)) return drop(DropReason::kBadSignature);
  if (!m) {
    if (create_member(s, decision, std::move(cert), now, item.hint)) {
      created->push_back(s.subject);
    }
    return;
  }
  if (!same_cert) {
    m->view.certificate = std::move(cert);
    m->view.admitted_by = std::move(decision.detail);
  }
  bool revived = !m->live();
  update_claim(*m, s, now);
  if (revived) {
    // Back from the dead (a restart): its old address may be gone, so ping it afresh.
    m->confirmed = false;
    m->view.direct = false;
    m->authenticated.reset();
    m->refresh_endpoint();
    created->push_back(s.subject);
  } else if (m->confirmed && m->joined) {
    // Every newer claim of a joined member is an update, even with the same endpoints and
    // certificate: it restarted or refuted, and the node re-handshakes WireGuard with it.
    emit(EventKind::kUpdated, s.subject);
  }
  broadcast(s);
}

void Membership::apply_suspect(const Statement& s, base::Instant now, base::WallTime wall) {
  Member* m = table_.find(s.subject);
  if (!m) return drop(DropReason::kUnknownSubject);
  // suspect(i) beats alive(j) iff i >= j; dead and left are not undone by a suspicion.
  // An accusation above the incarnation we know accuses a claim we have not seen (possibly one
  // never made, e.g. suspect(2^64-1)): stale until the claim reaches us.
  if (!m->live() || s.incarnation != m->view.incarnation) return drop(DropReason::kStale);
  bool confirmation =
      m->view.state == MemberState::kSuspect && s.incarnation == m->view.incarnation;
  if (confirmation && (!m->suspicion || !m->suspicion->would_confirm(s.author))) {
    return drop(DropReason::kStale);
  }
  if (!author_admitted(s.author, wall)) return drop(DropReason::kNotTrusted);
  if (!verify_statement(s)) return drop(DropReason::kBadSignature);
  if (confirmation) {
    m->suspicion->confirm(s.author);
    table_changed();
    broadcast(s);
    return;
  }
  suspect_member(*m, s, now);
}

void Membership::apply_dead(const Statement& s, base::Instant now, base::WallTime wall) {
  Member* m = table_.find(s.subject);
  if (!m) return drop(DropReason::kUnknownSubject);
  // dead(i) and leave(i) beat alive or suspect(j) iff i >= j; leave is final for its
  // incarnation, and a second death changes nothing.
  if (s.incarnation < m->view.incarnation) return drop(DropReason::kStale);
  // A death above the incarnation we know accuses a claim we have not seen (possibly one never
  // made: dead(2^64-1) would exclude it forever): stale until the claim reaches us. A leave is
  // signed by the member itself and may follow a claim we missed.
  if (s.kind == StatementKind::kDead && s.incarnation > m->view.incarnation) {
    return drop(DropReason::kStale);
  }
  if (m->view.state == MemberState::kLeft) return drop(DropReason::kStale);
  if (m->view.state == MemberState::kDead && s.kind == StatementKind::kDead) {
    return drop(DropReason::kStale);
  }
  if (!author_admitted(s.author, wall)) return drop(DropReason::kNotTrusted);
  if (!verify_statement(s)) return drop(DropReason::kBadSignature);
  mark_down(*m, s, now);
}

void Membership::mark_down(Member& m, const Statement& s, base::Instant now) {
  bool was_live = m.live();
  MemberState state = s.kind == StatementKind::kLeave ? MemberState::kLeft : MemberState::kDead;
  m.view.incarnation = s.incarnation;
  set_state(m, state, s, now);
  m.confirmed = false;
  m.view.direct = false;
  if (was_live) {
    if (state == MemberState::kDead) ++stats_.members_failed;
    if (m.joined)
      emit(state == MemberState::kLeft ? EventKind::kLeft : EventKind::kFailed, m.view.id);
  }
  broadcast(s);
}

Member* Membership::create_member(const Statement& claim, const trust::Decision& decision,
                                  std::optional<trust::Certificate> cert, base::Instant now,
                                  std::optional<base::Endpoint> hint) {
  if (table_.size() >= config_.max_members) {
    std::optional<PublicKey> victim = table_.eviction_candidate();
    if (!victim) return nullptr;
    forget(*victim, true);
  }
  Member& m = table_.insert(claim.subject);
  m.view.certificate = std::move(cert);
  m.view.admitted_by = decision.detail;
  m.view.state_since = now;
  m.hint = hint;
  update_claim(m, claim, now);  // also takes the endpoint from the hint
  schedule_.add(claim.subject, rng_());
  broadcast(claim);
  return &m;
}

void Membership::update_claim(Member& m, const Statement& claim, base::Instant now) {
  m.alive = claim;
  m.view.incarnation = claim.incarnation;
  m.view.announced = claim.endpoints;
  m.view.announced_kinds = claim.kinds;
  set_state(m, MemberState::kAlive, std::nullopt, now);
  m.refresh_endpoint();
}

void Membership::set_state(Member& m, MemberState state, const std::optional<Statement>& accusation,
                           base::Instant now) {
  table_changed();
  if (m.view.state != state) m.view.state_since = now;
  m.view.state = state;
  m.accusation = accusation;
  if (state != MemberState::kSuspect) m.suspicion.reset();
}

void Membership::suspect_member(Member& m, const Statement& s, base::Instant now) {
  int n = static_cast<int>(live_count()) + 1;
  int k = config_.suspicion_mult - 2;
  // Too few members to expect k independent confirmations: start at the minimum.
  if (n - 2 < k) k = 0;
  base::Duration min =
      suspicion_timeout(config_.suspicion_mult, static_cast<size_t>(n), config_.probe_interval);
  base::Duration max = min * config_.suspicion_max_timeout_mult;
  m.view.incarnation = s.incarnation;
  set_state(m, MemberState::kSuspect, s, now);
  m.suspicion.emplace(s.author, k, min, max, now);
  table_changed();
  broadcast(s);
}

void Membership::tick_suspicions(base::Instant now) {
  std::vector<PublicKey> expired;
  for (const auto& [id, m] : table_.all()) {
    if (m.view.state == MemberState::kSuspect && m.suspicion && m.suspicion->deadline() <= now) {
      expired.push_back(id);
    }
  }
  for (const PublicKey& id : expired) {
    Member& m = *table_.find(id);
    mark_down(m, make_accusation(self_, StatementKind::kDead, id, m.view.incarnation), now);
  }
}

void Membership::tick_retention(base::Instant now) {
  std::vector<PublicKey> expired;
  for (const auto& [id, m] : table_.all()) {
    if (!m.live() && m.view.state_since + config_.dead_retention <= now) expired.push_back(id);
  }
  for (const PublicKey& id : expired) forget(id, true);
}

void Membership::forget(const PublicKey& id, bool emit_event) {
  Member* m = table_.find(id);
  if (!m) return;
  if (emit_event && m->joined) emit(EventKind::kRemoved, id);
  schedule_.remove(id);
  queue_.remove_about(id);
  if (probe_.active && probe_.target == id) probe_.active = false;
  std::erase_if(relays_, [&](const Relay& r) { return r.target == id || r.requester == id; });
  table_.erase(id);
  table_changed();
}

void Membership::broadcast(const Statement& s) {
  GossipItem item{s, std::nullopt};
  // Where we reach it, else where we were told it is: a member learned second-hand (with no
  // announced endpoint) stays reachable for the next node too, which pings it before it counts.
  if (const Member* m = table_.find(s.subject)) {
    item.hint = m->authenticated ? m->authenticated : m->hint;
  }
  queue_.push(std::move(item));
}

}  // namespace mw::swim
