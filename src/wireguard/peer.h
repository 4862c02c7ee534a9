// SPDX-License-Identifier: Apache-2.0
// One WireGuard peer's protocol state: keys, handshake, keypairs, timers, staged packets,
// endpoint and counters. Owned and driven by Device; holds no behaviour of its own.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "base/ip_address.h"
#include "base/time.h"
#include "wireguard/cookie.h"
#include "wireguard/keypair.h"
#include "wireguard/noise.h"
#include "wireguard/tai64n.h"
#include "wireguard/timers.h"

namespace mw::wg {

using PeerId = uint32_t;

struct Peer {
  PeerId id = 0;
  PeerKeys keys;
  CookieGenerator cookie;
  Handshake handshake;  // our pending initiation (the responder side never outlives a call)
  Keypairs keypairs;
  PeerTimers timers;
  std::optional<base::Endpoint> endpoint;

  // Replay and flood protection of incoming initiations.
  Tai64n latest_timestamp{};
  std::optional<base::Instant> last_initiation_consumed;
  // When we last sent an initiation, to rate-limit new ones to one per REKEY_TIMEOUT.
  std::optional<base::Instant> last_sent_handshake;
  // The receive-side "last minute" rekey has been attempted for the current keypair.
  bool sent_last_minute_handshake = false;
  // The local index of the initiation last retried on a cookie reply (one retry per initiation).
  std::optional<uint32_t> cookie_retry_index;

  // Outbound packets waiting for a session (at most kMaxStagedPackets, oldest dropped).
  std::deque<std::vector<uint8_t>> staged;

  uint64_t rx_bytes = 0;
  uint64_t tx_bytes = 0;
  uint64_t rx_packets = 0;  // authenticated datagrams, keepalives and handshakes included
  uint64_t tx_packets = 0;
  std::optional<base::WallTime> last_handshake;  // when the last session was derived
};

}  // namespace mw::wg
