// SPDX-License-Identifier: Apache-2.0
// Builders of small, well-formed IPv4/IPv6 packets for tests and the self-check.
#pragma once

#include <cstdint>
#include <vector>

#include "base/ip_address.h"

namespace mw::wg::testing {

// An IPv4 (or IPv6, by the family of src) UDP-like packet of total_len bytes whose payload
// carries `tag` in its first 8 bytes so a receiver can tell packets apart.
std::vector<uint8_t> make_ip_packet(const base::IpAddress& src, const base::IpAddress& dst,
                                    size_t total_len, uint64_t tag);
// The tag written by make_ip_packet, or UINT64_MAX when the packet is too short.
uint64_t packet_tag(const std::vector<uint8_t>& packet);

}  // namespace mw::wg::testing
