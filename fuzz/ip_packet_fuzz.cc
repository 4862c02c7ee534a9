// SPDX-License-Identifier: Apache-2.0
// parse_ip_header and parse_ip_packet on arbitrary bytes: never read past the buffer (ASan),
// and what they return holds together: the header fits, the full parse accepts only what the
// header parse does, the stated length fits, ports only in a first fragment of a protocol that
// has them and inside the packet, and trimming the bytes after the stated length (padding)
// changes nothing.
#include <cstddef>
#include <cstdint>

#include "fuzz_check.h"
#include "wireguard/ip_packet.h"

using namespace mw;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  base::Bytes packet(data, size);
  auto header = wg::parse_ip_header(packet);
  if (header) fuzz::check(header->header_length >= 20 && header->header_length <= size);
  auto info = wg::parse_ip_packet(packet);
  if (!info) return 0;
  fuzz::check(header.has_value() && header->stated_length == info->length);
  fuzz::check(info->length <= size);
  if (info->has_ports) fuzz::check(info->transport_offset + 4 <= info->length);
  fuzz::check(info->source.is_v4() == ((data[0] >> 4) == 4));
  if (info->has_ports) {
    fuzz::check(info->fragment_offset == 0);
    fuzz::check(info->protocol == wg::kIpProtoTcp || info->protocol == wg::kIpProtoUdp ||
                info->protocol == 132 || info->protocol == 136);
  }
  auto trimmed = wg::parse_ip_packet(packet.first(info->length));
  fuzz::check(trimmed.has_value());
  fuzz::check(trimmed->protocol == info->protocol && trimmed->has_ports == info->has_ports &&
              trimmed->source_port == info->source_port &&
              trimmed->destination_port == info->destination_port &&
              trimmed->fragment_offset == info->fragment_offset);
  return 0;
}
