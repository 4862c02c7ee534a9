// SPDX-License-Identifier: Apache-2.0
// GSO split: cuts one packet read from a vnet-hdr TUN (possibly a TCP or UDP "super-packet")
// into ready-to-encrypt IP packets with complete headers and checksums.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/bytes.h"
#include "dataplane/virtio_net_hdr.h"

namespace mw::dp {

enum class SplitError {
  kNone,
  kMalformed,        // the header or packet contradicts itself (lengths, offsets, gso_size 0)
  kUnsupported,      // a gso_type we do not cut (UFO, unknown) or IPv6 extension headers
  kTooManySegments,  // more segments than output slots
  kSlotTooSmall,     // a segment does not fit its slot
};

// One output buffer: the caller owns `data` (capacity bytes); gso_split writes `length`.
struct PacketSlot {
  uint8_t* data = nullptr;
  size_t capacity = 0;
  size_t length = 0;
};

// Ownership: `packet` (the bytes after the virtio_net_hdr) is only read during the call; the
// segments are written into out[0..*count). On any error *count is 0 and no slot's length is
// meaningful.
//
// GSO_NONE: the packet is copied; with NEEDS_CSUM the checksum over [csum_start, end) is
// completed at csum_start + csum_offset (the field holds the pseudo-header sum, as the kernel
// leaves it).
// GSO_TCPV4/TCPV6 (ECN bit allowed) and GSO_UDP_L4: the payload after the transport header is
// cut into gso_size pieces. Each segment gets its IP length, an IPv4 id of first id + index and a
// fresh IPv4 header checksum; TCP segments advance the sequence number, keep FIN and PSH only on
// the last and CWR only on the first; UDP segments get their own length. Every segment's
// transport checksum is computed from scratch (the field in `packet` is ignored).
// hdr_len is advisory (the kernel reports the linear head, which may include payload) and is
// only checked not to exceed the packet.
SplitError gso_split(const VirtioNetHdr& h, base::Bytes packet, std::span<PacketSlot> out,
                     size_t* count);

}  // namespace mw::dp
