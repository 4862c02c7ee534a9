// SPDX-License-Identifier: Apache-2.0
// The virtio_net_hdr that prefixes every packet on a TUN opened with IFF_VNET_HDR (virtio spec
// 1.2 §5.1.6 "Device Operation", struct virtio_net_hdr without num_buffers; little-endian).
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/bytes.h"

namespace mw::dp {

// Flag bits (virtio spec 1.2 §5.1.6; linux/virtio_net.h).
constexpr uint8_t kVirtioNetHdrFNeedsCsum = 1;
constexpr uint8_t kVirtioNetHdrFDataValid = 2;

// gso_type values; kVirtioNetHdrGsoEcn is a bit or-ed into the TCP types.
constexpr uint8_t kVirtioNetHdrGsoNone = 0;
constexpr uint8_t kVirtioNetHdrGsoTcpV4 = 1;
constexpr uint8_t kVirtioNetHdrGsoUdp = 3;  // UFO: IP fragmentation, not supported here
constexpr uint8_t kVirtioNetHdrGsoTcpV6 = 4;
constexpr uint8_t kVirtioNetHdrGsoUdpL4 = 5;  // USO
constexpr uint8_t kVirtioNetHdrGsoEcn = 0x80;

constexpr size_t kVirtioNetHdrLen = 10;

// Field for field the wire layout: flags u8, gso_type u8, then five little-endian u16.
struct VirtioNetHdr {
  uint8_t flags = 0;
  uint8_t gso_type = kVirtioNetHdrGsoNone;
  uint16_t hdr_len = 0;      // bytes of headers (advisory: the kernel may report more)
  uint16_t gso_size = 0;     // payload bytes per segment
  uint16_t csum_start = 0;   // where the checksummed range starts (the transport header)
  uint16_t csum_offset = 0;  // where the checksum field sits, counted from csum_start

  friend bool operator==(const VirtioNetHdr&, const VirtioNetHdr&) = default;
};

// False, leaving *out untouched, when `in` is shorter than kVirtioNetHdrLen.
bool decode_virtio_net_hdr(base::Bytes in, VirtioNetHdr* out);
// Writes exactly kVirtioNetHdrLen bytes at out10.
void encode_virtio_net_hdr(const VirtioNetHdr& h, uint8_t* out10);

}  // namespace mw::dp
