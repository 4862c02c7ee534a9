// SPDX-License-Identifier: Apache-2.0
// WireGuard's protocol constants (whitepaper §6.1; kernel messages.h; wireguard-go constants.go).
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/time.h"

namespace mw::wg {

using base::Duration;

constexpr uint64_t kRekeyAfterMessages = 1ull << 60;
// wireguard-go's 2^64 - 2^13 - 1: a send counter at or above it is refused, and so is a received
// one.
constexpr uint64_t kRejectAfterMessages = ~0ull - (1ull << 13);
constexpr Duration kRekeyAfterTime = Duration::seconds(120);
constexpr Duration kRejectAfterTime = Duration::seconds(180);
constexpr Duration kRekeyAttemptTime = Duration::seconds(90);
constexpr Duration kRekeyTimeout = Duration::seconds(5);
constexpr Duration kRekeyTimeoutJitterMax = Duration::millis(334);
constexpr Duration kKeepaliveTimeout = Duration::seconds(10);
constexpr int kMaxTimerHandshakes = 90 / 5;  // REKEY_ATTEMPT_TIME / REKEY_TIMEOUT = 18
// An initiator rekeys on receive when its keypair is this old (180 - 10 - 5 = 165 s).
constexpr Duration kRekeyOnReceiveAge = kRejectAfterTime - kKeepaliveTimeout - kRekeyTimeout;
// With no new handshake for 3 x REJECT_AFTER_TIME, all key material is erased.
constexpr Duration kZeroKeysAfter = kRejectAfterTime * 3;
constexpr Duration kCookieSecretMaxAge = Duration::seconds(120);
constexpr Duration kCookieSecretLatency = Duration::seconds(5);
// A peer's initiations are consumed at most once per 1/50 s (INITIATIONS_PER_SECOND = 50).
constexpr Duration kHandshakeInitiationRate = Duration::millis(20);
constexpr Duration kUnderLoadAfterTime = Duration::seconds(1);
constexpr size_t kMaxQueuedIncomingHandshakes = 4096;
constexpr size_t kUnderLoadQueueThreshold = kMaxQueuedIncomingHandshakes / 8;
constexpr size_t kMaxStagedPackets = 128;
constexpr size_t kMaxPeers = 1 << 20;
constexpr size_t kMessagePaddingMultiple = 16;
constexpr uint8_t kHandshakeDscp = 0x88;

}  // namespace mw::wg
