// SPDX-License-Identifier: Apache-2.0
// GSO split: cuts one packet read from a vnet-hdr TUN (possibly a TCP or UDP "super-packet")
// into ready-to-encrypt IP packets with complete headers and checksums.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "base/bytes.h"
#include "dataplane/virtio_net_hdr.h"
#include "os/tun.h"

namespace mw::dp {

enum class SplitError {
  kNone,
  kMalformed,        // the header or packet contradicts itself (lengths, offsets, gso_size 0)
  kUnsupported,      // a gso_type we do not cut (UFO, unknown) or IPv6 extension headers
  kTooManySegments,  // more segments than output slots
  kSlotTooSmall,     // a segment does not fit its slot
};

// A slot of a batch: the one type the TUN, the split and the coalescer share.
using os::PacketSlot;

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

// What every segment of one super-packet shares (GsoSplitter's state; not for other use).
struct SegmentPlan {
  bool v4 = false;
  uint8_t protocol = 0;
  size_t ip_len = 0;         // IP header, with IPv4 options
  size_t transport_len = 0;  // TCP header with options, or 8 for UDP
  size_t hdrs = 0;           // ip_len + transport_len
  size_t payload = 0;
  size_t gso_size = 0;
  size_t segments = 0;
  uint16_t first_id = 0;
  uint32_t first_seq = 0;
  size_t payload_len(size_t i) const {
    return i + 1 < segments ? gso_size : payload - i * gso_size;
  }
};

// The same cut as gso_split, made in place, one segment at a time, with no copy of the payload:
// segment k is built in the packet's own buffer right before its payload, its headers written
// over the last bytes of segment k-1's payload. So a segment is valid only until next() is
// called again, and the caller must be done with it by then (the interface encrypts each into
// its send buffer at once). Every segment has exactly the bytes gso_split gives.
//
// start() validates as gso_split does and also returns kUnsupported when the cut cannot be made
// in place (a payload shorter than the headers, or headers over 128 bytes); the caller then uses
// gso_split. GSO_NONE yields the packet itself, its checksum completed when NEEDS_CSUM asks.
class GsoSplitter {
 public:
  SplitError start(const VirtioNetHdr& h, base::MutableBytes packet);
  // The next segment, or empty when all have been given (or start() failed).
  base::Bytes next();

 private:
  base::MutableBytes packet_;
  SegmentPlan cut_;
  std::array<uint8_t, 128> headers_{};  // the super-packet's headers, the template of each
  size_t next_ = 0;
  size_t segments_ = 0;
  bool whole_ = false;
};

}  // namespace mw::dp
