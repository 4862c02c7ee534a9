// SPDX-License-Identifier: Apache-2.0
// Tests for gso_split: hand-built TSO and USO super-packets against naively built segments,
// checksum completion, and every reject path.
#include "dataplane/gso_split.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "dataplane/checksum.h"
#include "dataplane/testing/packets.h"

namespace mw::dp {
namespace {

using testing::build_tcp;
using testing::build_udp;
using testing::IpSpec;
using testing::TcpSpec;

constexpr uint8_t kFin = 0x01, kPsh = 0x08, kAck = 0x10, kCwr = 0x80;

std::vector<uint8_t> payload_of(size_t n, uint8_t salt) {
  std::vector<uint8_t> p(n);
  for (size_t i = 0; i < n; ++i) p[i] = uint8_t(i * 7 + salt);
  return p;
}

// Output buffers for up to `count` segments of `capacity` bytes.
struct Slots {
  explicit Slots(size_t count, size_t capacity = 65536)
      : storage(count, std::vector<uint8_t>(capacity)) {
    for (auto& s : storage) slots.push_back(PacketSlot{s.data(), s.size(), 0});
  }
  std::vector<uint8_t> packet(size_t i) const {
    return std::vector<uint8_t>(slots[i].data, slots[i].data + slots[i].length);
  }
  std::vector<std::vector<uint8_t>> storage;
  std::vector<PacketSlot> slots;
};

// Puts the folded pseudo-header sum in the transport checksum field, as the kernel leaves a
// CHECKSUM_PARTIAL packet.
void make_partial(std::vector<uint8_t>& p, size_t ip_len, size_t field) {
  const size_t tl = p.size() - ip_len;
  const uint32_t sum =
      p[0] >> 4 == 4 ? pseudo_header_sum_v4(&p[12], &p[16], p[p[0] >> 4 == 4 ? 9 : 6], uint16_t(tl))
                     : pseudo_header_sum_v6(&p[8], &p[24], p[6], uint32_t(tl));
  const uint16_t f = checksum_fold(sum);
  p[ip_len + field] = uint8_t(f >> 8);
  p[ip_len + field + 1] = uint8_t(f);
}

// What GsoSplitter makes of `p` (a copy, cut in place): its error, and the segments it gives,
// each copied out before asking for the next.
SplitError split_in_place(const VirtioNetHdr& h, std::vector<uint8_t> p,
                          std::vector<std::vector<uint8_t>>* segments) {
  GsoSplitter splitter;
  const SplitError e = splitter.start(h, p);
  segments->clear();
  for (base::Bytes seg = splitter.next(); !seg.empty(); seg = splitter.next())
    segments->emplace_back(seg.begin(), seg.end());
  if (e != SplitError::kNone) {
    EXPECT_TRUE(segments->empty());
  }
  return e;
}

// gso_split's `count` segments in `out` are exactly what the in-place cut gives, whenever the
// cut can be made in place (segments at least as long as the headers).
void expect_in_place_same(const VirtioNetHdr& h, const std::vector<uint8_t>& p,
                          const std::vector<PacketSlot>& out, size_t count) {
  std::vector<std::vector<uint8_t>> got;
  const SplitError e = split_in_place(h, p, &got);
  if (e == SplitError::kUnsupported && count > 1 && h.hdr_len > h.gso_size)
    return;  // headers longer than a segment's payload: cut by copying only
  ASSERT_EQ(e, SplitError::kNone);
  ASSERT_EQ(got.size(), count);
  for (size_t i = 0; i < count; ++i)
    EXPECT_EQ(got[i], std::vector<uint8_t>(out[i].data, out[i].data + out[i].length))
        << "segment " << i << " cut in place";
}

VirtioNetHdr tso_header(bool v6, size_t ip_len, size_t tcp_len, uint16_t gso_size) {
  return VirtioNetHdr{
      kVirtioNetHdrFNeedsCsum,    v6 ? kVirtioNetHdrGsoTcpV6 : kVirtioNetHdrGsoTcpV4,
      uint16_t(ip_len + tcp_len), gso_size,
      uint16_t(ip_len),           16};
}

// Splits a TSO super-packet of `total` payload bytes and checks each segment against one built
// naively with the expected id, sequence number and flags.
void check_tso(IpSpec ip, TcpSpec tcp, size_t total, uint16_t gso_size) {
  const std::vector<uint8_t> payload = payload_of(total, 3);
  std::vector<uint8_t> super = build_tcp(ip, tcp, payload);
  const size_t ip_len = ip.v6 ? 40 : 20 + ip.options.size();
  const size_t tcp_len = 20 + tcp.options.size();
  make_partial(super, ip_len, 16);
  const size_t want = (total + gso_size - 1) / gso_size;
  Slots out(want + 2);
  size_t count = 0;
  ASSERT_EQ(gso_split(tso_header(ip.v6, ip_len, tcp_len, gso_size), super, out.slots, &count),
            SplitError::kNone);
  ASSERT_EQ(count, want);
  expect_in_place_same(tso_header(ip.v6, ip_len, tcp_len, gso_size), super, out.slots, count);
  for (size_t i = 0; i < count; ++i) {
    SCOPED_TRACE(::testing::Message() << "segment " << i);
    const size_t off = i * gso_size;
    const size_t n = std::min<size_t>(gso_size, total - off);
    IpSpec sip = ip;
    sip.id = uint16_t(ip.id + i);
    TcpSpec stcp = tcp;
    stcp.seq = uint32_t(tcp.seq + off);
    if (i + 1 < count) stcp.flags &= uint8_t(~(kFin | kPsh));
    if (i > 0) stcp.flags &= uint8_t(~kCwr);
    const std::vector<uint8_t> expected = build_tcp(
        sip, stcp,
        std::vector<uint8_t>(payload.begin() + long(off), payload.begin() + long(off + n)));
    const std::vector<uint8_t> got = out.packet(i);
    ASSERT_EQ(got.size(), ip_len + tcp_len + n);
    EXPECT_TRUE(testing::naive_packet_ok(got));
    const uint8_t* t = got.data() + ip_len;
    if (!ip.v6) {
      EXPECT_EQ(base::load_u16be(&got[2]), got.size());
      EXPECT_EQ(base::load_u16be(&got[4]), uint16_t(ip.id + i));
    } else {
      EXPECT_EQ(base::load_u16be(&got[4]), got.size() - 40);
    }
    EXPECT_EQ(base::load_u32be(t + 4), uint32_t(tcp.seq + off));
    EXPECT_EQ(t[13], stcp.flags);
    EXPECT_EQ(got, expected);
  }
}

TEST(GsoSplit, Tcp4WithFinOnTheLast) {
  TcpSpec tcp;
  tcp.flags = kAck | kPsh | kFin;
  IpSpec ip;
  ip.id = 0xfffe;  // the id wraps
  check_tso(ip, tcp, 2500, 1000);
}

TEST(GsoSplit, Tcp4WithOptionsAndIpOptions) {
  TcpSpec tcp;
  tcp.options = {1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2};  // NOP NOP timestamps
  tcp.flags = kAck | kCwr;
  tcp.seq = 0xfffff000;  // the sequence number wraps
  IpSpec ip;
  ip.options = {1, 1, 1, 0};
  check_tso(ip, tcp, 14480, 1448);
}

TEST(GsoSplit, Tcp6WithAndWithoutOptions) {
  IpSpec ip;
  ip.v6 = true;
  ip.flow_label = 0xabcde;
  ip.tos = 0x28;
  TcpSpec tcp;
  tcp.flags = kAck | kPsh;
  check_tso(ip, tcp, 5000, 1428);
  tcp.options = {2, 4, 5, 0xb4};
  tcp.flags = kAck | kFin | kCwr;
  check_tso(ip, tcp, 1, 1428);
  check_tso(ip, tcp, 64000, 1000);
}

TEST(GsoSplit, TcpEcnBitIsAccepted) {
  IpSpec ip;
  TcpSpec tcp;
  std::vector<uint8_t> super = build_tcp(ip, tcp, payload_of(300, 1));
  VirtioNetHdr h = tso_header(false, 20, 20, 100);
  h.gso_type |= kVirtioNetHdrGsoEcn;
  Slots out(3);
  size_t count = 0;
  ASSERT_EQ(gso_split(h, super, out.slots, &count), SplitError::kNone);
  EXPECT_EQ(count, 3u);
}

void check_uso(IpSpec ip, size_t total, uint16_t gso_size) {
  const std::vector<uint8_t> payload = payload_of(total, 9);
  std::vector<uint8_t> super = build_udp(ip, 51820, 4500, payload);
  const size_t ip_len = ip.v6 ? 40 : 20;
  make_partial(super, ip_len, 6);
  const VirtioNetHdr h{kVirtioNetHdrFNeedsCsum, kVirtioNetHdrGsoUdpL4,
                       uint16_t(ip_len + 8),    gso_size,
                       uint16_t(ip_len),        6};
  Slots out(64);
  size_t count = 0;
  ASSERT_EQ(gso_split(h, super, out.slots, &count), SplitError::kNone);
  ASSERT_EQ(count, (total + gso_size - 1) / gso_size);
  expect_in_place_same(h, super, out.slots, count);
  for (size_t i = 0; i < count; ++i) {
    const size_t off = i * gso_size;
    const size_t n = std::min<size_t>(gso_size, total - off);
    IpSpec sip = ip;
    sip.id = uint16_t(ip.id + i);
    const std::vector<uint8_t> expected = build_udp(
        sip, 51820, 4500,
        std::vector<uint8_t>(payload.begin() + long(off), payload.begin() + long(off + n)));
    const std::vector<uint8_t> got = out.packet(i);
    EXPECT_TRUE(testing::naive_packet_ok(got));
    EXPECT_EQ(base::load_u16be(&got[ip_len + 4]), 8 + n);
    EXPECT_EQ(got, expected) << "segment " << i;
  }
}

TEST(GsoSplit, Udp4AndUdp6) {
  IpSpec ip;
  ip.id = 77;
  check_uso(ip, 3500, 1200);
  check_uso(ip, 1200, 1200);
  ip.v6 = true;
  check_uso(ip, 10000, 1280);
}

TEST(GsoSplit, NoGsoNeedsCsumCompletesTheChecksum) {
  IpSpec ip;
  const std::vector<uint8_t> want = build_tcp(ip, TcpSpec{}, payload_of(333, 5));
  std::vector<uint8_t> partial = want;
  make_partial(partial, 20, 16);
  const VirtioNetHdr h{kVirtioNetHdrFNeedsCsum, kVirtioNetHdrGsoNone, 0, 0, 20, 16};
  Slots out(1);
  size_t count = 0;
  ASSERT_EQ(gso_split(h, partial, out.slots, &count), SplitError::kNone);
  ASSERT_EQ(count, 1u);
  EXPECT_EQ(out.packet(0), want);
  expect_in_place_same(h, partial, out.slots, count);

  ip.v6 = true;
  const std::vector<uint8_t> want6 = build_udp(ip, 1, 2, payload_of(77, 5));
  std::vector<uint8_t> partial6 = want6;
  make_partial(partial6, 40, 6);
  const VirtioNetHdr h6{kVirtioNetHdrFNeedsCsum, kVirtioNetHdrGsoNone, 0, 0, 40, 6};
  ASSERT_EQ(gso_split(h6, partial6, out.slots, &count), SplitError::kNone);
  EXPECT_EQ(out.packet(0), want6);
}

TEST(GsoSplit, NoGsoCopiesThePacket) {
  const std::vector<uint8_t> p = build_tcp(IpSpec{}, TcpSpec{}, payload_of(10, 0));
  Slots out(1);
  size_t count = 0;
  ASSERT_EQ(gso_split(VirtioNetHdr{}, p, out.slots, &count), SplitError::kNone);
  ASSERT_EQ(count, 1u);
  EXPECT_EQ(out.packet(0), p);
}

SplitError split(const VirtioNetHdr& h, const std::vector<uint8_t>& p, size_t slots = 64,
                 size_t capacity = 65536) {
  Slots out(slots, capacity);
  size_t count = 99;
  const SplitError e = gso_split(h, p, out.slots, &count);
  if (e != SplitError::kNone) {
    EXPECT_EQ(count, 0u);
  }
  // The in-place cut refuses the same inputs for the same reasons (it has no slots to run out
  // of), and otherwise gives the same segments.
  std::vector<std::vector<uint8_t>> in_place;
  const SplitError e2 = split_in_place(h, p, &in_place);
  if (e == SplitError::kMalformed || e == SplitError::kUnsupported) {
    EXPECT_EQ(e2, e);
  } else if (e == SplitError::kNone && e2 == SplitError::kNone) {
    EXPECT_EQ(in_place.size(), count);
  }
  return e;
}

TEST(GsoSplit, RejectsMalformed) {
  const std::vector<uint8_t> good = build_tcp(IpSpec{}, TcpSpec{}, payload_of(3000, 0));
  const VirtioNetHdr h = tso_header(false, 20, 20, 1000);
  ASSERT_EQ(split(h, good), SplitError::kNone);
  // Truncated: no IP header, no TCP header, an empty packet.
  EXPECT_EQ(split(h, std::vector<uint8_t>(good.begin(), good.begin() + 19)),
            SplitError::kMalformed);
  EXPECT_EQ(split(h, std::vector<uint8_t>(good.begin(), good.begin() + 39)),
            SplitError::kMalformed);
  EXPECT_EQ(split(h, {}), SplitError::kMalformed);
  EXPECT_EQ(split(VirtioNetHdr{}, {}), SplitError::kMalformed);
  // hdr_len past the end of the packet.
  VirtioNetHdr bad = h;
  bad.hdr_len = uint16_t(good.size() + 1);
  EXPECT_EQ(split(bad, good), SplitError::kMalformed);
  // gso_size 0.
  bad = h;
  bad.gso_size = 0;
  EXPECT_EQ(split(bad, good), SplitError::kMalformed);
  // csum_start or csum_offset not at the TCP checksum.
  bad = h;
  bad.csum_start = 24;
  EXPECT_EQ(split(bad, good), SplitError::kMalformed);
  bad = h;
  bad.csum_offset = 6;
  EXPECT_EQ(split(bad, good), SplitError::kMalformed);
  // A NEEDS_CSUM field past the end without GSO.
  EXPECT_EQ(
      split(VirtioNetHdr{kVirtioNetHdrFNeedsCsum, 0, 0, 0, uint16_t(good.size() - 1), 0}, good),
      SplitError::kMalformed);
  // IHL below 5 and beyond the packet.
  std::vector<uint8_t> ihl = good;
  ihl[0] = 0x44;
  EXPECT_EQ(split(h, ihl), SplitError::kMalformed);
  ihl[0] = 0x4f;
  EXPECT_EQ(split(h, std::vector<uint8_t>(ihl.begin(), ihl.begin() + 50)), SplitError::kMalformed);
  // A TCP data offset below 5.
  std::vector<uint8_t> doff = good;
  doff[32] = 0x40;
  EXPECT_EQ(split(h, doff), SplitError::kMalformed);
  // An IPv4 fragment, a UDP packet under TCP GSO, an IPv4 packet under TCPV6.
  std::vector<uint8_t> frag = good;
  frag[6] |= 0x20;
  EXPECT_EQ(split(h, frag), SplitError::kMalformed);
  const std::vector<uint8_t> udp = build_udp(IpSpec{}, 1, 2, payload_of(3000, 0));
  EXPECT_EQ(split(h, udp), SplitError::kMalformed);
  bad = tso_header(true, 20, 20, 1000);
  EXPECT_EQ(split(bad, good), SplitError::kMalformed);
  // An unknown IP version.
  std::vector<uint8_t> v5 = good;
  v5[0] = 0x55;
  EXPECT_EQ(split(h, v5), SplitError::kMalformed);
  EXPECT_EQ(split(VirtioNetHdr{}, v5), SplitError::kMalformed);
  // Segments whose IP length would not fit 16 bits.
  std::vector<uint8_t> huge = build_tcp(IpSpec{}, TcpSpec{}, payload_of(65495, 0));
  huge.resize(70000);
  bad = h;
  bad.gso_size = 65535;
  EXPECT_EQ(split(bad, huge), SplitError::kMalformed);
}

TEST(GsoSplit, RejectsUnsupported) {
  const std::vector<uint8_t> good = build_udp(IpSpec{}, 1, 2, payload_of(3000, 0));
  VirtioNetHdr h{kVirtioNetHdrFNeedsCsum, kVirtioNetHdrGsoUdp, 28, 1000, 20, 6};
  EXPECT_EQ(split(h, good), SplitError::kUnsupported);
  h.gso_type = 2;
  EXPECT_EQ(split(h, good), SplitError::kUnsupported);
  h.gso_type = kVirtioNetHdrGsoUdpL4 | kVirtioNetHdrGsoEcn;
  EXPECT_EQ(split(h, good), SplitError::kUnsupported);
  h.gso_type = kVirtioNetHdrGsoEcn;
  EXPECT_EQ(split(h, good), SplitError::kUnsupported);
  // IPv6 with an extension header (hop-by-hop) before TCP.
  IpSpec ip;
  ip.v6 = true;
  std::vector<uint8_t> ext = build_tcp(ip, TcpSpec{}, payload_of(3000, 0));
  ext[6] = 0;
  EXPECT_EQ(split(tso_header(true, 40, 20, 1000), ext), SplitError::kUnsupported);
}

TEST(GsoSplit, RejectsTooFewOrTooSmallSlots) {
  const std::vector<uint8_t> good = build_tcp(IpSpec{}, TcpSpec{}, payload_of(3000, 0));
  const VirtioNetHdr h = tso_header(false, 20, 20, 1000);
  EXPECT_EQ(split(h, good, 3, 1040), SplitError::kNone);
  EXPECT_EQ(split(h, good, 2), SplitError::kTooManySegments);
  EXPECT_EQ(split(h, good, 3, 1039), SplitError::kSlotTooSmall);
  EXPECT_EQ(split(VirtioNetHdr{}, good, 0), SplitError::kTooManySegments);
  EXPECT_EQ(split(VirtioNetHdr{}, good, 1, good.size() - 1), SplitError::kSlotTooSmall);
}

// Random super-packets (v4/v6, TCP/UDP, IP and TCP options, sizes, gso sizes from 1 byte):
// the in-place cut gives gso_split's segments byte for byte, or refuses with kUnsupported only
// when a segment's payload is shorter than the headers.
TEST(GsoSplitter, RandomSuperPacketsMatchGsoSplit) {
  std::mt19937 rng(1337);
  Slots out(1024, 2048);
  for (int iter = 0; iter < 3000; ++iter) {
    IpSpec ip;
    ip.v6 = rng() % 2;
    ip.id = uint16_t(rng());
    if (!ip.v6 && rng() % 4 == 0) ip.options = {1, 1, 1, 0};
    const bool udp = rng() % 4 == 0;
    TcpSpec tcp;
    tcp.seq = uint32_t(rng());
    tcp.flags = uint8_t(kAck | (rng() % 2 ? kPsh : 0) | (rng() % 8 == 0 ? kFin : 0));
    if (rng() % 3 == 0) tcp.options = {1, 1, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8};
    const size_t total = rng() % 12000;
    const uint16_t gso = uint16_t(rng() % 3 == 0 ? 1 + rng() % 100 : 500 + rng() % 1000);
    if (total / gso > 1000) continue;
    std::vector<uint8_t> super = udp ? build_udp(ip, 1000, 2000, payload_of(total, uint8_t(iter)))
                                     : build_tcp(ip, tcp, payload_of(total, uint8_t(iter)));
    const size_t ip_len = ip.v6 ? 40 : 20 + ip.options.size();
    const size_t l4_len = udp ? 8 : 20 + tcp.options.size();
    make_partial(super, ip_len, udp ? 6 : 16);
    VirtioNetHdr h = udp ? VirtioNetHdr{kVirtioNetHdrFNeedsCsum, kVirtioNetHdrGsoUdpL4,
                                        uint16_t(ip_len + 8),    gso,
                                        uint16_t(ip_len),        6}
                         : tso_header(ip.v6, ip_len, l4_len, gso);
    size_t count = 0;
    ASSERT_EQ(gso_split(h, super, out.slots, &count), SplitError::kNone) << iter;
    std::vector<std::vector<uint8_t>> got;
    const SplitError e = split_in_place(h, super, &got);
    if (count > 1 && gso < ip_len + l4_len) {
      EXPECT_EQ(e, SplitError::kUnsupported) << iter;
      continue;
    }
    ASSERT_EQ(e, SplitError::kNone) << iter;
    ASSERT_EQ(got.size(), count) << iter;
    for (size_t i = 0; i < count; ++i) ASSERT_EQ(got[i], out.packet(i)) << iter << "/" << i;
  }
}

TEST(GsoSplitter, GivesNothingAfterTheLastSegmentOrAFailedStart) {
  const std::vector<uint8_t> p = build_tcp(IpSpec{}, TcpSpec{}, payload_of(10, 0));
  std::vector<uint8_t> copy = p;
  GsoSplitter splitter;
  ASSERT_EQ(splitter.start(VirtioNetHdr{}, copy), SplitError::kNone);
  base::Bytes only = splitter.next();
  EXPECT_EQ(std::vector<uint8_t>(only.begin(), only.end()), p);
  EXPECT_TRUE(splitter.next().empty());
  EXPECT_TRUE(splitter.next().empty());
  std::vector<uint8_t> junk = {0x45, 0};
  EXPECT_EQ(splitter.start(VirtioNetHdr{}, junk), SplitError::kMalformed);
  EXPECT_TRUE(splitter.next().empty());
}

}  // namespace
}  // namespace mw::dp
