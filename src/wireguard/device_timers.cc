// SPDX-License-Identifier: Apache-2.0
// Device timers: run every peer's expired timer events (whitepaper §6; wireguard-go timers.go
// expired* functions) and report the earliest deadline still armed.
#include "wireguard/device.h"

#include "wireguard/constants.h"

namespace mw::wg {

void Device::tick(base::Instant now, DeviceOutput& out) {
  // Collect ids first: a handler may not add or remove peers, but keep the loop robust anyway.
  std::vector<PeerId> ids;
  ids.reserve(peers_.size());
  for (const auto& [id, p] : peers_)
    if (p->timers.next_deadline() <= now) ids.push_back(id);
  for (PeerId id : ids) {
    Peer* peer = peer_by_id(id);
    while (peer) {
      auto event = peer->timers.pop_expired(now);
      if (!event) break;
      handle_timer(*peer, *event, now, out);
      peer = peer_by_id(id);
    }
  }
}

base::Instant Device::next_deadline() const {
  base::Instant next = base::Instant::max();
  for (const auto& [id, p] : peers_) next = std::min(next, p->timers.next_deadline());
  return next;
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
