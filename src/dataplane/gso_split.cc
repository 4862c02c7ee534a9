// SPDX-License-Identifier: Apache-2.0
// GSO split of TCP (RFC 9293 §3.1) and UDP (RFC 768) super-packets over IPv4 (RFC 791 §3.1)
// and IPv6 (RFC 8200 §3), in the way the kernel's tcp_gso_segment and __udp_gso_segment do.
#include "dataplane/gso_split.h"

#include <cstring>

#include "dataplane/checksum.h"
#include "wireguard/ip_packet.h"

namespace mw::dp {
namespace {

constexpr uint8_t kTcpFin = 0x01;
constexpr uint8_t kTcpPsh = 0x08;
constexpr uint8_t kTcpCwr = 0x80;

struct Layout {
  bool v4 = false;
  uint8_t protocol = 0;
  size_t ip_len = 0;         // IP header, with IPv4 options
  size_t transport_len = 0;  // TCP header with options, or 8 for UDP
};

// The minimal facts a copied packet must satisfy: an IP version and room for its header.
bool plausible_ip(base::Bytes p) { return wg::parse_ip_header(p).has_value(); }

SplitError parse_layout(const VirtioNetHdr& h, uint8_t gso, base::Bytes p, Layout* l) {
  // The super-packet's stated length is not checked: the kernel's may be anything.
  auto ip = wg::parse_ip_header(p);
  if (!ip) return SplitError::kMalformed;
  if (gso == (ip->v4 ? kVirtioNetHdrGsoTcpV6 : kVirtioNetHdrGsoTcpV4))
    return SplitError::kMalformed;
  if (ip->is_fragment()) return SplitError::kMalformed;
  l->v4 = ip->v4;
  l->ip_len = ip->header_length;
  l->protocol = ip->next_protocol;
  const uint8_t want = gso == kVirtioNetHdrGsoUdpL4 ? kIpProtoUdp : kIpProtoTcp;
  if (l->protocol != want) {
    // An IPv6 header chain before the transport header is legal but not cut here.
    return l->v4 ? SplitError::kMalformed : SplitError::kUnsupported;
  }
  if (want == kIpProtoTcp) {
    if (p.size() < l->ip_len + 20) return SplitError::kMalformed;
    l->transport_len = size_t(p[l->ip_len + 12] >> 4) * 4;
    if (l->transport_len < 20) return SplitError::kMalformed;
  } else {
    l->transport_len = 8;
  }
  if (p.size() < l->ip_len + l->transport_len) return SplitError::kMalformed;
  if (h.flags & kVirtioNetHdrFNeedsCsum) {
    const size_t field = want == kIpProtoTcp ? 16 : 6;
    if (h.csum_start != l->ip_len || h.csum_offset != field) return SplitError::kMalformed;
  }
  if (h.hdr_len > p.size()) return SplitError::kMalformed;
  return SplitError::kNone;
}

// A packet cut no further (GSO_NONE): it must look like IP, and with NEEDS_CSUM the checksum
// field at csum_start + csum_offset must lie inside it.
SplitError check_whole(const VirtioNetHdr& h, base::Bytes p) {
  if (!plausible_ip(p)) return SplitError::kMalformed;
  const size_t field = size_t(h.csum_start) + h.csum_offset;
  if ((h.flags & kVirtioNetHdrFNeedsCsum) && field + 2 > p.size()) return SplitError::kMalformed;
  return SplitError::kNone;
}

// Completes a NEEDS_CSUM checksum of a packet checked by check_whole: the field holds the
// pseudo-header sum, as the kernel leaves it, and the sum over [csum_start, end) finishes it.
void complete_checksum(const VirtioNetHdr& h, base::MutableBytes p) {
  if (!(h.flags & kVirtioNetHdrFNeedsCsum)) return;
  const uint32_t sum = checksum_partial(p.subspan(h.csum_start), 0);
  base::store_u16be(p.data() + h.csum_start + h.csum_offset, checksum_finish(sum));
}

SplitError copy_one(const VirtioNetHdr& h, base::Bytes p, std::span<PacketSlot> out,
                    size_t* count) {
  if (SplitError e = check_whole(h, p); e != SplitError::kNone) return e;
  if (out.empty()) return SplitError::kTooManySegments;
  if (out[0].capacity < p.size()) return SplitError::kSlotTooSmall;
  std::memcpy(out[0].data, p.data(), p.size());
  complete_checksum(h, base::MutableBytes(out[0].data, p.size()));
  out[0].length = p.size();
  *count = 1;
  return SplitError::kNone;
}

SegmentPlan cut_of(const Layout& l, base::Bytes packet, size_t gso_size, size_t segments) {
  SegmentPlan c;
  c.v4 = l.v4;
  c.protocol = l.protocol;
  c.ip_len = l.ip_len;
  c.transport_len = l.transport_len;
  c.hdrs = l.ip_len + l.transport_len;
  c.payload = packet.size() - c.hdrs;
  c.gso_size = gso_size;
  c.segments = segments;
  c.first_id = l.v4 ? base::load_u16be(packet.data() + 4) : 0;
  c.first_seq = l.protocol == kIpProtoTcp ? base::load_u32be(packet.data() + l.ip_len + 4) : 0;
  return c;
}

// Segment i lies at d: the super-packet's headers, then its payload. Sets its lengths, IPv4
// id and header checksum, TCP sequence number and flags, and its transport checksum.
void finish_segment(const SegmentPlan& c, size_t i, uint8_t* d) {
  const size_t n = c.payload_len(i);
  const size_t transport_total = c.transport_len + n;
  uint32_t sum = 0;
  if (c.v4) {
    base::store_u16be(d + 2, uint16_t(c.hdrs + n));
    base::store_u16be(d + 4, uint16_t(c.first_id + i));
    base::store_u16be(d + 10, ipv4_header_checksum(base::Bytes(d, c.ip_len)));
    sum = pseudo_header_sum_v4(d + 12, d + 16, c.protocol, uint16_t(transport_total));
  } else {
    base::store_u16be(d + 4, uint16_t(transport_total));
    sum = pseudo_header_sum_v6(d + 8, d + 24, c.protocol, uint32_t(transport_total));
  }
  uint8_t* t = d + c.ip_len;
  size_t field = 0;
  if (c.protocol == kIpProtoTcp) {
    base::store_u32be(t + 4, uint32_t(c.first_seq + i * c.gso_size));
    if (i + 1 < c.segments) t[13] &= uint8_t(~(kTcpFin | kTcpPsh));
    if (i > 0) t[13] &= uint8_t(~kTcpCwr);
    field = 16;
  } else {
    base::store_u16be(t + 4, uint16_t(transport_total));
    field = 6;
  }
  t[field] = 0;
  t[field + 1] = 0;
  uint16_t csum = checksum_finish(checksum_partial(base::Bytes(t, transport_total), sum));
  if (c.protocol == kIpProtoUdp && csum == 0) csum = 0xffff;  // RFC 768: 0 means "none"
  base::store_u16be(t + field, csum);
}

// The checks gso_split makes before cutting a GSO packet; on success *l, *segments are set.
SplitError check_gso(const VirtioNetHdr& h, base::Bytes packet, Layout* l, size_t* segments) {
  const uint8_t gso = h.gso_type & uint8_t(~kVirtioNetHdrGsoEcn);
  if (gso != kVirtioNetHdrGsoTcpV4 && gso != kVirtioNetHdrGsoTcpV6 &&
      gso != kVirtioNetHdrGsoUdpL4) {
    return SplitError::kUnsupported;
  }
  if (gso == kVirtioNetHdrGsoUdpL4 && gso != h.gso_type) return SplitError::kUnsupported;
  if (h.gso_size == 0) return SplitError::kMalformed;
  if (SplitError e = parse_layout(h, gso, packet, l); e != SplitError::kNone) return e;
  const size_t hdrs = l->ip_len + l->transport_len;
  const size_t payload = packet.size() - hdrs;
  *segments = payload == 0 ? 1 : (payload + h.gso_size - 1) / h.gso_size;
  // The largest segment must still be expressible in the IP and UDP length fields.
  const size_t largest = *segments == 1 ? payload : h.gso_size;
  if (hdrs + largest > 0xffff) return SplitError::kMalformed;
  return SplitError::kNone;
}

}  // namespace

SplitError gso_split(const VirtioNetHdr& h, base::Bytes packet, std::span<PacketSlot> out,
                     size_t* count) {
  *count = 0;
  if (h.gso_type == kVirtioNetHdrGsoNone) return copy_one(h, packet, out, count);
  Layout l;
  size_t segments = 0;
  if (SplitError e = check_gso(h, packet, &l, &segments); e != SplitError::kNone) return e;
  if (segments > out.size()) return SplitError::kTooManySegments;
  const SegmentPlan cut = cut_of(l, packet, h.gso_size, segments);
  for (size_t i = 0; i < segments; ++i) {
    if (out[i].capacity < cut.hdrs + cut.payload_len(i)) return SplitError::kSlotTooSmall;
  }
  for (size_t i = 0; i < segments; ++i) {
    const size_t n = cut.payload_len(i);
    uint8_t* d = out[i].data;
    std::memcpy(d, packet.data(), cut.hdrs);
    std::memcpy(d + cut.hdrs, packet.data() + cut.hdrs + i * cut.gso_size, n);
    out[i].length = cut.hdrs + n;
    finish_segment(cut, i, d);
  }
  *count = segments;
  return SplitError::kNone;
}

SplitError GsoSplitter::start(const VirtioNetHdr& h, base::MutableBytes packet) {
  packet_ = packet;
  next_ = 0;
  segments_ = 0;
  if (h.gso_type == kVirtioNetHdrGsoNone) {
    if (SplitError e = check_whole(h, packet); e != SplitError::kNone) return e;
    complete_checksum(h, packet);
    segments_ = 1;
    whole_ = true;
    return SplitError::kNone;
  }
  Layout l;
  size_t segments = 0;
  if (SplitError e = check_gso(h, packet, &l, &segments); e != SplitError::kNone) return e;
  const size_t hdrs = l.ip_len + l.transport_len;
  // Segment k's headers go right before its payload, over the last bytes of segment k-1's
  // payload: that needs payloads at least as long as the headers, and room to keep a copy.
  if (segments > 1 && (h.gso_size < hdrs || hdrs > headers_.size()))
    return SplitError::kUnsupported;
  cut_ = cut_of(l, packet, h.gso_size, segments);
  std::memcpy(headers_.data(), packet.data(), hdrs);
  segments_ = segments;
  whole_ = false;
  return SplitError::kNone;
}

base::Bytes GsoSplitter::next() {
  if (next_ >= segments_) return {};
  const size_t i = next_++;
  if (whole_) return packet_;
  const SegmentPlan& c = cut_;
  uint8_t* d = packet_.data() + i * c.gso_size;
  if (i > 0) std::memcpy(d, headers_.data(), c.hdrs);
  finish_segment(c, i, d);
  return base::Bytes(d, c.hdrs + c.payload_len(i));
}

}  // namespace mw::dp
