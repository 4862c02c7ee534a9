// SPDX-License-Identifier: Apache-2.0
// SWIM failure detection with Lifeguard (docs/mesh.md §7): one probe per (awareness-scaled)
// probe interval, a direct ping, then ping_req through k helpers whose acks and nacks really
// come back to the requester, local health updated from the outcome, and suspicion on failure.
#include <algorithm>

#include "discovery/membership.h"

namespace mw::swim {

void Membership::tick_probe(base::Instant now, Transport& out) {
  if (probe_.active && !probe_.indirect_sent && now >= probe_.direct_deadline) {
    send_ping_reqs(now, out);
  }
  if (probe_.active && now >= probe_.end) finish_probe(now);
  if (now >= next_probe_) {
    start_probe(now, out);
    next_probe_ = now + probe_interval_now();
  }
}

void Membership::start_probe(base::Instant now, Transport& out) {
  // A member we know no address for (learned second-hand, no announced endpoint, no hint) is
  // not probed: the probe could only fail, and its suspicion would be our ignorance, not its
  // failure (mw-mesh-scale: 181 false suspicions while 200 daemons joined). It becomes
  // probeable once it reaches us or someone tells us where it is.
  std::optional<PublicKey> target = schedule_.next(
      [&](const PublicKey& id) {
        const Member* m = table_.find(id);
        return m && m->live() && m->has_destination();
      },
      rng_);
  if (!target) return;
  Member& m = *table_.find(*target);
  probe_ = Probe{};
  probe_.active = true;
  probe_.target = *target;
  probe_.seq = next_seq_++;
  probe_.sent = now;
  probe_.direct_deadline = now + awareness_.scale(config_.probe_timeout);
  probe_.end = now + probe_interval_now();
  ++stats_.probes_sent;
  send_ping(m, probe_.seq, out);
}

void Membership::send_ping(Member& m, uint32_t seq, Transport& out) {
  // Buddy system (Lifeguard): a suspect learns of its suspicion from the ping itself.
  std::vector<GossipItem> prefix;
  if (m.view.state == MemberState::kSuspect && m.accusation) {
    prefix.push_back(GossipItem{*m.accusation, std::nullopt});
  }
  Message ping;
  ping.type = MessageType::kPing;
  ping.seq = seq;
  ping.target = m.view.id;
  bool first = true;
  for (const base::Endpoint& to : m.destinations()) {
    send_to(m, to, ping, prefix, first, out);
    first = false;
  }
}

std::vector<PublicKey> Membership::random_members(size_t k,
                                                  const std::function<bool(const Member&)>& ok) {
  std::vector<PublicKey> ids;
  size_t n = table_.size();
  if (k == 0 || n == 0) return ids;
  // Random slots first: O(k) when most members qualify (the common case in a large mesh); a
  // member is taken at most once. Uniform over the qualifying members, like the walk below.
  std::vector<size_t> tried;
  for (size_t attempt = 0; attempt < 4 * k + 8 && ids.size() < k && tried.size() < n; ++attempt) {
    size_t i = static_cast<size_t>(rng_() % n);
    if (std::find(tried.begin(), tried.end(), i) != tried.end()) continue;
    tried.push_back(i);
    const Member& m = table_.at_slot(i);
    if (ok(m)) ids.push_back(m.view.id);
  }
  if (ids.size() == k) return ids;
  // Few qualify (or the table is small): walk the table, as many as there are.
  ids.clear();
  for (const auto& [id, m] : table_.all()) {
    if (ok(m)) ids.push_back(id);
  }
  size_t take = std::min(k, ids.size());
  for (size_t i = 0; i < take; ++i) {
    size_t j = i + static_cast<size_t>(rng_() % (ids.size() - i));
    std::swap(ids[i], ids[j]);
  }
  ids.resize(take);
  return ids;
}

void Membership::send_ping_reqs(base::Instant /*now*/, Transport& out) {
  probe_.indirect_sent = true;
  Member* target = table_.find(probe_.target);
  if (!target || !target->live()) {
    probe_.active = false;
    return;
  }
  std::vector<base::Endpoint> to = target->destinations();
  if (to.empty()) return;
  probe_.helpers = random_members(static_cast<size_t>(std::max(config_.indirect_checks, 0)),
                                  [&](const Member& m) {
                                    return m.view.state == MemberState::kAlive && m.confirmed &&
                                           m.view.id != probe_.target && m.has_destination();
                                  });
  for (const PublicKey& id : probe_.helpers) {
    Member& helper = *table_.find(id);
    std::vector<base::Endpoint> helper_to = helper.destinations();
    if (helper_to.empty()) continue;  // filtered above; never index an empty list
    Message req;
    req.type = MessageType::kPingReq;
    req.seq = probe_.seq;
    req.target = probe_.target;
    req.target_endpoint = to.front();
    send_to(helper, helper_to.front(), req, {}, true, out);
    ++stats_.indirect_probes_sent;
  }
  // And the direct ping once more, same seq (memberlist's fallback probe, over UDP here): a
  // lost ping or ack then no longer needs all k indirect paths to fail as well before a
  // suspicion. At 5 % loss this took false suspicions from 3.3 to under 1 per node-hour in the
  // simulator (mw-swim-scale, BENCHMARKS.md).
  send_ping(*target, probe_.seq, out);
  probe_.expected_nacks = static_cast<int>(probe_.helpers.size());
}

void Membership::finish_probe(base::Instant now) {
  probe_.active = false;
  // Lifeguard: with helpers, every nack that did not come back is our fault (we could not hear
  // it); without helpers, count the failed probe itself.
  int delta = probe_.expected_nacks > 0 ? std::max(0, probe_.expected_nacks - probe_.nacks) : 1;
  awareness_.apply_delta(delta);
  Member* m = table_.find(probe_.target);
  if (!m || !m->live()) return;
  Statement s = make_accusation(self_, StatementKind::kSuspect, m->view.id, m->view.incarnation);
  if (m->view.state == MemberState::kAlive) {
    ++stats_.suspicions;
    suspect_member(*m, s, now);
  } else if (m->suspicion && m->suspicion->would_confirm(self_.public_key)) {
    ++stats_.suspicions;
    m->suspicion->confirm(self_.public_key);
    table_changed();
    broadcast(s);
  }
}

void Membership::handle_ping(const Message& msg, Member& sender, const base::Endpoint& from,
                             Transport& out) {
  Message ack;
  ack.type = MessageType::kAck;
  ack.seq = msg.seq;
  send_to(sender, from, ack, {}, true, out);
}

void Membership::handle_ack(const Message& msg, const Member& sender, const base::Endpoint& from,
                            base::Instant now, Transport& out) {
  const PublicKey& id = sender.view.id;
  if (observed_.size() >= kMaxObservations) observed_.erase(observed_.begin());
  observed_.push_back(Observed{id, from, msg.observed, now});
  if (probe_.active && msg.seq == probe_.seq) {
    bool from_target = id == probe_.target;
    bool from_helper =
        std::find(probe_.helpers.begin(), probe_.helpers.end(), id) != probe_.helpers.end();
    if (from_target || from_helper) {
      ++stats_.acks_received;
      if (Member* t = table_.find(probe_.target)) {
        if (from_target) t->view.rtt = now - probe_.sent;
        // Answered only through a helper: we do not reach it ourselves (a punch is due).
        set_direct_failed(*t, !from_target);
      }
      if (from_target && !probe_.indirect_sent) awareness_.apply_delta(-1);
      probe_.active = false;
      return;
    }
  }
  // An ack for a ping we sent on behalf of a requester: pass it on, with the requester's seq.
  auto it = std::find_if(relays_.begin(), relays_.end(),
                         [&](const Relay& r) { return r.seq == msg.seq && r.target == id; });
  if (it == relays_.end()) return;
  Relay relay = *it;
  relays_.erase(it);
  Member* requester = table_.find(relay.requester);
  if (!requester) return;
  Message ack;
  ack.type = MessageType::kAck;
  ack.seq = relay.requester_seq;
  send_to(*requester, relay.reply_to, ack, {}, true, out);
}

void Membership::handle_nack(const Message& msg, const Member& sender) {
  if (!probe_.active || msg.seq != probe_.seq) return;
  if (std::find(probe_.helpers.begin(), probe_.helpers.end(), sender.view.id) ==
      probe_.helpers.end()) {
    return;
  }
  ++probe_.nacks;
}

void Membership::handle_ping_req(const Message& msg, Member& sender, const base::Endpoint& from,
                                 base::Instant now, Transport& out) {
  Message reply;
  reply.seq = msg.seq;
  if (msg.target == self_.public_key) {
    reply.type = MessageType::kAck;
    return send_to(sender, from, reply, {}, true, out);
  }
  Member* target = table_.find(msg.target);
  if (!target || relays_.size() >= config_.max_relays) {
    reply.type = MessageType::kNack;
    return send_to(sender, from, reply, {}, false, out);
  }
  uint32_t seq = next_seq_++;
  Message ping;
  ping.type = MessageType::kPing;
  ping.seq = seq;
  ping.target = msg.target;
  send_to(*target, msg.target_endpoint, ping, {}, true, out);
  if (target->authenticated && *target->authenticated != msg.target_endpoint) {
    send_to(*target, *target->authenticated, ping, {}, false, out);
  }
  // The nack must reach the requester before its probe ends (one probe interval after its
  // ping, of which probe_timeout has passed): answer within 4/5 of the probe timeout.
  relays_.push_back(
      Relay{seq, msg.target, sender.view.id, msg.seq, from, now + config_.probe_timeout * 4 / 5});
}

void Membership::tick_relays(base::Instant now, Transport& out) {
  std::vector<Relay> expired;
  std::erase_if(relays_, [&](const Relay& r) {
    if (r.nack_at > now) return false;
    expired.push_back(r);
    return true;
  });
  for (const Relay& r : expired) {
    Member* requester = table_.find(r.requester);
    if (!requester) continue;
    Message nack;
    nack.type = MessageType::kNack;
    nack.seq = r.requester_seq;
    send_to(*requester, r.reply_to, nack, {}, false, out);
  }
}

}  // namespace mw::swim
