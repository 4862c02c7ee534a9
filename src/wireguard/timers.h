// SPDX-License-Identifier: Apache-2.0
// A peer's five WireGuard timers as events on state (kernel timers.c; wireguard-go timers.go):
// hooks named after the kernel's record what happened and arm or cancel deadlines; the device
// pops expired events and acts on them. No clock is read here.
#pragma once

#include <optional>

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

class PeerTimers {
 public:
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
  void arm(TimerEvent e, base::Instant at) { deadline_[static_cast<int>(e)] = at; }
  void cancel(TimerEvent e) { deadline_[static_cast<int>(e)].reset(); }

  std::optional<base::Instant> deadline_[kTimerEventCount];
  base::Duration persistent_interval_{};
  int handshake_attempts_ = 0;
  bool need_another_keepalive_ = false;
};

}  // namespace mw::wg
