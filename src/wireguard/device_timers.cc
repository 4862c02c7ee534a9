// SPDX-License-Identifier: Apache-2.0
// Device timers: run every peer's expired timer events (whitepaper §6; wireguard-go timers.go
// expired* functions) and report the earliest deadline still armed.
#include "wireguard/device.h"

#include "wireguard/constants.h"

namespace mw::wg {

void Device::tick(base::Instant now, DeviceOutput& out) {
  while (!timer_queue_.empty() && timer_queue_.top().at <= now) {
    TimerQueue::Entry entry = timer_queue_.top();
    timer_queue_.pop();
    Peer* peer = peer_by_id(entry.peer);
    if (!peer || !peer->timers.take_queued(entry.at)) continue;  // stale
    // Handlers may arm this peer's timers again (queued as they are armed) or, in principle,
    // remove it: look it up after each.
    while (peer) {
      auto event = peer->timers.pop_expired(now);
      if (!event) break;
      handle_timer(*peer, *event, now, out);
      peer = peer_by_id(entry.peer);
    }
    if (peer) peer->timers.requeue();  // its remaining deadlines (an early entry: none due)
  }
  // Stale entries of removed peers and early ones go when they come due; if they pile up
  // (peers replaced in bulk), rebuild from the peers.
  if (timer_queue_.size() > 2 * peers_.size() + 64) {
    timer_queue_.clear();
    for (auto& [id, p] : peers_) {
      p->timers.forget_queued();
      p->timers.requeue();
    }
  }
}

base::Instant Device::next_deadline() const {
  // Possibly early (see TimerQueue): then tick() finds nothing due and the loop sleeps again.
  return timer_queue_.empty() ? base::Instant::max() : timer_queue_.top().at;
}

void Device::handle_timer(Peer& peer, TimerEvent event, base::Instant now, DeviceOutput& out) {
  switch (event) {
    case TimerEvent::kRetransmitHandshake:
      if (peer.timers.handshake_attempts() >= kMaxTimerHandshakes) {
        // Gave up after REKEY_ATTEMPT_TIME: flush what waited for this session.
        stats_.drop_counts[static_cast<size_t>(DropReason::kHandshakeGaveUp)] += peer.staged.size();
        peer.staged.clear();
        clear_handshake(peer);
        peer.timers.on_handshake_given_up(now);
      } else {
        peer.timers.count_handshake_attempt();
        send_initiation(peer, now, /*is_retry=*/true, out);
      }
      break;
    case TimerEvent::kSendKeepalive:
      send_keepalive(peer, now, out);
      peer.timers.on_keepalive_sent_for_timer(now);
      break;
    case TimerEvent::kNewHandshake: send_initiation(peer, now, /*is_retry=*/false, out); break;
    case TimerEvent::kZeroKeyMaterial: zero_key_material(peer); break;
    case TimerEvent::kPersistentKeepalive:
      if (peer.timers.persistent_keepalive() > base::Duration::zero())
        send_keepalive(peer, now, out);
      break;
  }
}

}  // namespace mw::wg
