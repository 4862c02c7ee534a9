// SPDX-License-Identifier: Apache-2.0
// IPv4/IPv6 header parsing for cryptokey routing.
#include "wireguard/ip_packet.h"

namespace mw::wg {

std::optional<IpPacketInfo> parse_ip_packet(base::Bytes p) {
  if (p.empty()) return std::nullopt;
  uint8_t version = p[0] >> 4;
  IpPacketInfo info;
  if (version == 4) {
    if (p.size() < 20) return std::nullopt;
    size_t ihl = size_t(p[0] & 15) * 4;
    size_t total = base::load_u16be(p.data() + 2);
    if (ihl < 20 || total < ihl || total > p.size()) return std::nullopt;
    info.source = base::IpAddress::v4({p[12], p[13], p[14], p[15]});
    info.destination = base::IpAddress::v4({p[16], p[17], p[18], p[19]});
    info.length = total;
    return info;
  }
  if (version == 6) {
    if (p.size() < 40) return std::nullopt;
    size_t total = 40 + size_t(base::load_u16be(p.data() + 4));
    if (total > p.size()) return std::nullopt;
    std::array<uint8_t, 16> s, d;
    std::copy(p.begin() + 8, p.begin() + 24, s.begin());
    std::copy(p.begin() + 24, p.begin() + 40, d.begin());
    info.source = base::IpAddress::v6(s);
    info.destination = base::IpAddress::v6(d);
    info.length = total;
    return info;
  }
  return std::nullopt;
}

}  // namespace mw::wg
