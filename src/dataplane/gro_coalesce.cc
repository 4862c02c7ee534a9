// SPDX-License-Identifier: Apache-2.0
// GRO for TCP (RFC 9293 §3.1) and UDP (RFC 768) over IPv4 (RFC 791 §3.1) and IPv6
// (RFC 8200 §3), producing virtio_net_hdr super-packets (virtio spec 1.2 §5.1.6).
#include "dataplane/gro_coalesce.h"

#include <algorithm>
#include <cstring>

#include "dataplane/checksum.h"
#include "wireguard/ip_packet.h"

namespace mw::dp {
namespace {

constexpr uint8_t kTcpPsh = 0x08;
constexpr uint8_t kTcpAck = 0x10;
constexpr uint8_t kTcpEce = 0x40;
constexpr size_t kMaxIpLen = 0xffff;

size_t table_size_for(size_t max_packets) {
  size_t n = 16;
  while (n < 2 * max_packets) n *= 2;
  return n;
}

}  // namespace

// What add() learns about a packet. `keyed`: the flow (addresses, protocol, ports) is known.
// `mergeable`: the packet may be part of a super-packet.
struct GroCoalescer::Parsed {
  bool keyed = false;
  bool mergeable = false;
  bool v4 = false;
  bool psh = false;
  uint8_t protocol = 0;
  size_t ip_len = 0;
  size_t transport_len = 0;
  size_t payload_len = 0;
};

void GroCoalescer::parse(base::Bytes b, Parsed* p) const {
  auto ip = wg::parse_ip_header(b);
  if (!ip || ip->is_fragment()) return;  // not IP, or a fragment: no ports
  const uint8_t* d = b.data();
  p->v4 = ip->v4;
  p->ip_len = ip->header_length;
  p->protocol = ip->next_protocol;  // an IPv6 extension header is left alone
  const bool lengths_ok =
      ip->stated_length == b.size() &&
      (!ip->v4 || ipv4_header_checksum(b.first(p->ip_len)) == base::load_u16be(d + 10));
  if (p->protocol != kIpProtoTcp && p->protocol != kIpProtoUdp) return;
  const uint8_t* t = d + p->ip_len;
  const size_t rest = b.size() - p->ip_len;
  if (rest < 4) return;
  p->keyed = true;
  if (!lengths_ok) return;
  if (p->protocol == kIpProtoTcp) {
    if (rest < 20) return;
    p->transport_len = size_t(t[12] >> 4) * 4;
    if (p->transport_len < 20 || p->transport_len > rest) return;
    const uint8_t flags = t[13];
    if ((flags & kTcpAck) == 0 || (flags & ~(kTcpAck | kTcpPsh | kTcpEce)) != 0) return;
    p->psh = flags & kTcpPsh;
  } else {
    if (!coalesce_udp_ || rest < 8) return;
    p->transport_len = 8;
    if (base::load_u16be(t + 4) != rest || base::load_u16be(t + 6) == 0) return;
  }
  p->payload_len = rest - p->transport_len;
  if (p->payload_len == 0) return;
  if (trust_checksums_) {
    p->mergeable = true;
    return;
  }
  // Only a packet whose checksum field holds exactly what gso_split would compute comes back
  // byte for byte, so compare the field rather than verify the sum (0 and 0xffff both verify).
  const size_t field = p->protocol == kIpProtoTcp ? 16 : 6;
  uint32_t sum = p->v4 ? pseudo_header_sum_v4(d + 12, d + 16, p->protocol, uint16_t(rest))
                       : pseudo_header_sum_v6(d + 8, d + 24, p->protocol, uint32_t(rest));
  sum = checksum_partial(base::Bytes(t, field), sum);
  sum = checksum_partial(base::Bytes(t + field + 2, rest - field - 2), sum);
  uint16_t expected = checksum_finish(sum);
  if (p->protocol == kIpProtoUdp && expected == 0) expected = 0xffff;
  p->mergeable = base::load_u16be(t + field) == expected;
}

GroCoalescer::GroCoalescer(size_t max_packets, bool coalesce_udp, InnerChecksums checksums)
    : max_packets_(max_packets),
      coalesce_udp_(coalesce_udp),
      trust_checksums_(checksums == InnerChecksums::kTrust) {
  packets_.reserve(max_packets);
  next_.reserve(max_packets);
  items_.reserve(max_packets);
  flows_.assign(table_size_for(max_packets), -1);
}

void GroCoalescer::clear() {
  packets_.clear();
  next_.clear();
  items_.clear();
  std::fill(flows_.begin(), flows_.end(), -1);
}

// The table slot holding the flow's latest item, or the empty slot where it belongs.
int32_t* GroCoalescer::flow_slot(base::Bytes packet, const Parsed& p) {
  const uint8_t* d = packet.data();
  const size_t addr_at = p.v4 ? 12 : 8;
  const size_t addr_len = p.v4 ? 8 : 32;
  uint64_t h = 1469598103934665603ull ^ p.protocol;
  auto mix = [&h](const uint8_t* s, size_t n) {
    for (size_t i = 0; i < n; ++i) h = (h ^ s[i]) * 1099511628211ull;
  };
  mix(d + addr_at, addr_len);
  mix(d + p.ip_len, 4);
  const size_t mask = flows_.size() - 1;
  for (size_t i = size_t(h ^ h >> 29) & mask;; i = (i + 1) & mask) {
    int32_t& slot = flows_[i];
    if (slot < 0) return &slot;
    const Item& item = items_[size_t(slot)];
    const uint8_t* o = packets_[item.first].data();
    if (item.v4 == p.v4 && o[p.v4 ? 9 : 6] == p.protocol &&
        std::memcmp(o + addr_at, d + addr_at, addr_len) == 0 &&
        std::memcmp(o + item.ip_len, d + p.ip_len, 4) == 0) {
      return &slot;
    }
  }
}

void GroCoalescer::start_item(uint32_t index, base::Bytes packet, const Parsed& p) {
  Item item;
  item.first = index;
  item.last = index;
  item.total_len = uint32_t(packet.size());
  item.v4 = p.v4;
  item.ip_len = uint8_t(p.ip_len);
  if (p.mergeable) {
    const uint8_t* d = packet.data();
    item.protocol = p.protocol;
    item.transport_len = uint8_t(p.transport_len);
    item.gso_size = uint16_t(p.payload_len);
    item.psh = p.psh;
    item.open = !p.psh;
    if (p.v4) item.next_id = uint16_t(base::load_u16be(d + 4) + 1);
    if (p.protocol == kIpProtoTcp) {
      item.next_seq = uint32_t(base::load_u32be(d + p.ip_len + 4) + p.payload_len);
    }
  }
  items_.push_back(item);
}

bool GroCoalescer::try_merge(Item& item, base::Bytes packet, const Parsed& p) {
  if (!item.open || !p.mergeable || item.protocol != p.protocol || item.v4 != p.v4 ||
      item.ip_len != p.ip_len || item.transport_len != p.transport_len ||
      p.payload_len > item.gso_size || item.total_len + p.payload_len > kMaxIpLen) {
    return false;
  }
  const uint8_t* a = packets_[item.first].data();
  const uint8_t* b = packet.data();
  // IP headers equal apart from length, id and checksum (v4) or payload length (v6).
  if (p.v4) {
    if (base::load_u16be(b + 4) != item.next_id) return false;
    if (a[0] != b[0] || a[1] != b[1] || std::memcmp(a + 6, b + 6, 4) != 0 ||
        std::memcmp(a + 12, b + 12, p.ip_len - 12) != 0) {
      return false;
    }
  } else if (std::memcmp(a, b, 4) != 0 || std::memcmp(a + 6, b + 6, 34) != 0) {
    return false;
  }
  const uint8_t* ta = a + p.ip_len;
  const uint8_t* tb = b + p.ip_len;
  if (p.protocol == kIpProtoTcp) {
    // Equal apart from sequence number, checksum and PSH: ports, ack, offset, window, urgent
    // pointer and options.
    if (base::load_u32be(tb + 4) != item.next_seq) return false;
    if (std::memcmp(ta, tb, 4) != 0 || std::memcmp(ta + 8, tb + 8, 5) != 0 ||
        (ta[13] | kTcpPsh) != (tb[13] | kTcpPsh) || std::memcmp(ta + 14, tb + 14, 2) != 0 ||
        std::memcmp(ta + 18, tb + 18, p.transport_len - 18) != 0) {
      return false;
    }
    item.next_seq = uint32_t(item.next_seq + p.payload_len);
    item.psh = p.psh;
  } else if (std::memcmp(ta, tb, 4) != 0) {
    return false;
  }
  next_[item.last] = uint32_t(packets_.size() - 1);
  item.last = uint32_t(packets_.size() - 1);
  item.segment_count++;
  item.total_len = uint32_t(item.total_len + p.payload_len);
  item.next_id = uint16_t(item.next_id + 1);
  if (p.payload_len < item.gso_size || p.psh) item.open = false;
  return true;
}

bool GroCoalescer::add(base::Bytes packet) {
  if (packets_.size() >= max_packets_) return false;
  Parsed p;
  parse(packet, &p);
  const uint32_t index = uint32_t(packets_.size());
  packets_.push_back(packet);
  next_.push_back(UINT32_MAX);
  if (!p.keyed) {
    start_item(index, packet, Parsed{});
    return true;
  }
  int32_t* slot = flow_slot(packet, p);
  if (*slot >= 0 && try_merge(items_[size_t(*slot)], packet, p)) return true;
  *slot = int32_t(items_.size());
  start_item(index, packet, p);
  return true;
}

size_t GroCoalescer::output_len(const Item& item) const {
  return kVirtioNetHdrLen + item.total_len;
}

void GroCoalescer::write_item(const Item& item, uint8_t* out) const {
  const base::Bytes first = packets_[item.first];
  VirtioNetHdr h;
  if (item.segment_count == 1) {
    encode_virtio_net_hdr(h, out);
    if (!first.empty()) std::memcpy(out + kVirtioNetHdrLen, first.data(), first.size());
    return;
  }
  const size_t hdrs = size_t(item.ip_len) + item.transport_len;
  uint8_t* d = out + kVirtioNetHdrLen;
  std::memcpy(d, first.data(), first.size());
  size_t at = first.size();
  for (uint32_t i = next_[item.first]; i != UINT32_MAX; i = next_[i]) {
    const base::Bytes seg = packets_[i];
    std::memcpy(d + at, seg.data() + hdrs, seg.size() - hdrs);
    at += seg.size() - hdrs;
  }
  const uint32_t transport_total = item.total_len - item.ip_len;
  uint32_t sum = 0;
  if (item.v4) {
    base::store_u16be(d + 2, uint16_t(item.total_len));
    base::store_u16be(d + 10, ipv4_header_checksum(base::Bytes(d, item.ip_len)));
    sum = pseudo_header_sum_v4(d + 12, d + 16, item.protocol, uint16_t(transport_total));
  } else {
    base::store_u16be(d + 4, uint16_t(transport_total));
    sum = pseudo_header_sum_v6(d + 8, d + 24, item.protocol, transport_total);
  }
  uint8_t* t = d + item.ip_len;
  if (item.protocol == kIpProtoTcp) {
    if (item.psh) t[13] |= kTcpPsh;
    h.gso_type = item.v4 ? kVirtioNetHdrGsoTcpV4 : kVirtioNetHdrGsoTcpV6;
    h.csum_offset = 16;
  } else {
    base::store_u16be(t + 4, uint16_t(transport_total));
    h.gso_type = kVirtioNetHdrGsoUdpL4;
    h.csum_offset = 6;
  }
  // The kernel completes the checksum from the folded pseudo-header sum left in the field.
  base::store_u16be(t + h.csum_offset, checksum_fold(sum));
  h.flags = kVirtioNetHdrFNeedsCsum;
  h.hdr_len = uint16_t(hdrs);
  h.gso_size = item.gso_size;
  h.csum_start = item.ip_len;
  encode_virtio_net_hdr(h, out);
}

FlushError GroCoalescer::flush(std::span<PacketSlot> out, size_t* count) {
  *count = 0;
  if (out.size() < items_.size()) return FlushError::kTooFewSlots;
  for (size_t i = 0; i < items_.size(); ++i) {
    if (out[i].capacity < output_len(items_[i])) return FlushError::kSlotTooSmall;
  }
  for (size_t i = 0; i < items_.size(); ++i) {
    write_item(items_[i], out[i].data);
    out[i].length = output_len(items_[i]);
  }
  *count = items_.size();
  clear();
  return FlushError::kNone;
}

}  // namespace mw::dp
