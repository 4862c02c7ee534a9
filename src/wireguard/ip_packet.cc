// SPDX-License-Identifier: Apache-2.0
// IPv4/IPv6 header parsing for cryptokey routing and packet filters.
#include "wireguard/ip_packet.h"

#include <algorithm>
#include <array>

namespace mw::wg {
namespace {

// Protocols whose first four transport bytes are the source and destination ports.
bool has_port_header(uint8_t protocol) {
  return protocol == kIpProtoTcp || protocol == kIpProtoUdp || protocol == 132 /* SCTP */ ||
         protocol == 136 /* UDP-Lite */;
}

void read_ports(base::Bytes packet, size_t transport, IpPacketInfo& info) {
  info.transport_offset = transport;
  if (info.fragment_offset != 0 || !has_port_header(info.protocol)) return;
  if (transport + 4 > info.length) return;
  info.has_ports = true;
  info.source_port = base::load_u16be(packet.data() + transport);
  info.destination_port = base::load_u16be(packet.data() + transport + 2);
}

// Walks IPv6 extension headers (RFC 8200 §4) from `next` at `offset`, at most 8 of them: the
// upper-layer protocol, the fragment fields, and where the transport header starts.
void walk_ipv6_extensions(base::Bytes p, uint8_t next, size_t offset, IpPacketInfo& info) {
  for (int i = 0; i < 8; ++i) {
    switch (next) {
      case 0:     // hop-by-hop options
      case 43:    // routing
      case 60: {  // destination options
        if (offset + 8 > info.length) break;
        size_t header_len = 8 + size_t(p[offset + 1]) * 8;
        if (offset + header_len > info.length) break;
        next = p[offset];
        offset += header_len;
        continue;
      }
      case 44: {  // fragment
        if (offset + 8 > info.length) break;
        uint16_t field = base::load_u16be(p.data() + offset + 2);
        info.fragment_offset = uint16_t(field & 0xfff8);
        info.more_fragments = field & 1;
        next = p[offset];
        offset += 8;
        continue;
      }
      default:
        info.protocol = next;
        read_ports(p, offset, info);
        return;
    }
    break;  // a truncated extension header
  }
  info.protocol = 44;  // could not reach the upper layer
}

}  // namespace

std::optional<IpHeader> parse_ip_header(base::Bytes p) {
  if (p.empty()) return std::nullopt;
  IpHeader h;
  uint8_t version = p[0] >> 4;
  if (version == 4) {
    if (p.size() < 20) return std::nullopt;
    h.v4 = true;
    h.header_length = size_t(p[0] & 15) * 4;
    if (h.header_length < 20 || h.header_length > p.size()) return std::nullopt;
    h.next_protocol = p[9];
    h.stated_length = base::load_u16be(p.data() + 2);
    uint16_t fragment = base::load_u16be(p.data() + 6);
    h.fragment_offset = uint16_t((fragment & 0x1fff) * 8);
    h.more_fragments = fragment & 0x2000;
    return h;
  }
  if (version == 6) {
    if (p.size() < 40) return std::nullopt;
    h.header_length = 40;
    h.next_protocol = p[6];
    h.stated_length = 40 + size_t(base::load_u16be(p.data() + 4));
    return h;
  }
  return std::nullopt;
}

std::optional<IpPacketInfo> parse_ip_packet(base::Bytes p) {
  auto h = parse_ip_header(p);
  if (!h || h->stated_length < h->header_length || h->stated_length > p.size()) return std::nullopt;
  IpPacketInfo info;
  info.length = h->stated_length;
  if (h->v4) {
    info.source = base::IpAddress::v4({p[12], p[13], p[14], p[15]});
    info.destination = base::IpAddress::v4({p[16], p[17], p[18], p[19]});
    info.protocol = h->next_protocol;
    info.fragment_offset = h->fragment_offset;
    info.more_fragments = h->more_fragments;
    read_ports(p, h->header_length, info);
    return info;
  }
  std::array<uint8_t, 16> s, d;
  std::copy(p.begin() + 8, p.begin() + 24, s.begin());
  std::copy(p.begin() + 24, p.begin() + 40, d.begin());
  info.source = base::IpAddress::v6(s);
  info.destination = base::IpAddress::v6(d);
  walk_ipv6_extensions(p, h->next_protocol, 40, info);
  return info;
}

}  // namespace mw::wg
