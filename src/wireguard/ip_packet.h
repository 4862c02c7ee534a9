// SPDX-License-Identifier: Apache-2.0
// The few IPv4/IPv6 header facts the tunnel needs (RFC 791 §3.1, RFC 8200 §3): version,
// source, destination and the packet's own length, so padding can be trimmed.
#pragma once

#include <optional>

#include "base/bytes.h"
#include "base/ip_address.h"

namespace mw::wg {

struct IpPacketInfo {
  base::IpAddress source;
  base::IpAddress destination;
  size_t length = 0;  // from the header: total length (v4) or 40 + payload length (v6)
};

// nullopt unless the buffer starts with a well-formed IPv4 or IPv6 header whose stated length
// fits in the buffer (trailing bytes, such as WireGuard padding, are allowed).
std::optional<IpPacketInfo> parse_ip_packet(base::Bytes packet);

}  // namespace mw::wg
