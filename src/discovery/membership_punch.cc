// SPDX-License-Identifier: Apache-2.0
// Coordinated hole punching (docs/nat.md): a live member we have never heard from directly, or
// whose last probe got through only indirectly, is introduced to us by a member both of us
// reach. The introducer tells both sides at once (intro), and each side then pings the other's
// signed candidates (its alive claim's endpoints, and the address it was last heard from) in
// paced rounds: each side's ping opens its own NAT toward the other, so the later ones pass
// both. The first authenticated datagram from the peer is the direct path (roaming moves the
// member's endpoint, and the node's path manager the WireGuard peer's).
//
// No amplification and no address from anyone but the member itself: pings go only to the
// endpoints of the peer's signed claim or its last authenticated source; introductions are made
// only between members we reach, in answer to an authenticated request, within intro_rate.
#include <algorithm>

#include "discovery/membership.h"

namespace mw::swim {
namespace {

// How long a member learned second-hand gets for the plain probe to reach it before we ask for
// an introduction.
constexpr base::Duration kIntroGrace = base::Duration::seconds(1);
constexpr base::Duration kIntroScan = base::Duration::millis(500);
// Introduction requests sent per scan, so a node that learns many members at once asks in steps.
constexpr int kIntrosPerScan = 8;
constexpr size_t kMaxPunchDestinations = 5;

}  // namespace

void Membership::set_direct_failed(Member& m, bool failed) {
  m.direct_failed = failed;
  m.view.direct = m.direct();
}

void Membership::punch_round(Member& peer, Transport& out) {
  std::vector<base::Endpoint> to;
  auto add = [&](const base::Endpoint& e) {
    if (to.size() < kMaxPunchDestinations && std::find(to.begin(), to.end(), e) == to.end())
      to.push_back(e);
  };
  if (peer.authenticated) add(*peer.authenticated);
  for (const base::Endpoint& e : peer.view.announced) add(e);
  Message ping;
  ping.type = MessageType::kPing;
  ping.seq = next_seq_++;  // its ack authenticates the path; no probe waits for it
  ping.target = peer.view.id;
  for (const base::Endpoint& e : to) send_to(peer, e, ping, {}, false, out);
}

void Membership::start_punch(Member& peer, base::Instant now, Transport& out) {
  for (const Punch& p : punches_)
    if (p.peer == peer.view.id) return;
  if (punches_.size() >= config_.max_punches || config_.punch_rounds <= 0) return;
  punches_.push_back(
      Punch{peer.view.id, config_.punch_rounds - 1, now, now + config_.punch_interval});
  ++stats_.punches_started;
  punch_round(peer, out);
}

void Membership::tick_punch(base::Instant now, Transport& out) {
  for (size_t i = 0; i < punches_.size();) {
    Punch& p = punches_[i];
    Member* m = table_.find(p.peer);
    bool heard = m && m->heard_at && *m->heard_at >= p.started;
    if (heard) {
      ++stats_.punches_succeeded;
      stats_.punch_time_total += *m->heard_at - p.started;
      m->intro_backoff = base::Duration::zero();
      m->view.punched = m->authenticated;
      set_direct_failed(*m, false);
    }
    if (!m || !m->live() || heard || (p.rounds_left <= 0 && now >= p.next)) {
      punches_.erase(punches_.begin() + ptrdiff_t(i));
      continue;
    }
    if (now >= p.next) {
      punch_round(*m, out);
      --p.rounds_left;
      p.next = now + config_.punch_interval;
    }
    ++i;
  }
  if (now >= next_intro_scan_) {
    next_intro_scan_ = now + kIntroScan;
    request_intros(now, out);
  }
}

void Membership::request_intros(base::Instant now, Transport& out) {
  std::vector<Member*> wanting;
  indirect_ = 0;
  for (auto& [id, m] : table_.all()) {
    if (!m.live() || m.direct()) continue;
    ++indirect_;
    if (m.view.announced.empty()) continue;
    if (m.next_intro == base::Instant{}) {
      m.next_intro = now + kIntroGrace;  // first the plain probe's chance
      continue;
    }
    if (now < m.next_intro) continue;
    wanting.push_back(&m);
  }
  int sent = 0;
  for (Member* m : wanting) {
    if (sent >= kIntrosPerScan) break;
    bool punching = std::any_of(punches_.begin(), punches_.end(),
                                [&](const Punch& p) { return p.peer == m->view.id; });
    if (punching) continue;
    std::vector<PublicKey> helper = random_members(1, [&](const Member& h) {
      return h.view.state == MemberState::kAlive && h.direct() && h.view.id != m->view.id &&
             h.authenticated;
    });
    m->intro_backoff =
        std::clamp(m->intro_backoff * 2, config_.intro_retry_min, config_.intro_retry_max);
    m->next_intro = now + m->intro_backoff;
    if (helper.empty()) continue;
    Member& h = *table_.find(helper.front());
    Message req;
    req.type = MessageType::kIntroReq;
    req.target = m->view.id;
    send_to(h, *h.authenticated, req, {}, false, out);
    ++stats_.intro_requests_sent;
    ++sent;
  }
}

void Membership::handle_intro_req(const Message& msg, Member& sender, const base::Endpoint& from,
                                  base::Instant now, Transport& out) {
  Member* target = table_.find(msg.target);
  // Only between two members we reach directly, and within our budget for it.
  if (!target || target == &sender || !target->live() || !target->direct() ||
      !target->authenticated || !sender.live())
    return drop(DropReason::kUnknownSubject);
  if (!intro_budget_.allow(now)) return drop(DropReason::kOverBudget);
  Message intro;
  intro.type = MessageType::kIntro;
  intro.target = sender.view.id;
  send_to(*target, *target->authenticated, intro, {}, false, out);
  intro.target = target->view.id;
  send_to(sender, from, intro, {}, false, out);
  ++stats_.introductions_made;
}

void Membership::handle_intro(const Message& msg, base::Instant now, Transport& out) {
  Member* peer = table_.find(msg.target);
  if (!peer || msg.target == self_.public_key || !peer->live())
    return drop(DropReason::kUnknownSubject);
  start_punch(*peer, now, out);
}

}  // namespace mw::swim
