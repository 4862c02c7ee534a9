// SPDX-License-Identifier: Apache-2.0
// PacketFilter: the seam where a policy (ports per peer, later) sees every tunnelled packet with
// the peer it belongs to: outbound after cryptokey routing chose the peer, inbound after
// decryption and the allowed-IPs check. A refused packet is dropped and counted as
// DropReason::kFiltered. Called on the device's thread; must not call back into the device.
#pragma once

#include "crypto/keys.h"
#include "wireguard/ip_packet.h"

namespace mw::wg {

enum class PacketDirection : uint8_t {
  kOutbound,  // from the TUN, about to be sealed for `peer`
  kInbound,   // opened from `peer`, about to be delivered to the TUN
};

class PacketFilter {
 public:
  virtual ~PacketFilter() = default;
  // `peer` is the peer's static public key; `packet` the parsed headers (ports when present).
  virtual bool allow(PacketDirection direction, const crypto::PublicKey& peer,
                     const IpPacketInfo& packet) = 0;
};

}  // namespace mw::wg
