// SPDX-License-Identifier: Apache-2.0
// The IPv4/IPv6 header facts the tunnel needs (RFC 791 §3.1, RFC 8200 §3-4): version, source,
// destination and the packet's own length (so padding can be trimmed), and for a packet filter
// the 5-tuple: the upper-layer protocol (after any IPv6 extension headers), the TCP/UDP/SCTP/
// UDP-Lite ports when the packet carries them, and the fragment offset.
#pragma once

#include <cstdint>
#include <optional>

#include "base/bytes.h"
#include "base/ip_address.h"

namespace mw::wg {

constexpr uint8_t kIpProtoTcp = 6;
constexpr uint8_t kIpProtoUdp = 17;

// An IP header's own fields, read without checking its stated length against the buffer (a
// TUN super-packet's may be anything): the one place that reads version, IHL, protocol and the
// IPv4 fragment field, for the routing and filter parser below and the offload code alike.
struct IpHeader {
  bool v4 = false;
  size_t header_length = 0;      // IPv4: IHL * 4 (20..60); IPv6: the fixed 40 bytes
  uint8_t next_protocol = 0;     // IPv4 protocol, or IPv6 next header (maybe an extension)
  size_t stated_length = 0;      // total length (v4) or 40 + payload length (v6)
  uint16_t fragment_offset = 0;  // IPv4, in bytes
  bool more_fragments = false;   // IPv4 MF
  bool is_fragment() const { return fragment_offset != 0 || more_fragments; }
};

// nullopt unless the buffer starts with an IPv4 header (IHL ≥ 5, all of it in the buffer) or
// a whole IPv6 fixed header.
std::optional<IpHeader> parse_ip_header(base::Bytes packet);

struct IpPacketInfo {
  base::IpAddress source;
  base::IpAddress destination;
  size_t length = 0;  // from the header: total length (v4) or 40 + payload length (v6)
  // The upper-layer protocol (IPv4 protocol, or IPv6's last next header: 6 TCP, 17 UDP, 58
  // ICMPv6, 44 when the extension headers could not all be walked).
  uint8_t protocol = 0;
  // Fragment offset in bytes (0 for the first fragment or an unfragmented packet) and whether
  // more fragments follow (IPv4 MF, or an IPv6 fragment header's M flag).
  uint16_t fragment_offset = 0;
  bool more_fragments = false;
  // Set when the packet is a first fragment (or whole) whose transport header holds ports.
  bool has_ports = false;
  uint16_t source_port = 0;
  uint16_t destination_port = 0;
  // Where the upper-layer header starts (after IPv4 options or IPv6 extension headers); 0 when
  // the extension headers could not all be walked.
  size_t transport_offset = 0;
};

// nullopt unless the buffer starts with a well-formed IPv4 or IPv6 header whose stated length
// fits in the buffer (trailing bytes, such as WireGuard padding, are allowed). The 5-tuple
// fields are filled as far as the packet allows; a short transport header only leaves
// has_ports false.
std::optional<IpPacketInfo> parse_ip_packet(base::Bytes packet);

}  // namespace mw::wg
