// SPDX-License-Identifier: Apache-2.0
// The timer rules of whitepaper §6 as wireguard-go's timers.go arranges them.
#include "wireguard/timers.h"

#include <algorithm>

#include "wireguard/constants.h"

namespace mw::wg {
namespace {

bool later(const TimerQueue::Entry& a, const TimerQueue::Entry& b) { return a.at > b.at; }

}  // namespace

void TimerQueue::push(base::Instant at, uint32_t peer) {
  heap_.push_back({at, peer});
  std::push_heap(heap_.begin(), heap_.end(), later);
}

void TimerQueue::pop() {
  std::pop_heap(heap_.begin(), heap_.end(), later);
  heap_.pop_back();
}

void PeerTimers::requeue() {
  base::Instant next = next_deadline();
  if (queue_ && next < queued_) {
    queued_ = next;
    queue_->push(next, peer_);
  }
}

void PeerTimers::on_data_sent(base::Instant now, base::Duration jitter) {
  // A data packet went out: expect something back within KEEPALIVE + REKEY_TIMEOUT.
  if (!armed(TimerEvent::kNewHandshake))
    arm(TimerEvent::kNewHandshake, now + kKeepaliveTimeout + kRekeyTimeout + jitter);
}

void PeerTimers::on_data_received(base::Instant now) {
  // Data came in: answer with a keepalive unless we send something ourselves first.
  if (!armed(TimerEvent::kSendKeepalive)) {
    arm(TimerEvent::kSendKeepalive, now + kKeepaliveTimeout);
  } else {
    need_another_keepalive_ = true;
  }
}

void PeerTimers::on_any_authenticated_packet_sent() { cancel(TimerEvent::kSendKeepalive); }

void PeerTimers::on_any_authenticated_packet_received() { cancel(TimerEvent::kNewHandshake); }

void PeerTimers::on_any_authenticated_packet_traversal(base::Instant now) {
  if (persistent_interval_ > base::Duration::zero())
    arm(TimerEvent::kPersistentKeepalive, now + persistent_interval_);
}

void PeerTimers::on_handshake_initiated(base::Instant now, base::Duration jitter) {
  arm(TimerEvent::kRetransmitHandshake, now + kRekeyTimeout + jitter);
}

void PeerTimers::on_handshake_complete() {
  cancel(TimerEvent::kRetransmitHandshake);
  handshake_attempts_ = 0;
}

void PeerTimers::on_session_derived(base::Instant now) {
  arm(TimerEvent::kZeroKeyMaterial, now + kZeroKeysAfter);
}

void PeerTimers::on_handshake_given_up(base::Instant now) {
  cancel(TimerEvent::kSendKeepalive);
  if (!armed(TimerEvent::kZeroKeyMaterial)) arm(TimerEvent::kZeroKeyMaterial, now + kZeroKeysAfter);
}

void PeerTimers::on_keepalive_sent_for_timer(base::Instant now) {
  if (need_another_keepalive_) {
    need_another_keepalive_ = false;
    arm(TimerEvent::kSendKeepalive, now + kKeepaliveTimeout);
  }
}

std::optional<TimerEvent> PeerTimers::pop_expired(base::Instant now) {
  int best = -1;
  for (int i = 0; i < kTimerEventCount; ++i) {
    if (deadline_[i] && *deadline_[i] <= now && (best < 0 || *deadline_[i] < *deadline_[best]))
      best = i;
  }
  if (best < 0) return std::nullopt;
  deadline_[best].reset();
  return static_cast<TimerEvent>(best);
}

base::Instant PeerTimers::next_deadline() const {
  base::Instant next = base::Instant::max();
  for (const auto& d : deadline_)
    if (d && *d < next) next = *d;
  return next;
}

void PeerTimers::cancel_all() {
  for (auto& d : deadline_) d.reset();
  need_another_keepalive_ = false;
  handshake_attempts_ = 0;
}

}  // namespace mw::wg
