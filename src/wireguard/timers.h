// SPDX-License-Identifier: Apache-2.0
// A peer's five WireGuard timers as events on state (kernel timers.c; wireguard-go timers.go):
// hooks named after the kernel's record what happened and arm or cancel deadlines; the device
// pops expired events and acts on them. No clock is read here.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "base/time.h"

namespace mw::wg {

enum class TimerEvent : uint8_t {
  kRetransmitHandshake,  // no response to our initiation within REKEY_TIMEOUT + jitter
  kSendKeepalive,        // data received, nothing sent back within KEEPALIVE_TIMEOUT
  kNewHandshake,         // data sent, nothing received within KEEPALIVE + REKEY_TIMEOUT
  kZeroKeyMaterial,      // no new session for 3 x REJECT_AFTER_TIME
  kPersistentKeepalive,  // the configured interval passed with no authenticated traffic
};
constexpr int kTimerEventCount = 5;

// A device's timer deadlines, earliest first: at least one entry per peer with an armed timer,
// never later than that peer's earliest deadline. Entries may be early (a timer was cancelled
// or moved later) or stale (the peer went): the device checks each against the peer when it
// comes due (PeerTimers::take_queued), so the device finds its next deadline without looking
// at every peer, and a wake per peer is the most an early entry costs.
class TimerQueue {
 public:
  struct Entry {
    base::Instant at;
    uint32_t peer = 0;
  };
  void push(base::Instant at, uint32_t peer);
  bool empty() const { return heap_.empty(); }
  const Entry& top() const { return heap_.front(); }
  void pop();
  size_t size() const { return heap_.size(); }
  void clear() { heap_.clear(); }

 private:
  std::vector<Entry> heap_;
};

class PeerTimers {
 public:
  // Every deadline armed from now on that is earlier than the one queued for this peer goes
  // into `queue` under `peer`.
  void attach(TimerQueue* queue, uint32_t peer) {
    queue_ = queue;
    peer_ = peer;
  }
  // For the device, when an entry of this peer's comes due: whether it is the live one (then
  // nothing is queued for the peer until requeue() or an arm).
  bool take_queued(base::Instant at) {
    if (at != queued_) return false;
    queued_ = base::Instant::max();
    return true;
  }
  // Queues the earliest armed deadline unless one no later is queued.
  void requeue();
  // Forgets what was queued (the device rebuilds its queue).
  void forget_queued() { queued_ = base::Instant::max(); }

  // `jitter` is a random duration in [0, REKEY_TIMEOUT_JITTER_MAX) chosen by the caller.
  void on_data_sent(base::Instant now, base::Duration jitter);
  void on_data_received(base::Instant now);
  void on_any_authenticated_packet_sent();
  void on_any_authenticated_packet_received();
  void on_any_authenticated_packet_traversal(base::Instant now);
  void on_handshake_initiated(base::Instant now, base::Duration jitter);
  void on_handshake_complete();
  void on_session_derived(base::Instant now);
  // After the retransmissions gave up: no keepalive, and keys go after 3 x REJECT_AFTER_TIME.
  void on_handshake_given_up(base::Instant now);
  void on_keepalive_sent_for_timer(base::Instant now);

  // 0 switches persistent keepalive off.
  void set_persistent_keepalive(base::Duration interval) { persistent_interval_ = interval; }
  base::Duration persistent_keepalive() const { return persistent_interval_; }

  int handshake_attempts() const { return handshake_attempts_; }
  void count_handshake_attempt() { ++handshake_attempts_; }
  void reset_handshake_attempts() { handshake_attempts_ = 0; }

  // The earliest expired event (clearing it), or nullopt when none is due at `now`.
  std::optional<TimerEvent> pop_expired(base::Instant now);
  // The earliest armed deadline, or Instant::max() when none is armed.
  base::Instant next_deadline() const;
  bool armed(TimerEvent e) const { return deadline_[static_cast<int>(e)].has_value(); }
  std::optional<base::Instant> deadline(TimerEvent e) const {
    return deadline_[static_cast<int>(e)];
  }
  void cancel_all();

 private:
  void arm(TimerEvent e, base::Instant at) {
    deadline_[static_cast<int>(e)] = at;
    if (queue_ && at < queued_) {
      queued_ = at;
      queue_->push(at, peer_);
    }
  }
  void cancel(TimerEvent e) { deadline_[static_cast<int>(e)].reset(); }

  std::optional<base::Instant> deadline_[kTimerEventCount];
  base::Duration persistent_interval_{};
  int handshake_attempts_ = 0;
  bool need_another_keepalive_ = false;
  TimerQueue* queue_ = nullptr;
  uint32_t peer_ = 0;
  base::Instant queued_ = base::Instant::max();  // the earliest entry queued for this peer
};

}  // namespace mw::wg
