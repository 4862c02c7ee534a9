// SPDX-License-Identifier: Apache-2.0
// Test packet builders.
#include "wireguard/testing/packets.h"

#include <algorithm>

#include "base/bytes.h"

namespace mw::wg::testing {

std::vector<uint8_t> make_ip_packet(const base::IpAddress& src, const base::IpAddress& dst,
                                    size_t total_len, uint64_t tag) {
  size_t header = src.is_v4() ? 20 : 40;
  total_len = std::max(total_len, header + 8);
  std::vector<uint8_t> p(total_len, 0);
  if (src.is_v4()) {
    p[0] = 0x45;
    base::store_u16be(&p[2], uint16_t(total_len));
    p[8] = 64;  // TTL
    p[9] = 17;  // UDP
    std::copy(src.data(), src.data() + 4, &p[12]);
    std::copy(dst.data(), dst.data() + 4, &p[16]);
  } else {
    p[0] = 0x60;
    base::store_u16be(&p[4], uint16_t(total_len - 40));
    p[6] = 17;
    p[7] = 64;
    std::copy(src.data(), src.data() + 16, &p[8]);
    std::copy(dst.data(), dst.data() + 16, &p[24]);
  }
  for (int i = 0; i < 8; ++i) p[header + i] = uint8_t(tag >> (8 * i));
  for (size_t i = header + 8; i < total_len; ++i) p[i] = uint8_t(i * 7 + tag);
  return p;
}

uint64_t packet_tag(const std::vector<uint8_t>& p) {
  if (p.empty()) return UINT64_MAX;
  size_t header = (p[0] >> 4) == 4 ? 20 : 40;
  if (p.size() < header + 8) return UINT64_MAX;
  uint64_t tag = 0;
  for (int i = 0; i < 8; ++i) tag |= uint64_t(p[header + i]) << (8 * i);
  return tag;
}

}  // namespace mw::wg::testing
