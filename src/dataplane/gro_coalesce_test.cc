// SPDX-License-Identifier: Apache-2.0
// Tests for GroCoalescer: the merge rules one by one, and the oracle that gso_split of the
// coalesced batch gives back every input packet, byte for byte and in per-flow order.
#include "dataplane/gro_coalesce.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <random>
#include <vector>

#include "dataplane/checksum.h"
#include "dataplane/gso_split.h"
#include "dataplane/testing/packets.h"

namespace mw::dp {
namespace {

using testing::build_tcp;
using testing::build_udp;
using testing::flow_key;
using testing::IpSpec;
using testing::TcpSpec;
using Packet = std::vector<uint8_t>;

// Unoptimised (sanitizer) builds run a tenth of the random iterations.
#ifdef NDEBUG
constexpr int kRandomScale = 1;
#else
constexpr int kRandomScale = 10;
#endif

constexpr uint8_t kPsh = 0x08, kAck = 0x10;

Packet payload_of(size_t n, uint8_t salt) {
  Packet p(n);
  for (size_t i = 0; i < n; ++i) p[i] = uint8_t(i * 13 + salt);
  return p;
}

struct Output {
  VirtioNetHdr hdr;
  Packet packet;
};

// Flushes `gro` into fresh 64 KiB slots.
std::vector<Output> flush_all(GroCoalescer& gro) {
  // Allocated once: the oracle runs thousands of batches.
  static std::vector<Packet> storage(256, Packet(kVirtioNetHdrLen + 65535));
  std::vector<PacketSlot> slots;
  for (auto& s : storage) slots.push_back(PacketSlot{s.data(), s.size(), 0});
  size_t count = 0;
  EXPECT_EQ(gro.flush(slots, &count), FlushError::kNone);
  std::vector<Output> out;
  for (size_t i = 0; i < count; ++i) {
    Output o;
    EXPECT_TRUE(decode_virtio_net_hdr(storage[i], &o.hdr));
    o.packet.assign(storage[i].begin() + kVirtioNetHdrLen,
                    storage[i].begin() + long(slots[i].length));
    out.push_back(std::move(o));
  }
  return out;
}

std::vector<Packet> split_all(const std::vector<Output>& outputs) {
  static std::vector<Packet> storage(1024, Packet(65535));
  std::vector<PacketSlot> slots;
  for (auto& s : storage) slots.push_back(PacketSlot{s.data(), s.size(), 0});
  std::vector<Packet> packets;
  for (const Output& o : outputs) {
    size_t count = 0;
    EXPECT_EQ(gso_split(o.hdr, o.packet, slots, &count), SplitError::kNone);
    for (size_t i = 0; i < count; ++i) {
      packets.emplace_back(slots[i].data, slots[i].data + slots[i].length);
    }
  }
  return packets;
}

std::vector<Packet> tcp_run(IpSpec ip, TcpSpec tcp, std::vector<size_t> sizes) {
  std::vector<Packet> out;
  for (size_t n : sizes) {
    out.push_back(build_tcp(ip, tcp, payload_of(n, uint8_t(tcp.seq))));
    tcp.seq += uint32_t(n);
    ip.id++;
  }
  return out;
}

std::vector<Output> coalesce(const std::vector<Packet>& in, bool udp = false,
                             InnerChecksums checksums = InnerChecksums::kVerify) {
  GroCoalescer gro(in.size() + 1, udp, checksums);
  for (const Packet& p : in) EXPECT_TRUE(gro.add(p));
  return flush_all(gro);
}

TEST(Gro, MergesAnInOrderRun) {
  IpSpec ip;
  ip.id = 0xfffe;
  TcpSpec tcp;
  std::vector<Packet> in = tcp_run(ip, tcp, {1000, 1000, 1000, 1000, 400});
  tcp.flags = kAck | kPsh;
  const std::vector<Output> out = coalesce(in);
  ASSERT_EQ(out.size(), 1u);
  const Output& o = out[0];
  EXPECT_EQ(o.hdr.flags, kVirtioNetHdrFNeedsCsum);
  EXPECT_EQ(o.hdr.gso_type, kVirtioNetHdrGsoTcpV4);
  EXPECT_EQ(o.hdr.gso_size, 1000);
  EXPECT_EQ(o.hdr.hdr_len, 40);
  EXPECT_EQ(o.hdr.csum_start, 20);
  EXPECT_EQ(o.hdr.csum_offset, 16);
  ASSERT_EQ(o.packet.size(), 40u + 4400);
  EXPECT_EQ(base::load_u16be(&o.packet[2]), 4440);
  EXPECT_EQ(ipv4_header_checksum(base::Bytes(o.packet).first(20)), base::load_u16be(&o.packet[10]));
  // The checksum field holds the folded pseudo-header sum.
  EXPECT_EQ(base::load_u16be(&o.packet[36]),
            checksum_fold(pseudo_header_sum_v4(&o.packet[12], &o.packet[16], kIpProtoTcp, 4420)));
  EXPECT_EQ(split_all(out), in);
}

TEST(Gro, MergesIpv6WithOptionsAndPshOnTheLast) {
  IpSpec ip;
  ip.v6 = true;
  TcpSpec tcp;
  tcp.options = {1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2};
  std::vector<Packet> in = tcp_run(ip, tcp, {1200, 1200});
  tcp.seq += 2400;
  tcp.flags = kAck | kPsh;
  in.push_back(build_tcp(ip, tcp, payload_of(1200, 1)));
  const std::vector<Output> out = coalesce(in);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].hdr.gso_type, kVirtioNetHdrGsoTcpV6);
  EXPECT_EQ(out[0].hdr.hdr_len, 72);
  EXPECT_EQ(out[0].packet[40 + 13], kAck | kPsh);
  EXPECT_EQ(split_all(out), in);
}

TEST(Gro, ShorterSegmentOrPshClosesTheSuperPacket) {
  IpSpec ip;
  TcpSpec tcp;
  // 1000 1000 500 | 1000 (after a short one nothing joins).
  std::vector<Packet> in = tcp_run(ip, tcp, {1000, 1000, 500, 1000});
  EXPECT_EQ(coalesce(in).size(), 2u);
  // A PSH segment first stands alone.
  tcp.flags = kAck | kPsh;
  std::vector<Packet> psh = tcp_run(ip, tcp, {1000, 1000});
  const std::vector<Output> out = coalesce(psh);
  EXPECT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].hdr, VirtioNetHdr{});
  EXPECT_EQ(split_all(out), psh);
}

TEST(Gro, DoesNotMergeAcrossGapsOrChanges) {
  IpSpec ip;
  TcpSpec tcp;
  std::vector<Packet> base_run = tcp_run(ip, tcp, {1000, 1000});
  // A sequence gap.
  TcpSpec gap = tcp;
  gap.seq += 1001;
  std::vector<Packet> in = {base_run[0], build_tcp(
                                             [&] {
                                               IpSpec i = ip;
                                               i.id++;
                                               return i;
                                             }(),
                                             gap, payload_of(1000, 0))};
  EXPECT_EQ(coalesce(in).size(), 2u);
  // An id gap.
  IpSpec jump = ip;
  jump.id += 2;
  TcpSpec next = tcp;
  next.seq += 1000;
  in = {base_run[0], build_tcp(jump, next, payload_of(1000, 0))};
  EXPECT_EQ(coalesce(in).size(), 2u);
  // A TOS change, an ACK change, a window change.
  IpSpec tos = ip;
  tos.id++;
  tos.tos = 4;
  in = {base_run[0], build_tcp(tos, next, payload_of(1000, 0))};
  EXPECT_EQ(coalesce(in).size(), 2u);
  TcpSpec ack = next;
  ack.ack++;
  IpSpec id1 = ip;
  id1.id++;
  in = {base_run[0], build_tcp(id1, ack, payload_of(1000, 0))};
  EXPECT_EQ(coalesce(in).size(), 2u);
  // A bad TCP checksum, and a pure ACK.
  Packet bad = base_run[1];
  bad[36] ^= 1;
  in = {base_run[0], bad};
  const std::vector<Output> out = coalesce(in);
  EXPECT_EQ(out.size(), 2u);
  EXPECT_EQ(split_all(out), in);
  in = {build_tcp(ip, tcp, {}), build_tcp(ip, tcp, {})};
  EXPECT_EQ(coalesce(in).size(), 2u);
  // The same segments merge when nothing differs.
  EXPECT_EQ(coalesce(base_run).size(), 1u);
}

TEST(Gro, KeepsFlowsApartAndPerFlowOrder) {
  IpSpec a;
  IpSpec b;
  b.v6 = true;
  TcpSpec ta;
  TcpSpec tb;
  tb.sport = 1;
  const std::vector<Packet> ra = tcp_run(a, ta, {500, 500, 500});
  const std::vector<Packet> rb = tcp_run(b, tb, {700, 700});
  const std::vector<Packet> in = {ra[0], rb[0], ra[1], rb[1], ra[2]};
  const std::vector<Output> out = coalesce(in);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(split_all(out), (std::vector<Packet>{ra[0], ra[1], ra[2], rb[0], rb[1]}));
  // Out of order: 0 2 1 — 2 cannot join 0, and 1 must not jump back into 0's super-packet.
  const std::vector<Packet> ooo = {ra[0], ra[2], ra[1]};
  const std::vector<Output> out2 = coalesce(ooo);
  EXPECT_EQ(out2.size(), 3u);
  EXPECT_EQ(split_all(out2), ooo);
}

TEST(Gro, PassesOtherPacketsThroughAndMergesUdpWhenAsked) {
  IpSpec ip;
  std::vector<Packet> in;
  for (int i = 0; i < 3; ++i) {
    in.push_back(build_udp(ip, 51820, 51821, payload_of(1200 - (i == 2 ? 100 : 0), uint8_t(i))));
    ip.id++;
  }
  Packet icmp = in[0];
  icmp[9] = 1;
  in.push_back(icmp);
  in.push_back({0x45, 0, 0});  // not even an IP header
  std::vector<Output> out = coalesce(in, false);
  EXPECT_EQ(out.size(), 5u);
  for (const Output& o : out) EXPECT_EQ(o.hdr, VirtioNetHdr{});
  EXPECT_EQ(split_all(std::vector<Output>(out.begin(), out.end() - 1)),
            std::vector<Packet>(in.begin(), in.end() - 1));
  out = coalesce(in, true);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].hdr.gso_type, kVirtioNetHdrGsoUdpL4);
  EXPECT_EQ(out[0].hdr.gso_size, 1200);
  EXPECT_EQ(out[0].hdr.csum_offset, 6);
  EXPECT_EQ(split_all({out[0], out[1]}), std::vector<Packet>(in.begin(), in.begin() + 4));
}

TEST(Gro, RespectsCapacities) {
  const std::vector<Packet> in = tcp_run(IpSpec{}, TcpSpec{}, {1000, 1000, 500, 1000});
  GroCoalescer gro(3);
  EXPECT_TRUE(gro.add(in[0]));
  EXPECT_TRUE(gro.add(in[1]));
  EXPECT_TRUE(gro.add(in[2]));
  EXPECT_FALSE(gro.add(in[3]));
  ASSERT_EQ(gro.pending_count(), 1u);
  Packet small(kVirtioNetHdrLen + 2539);
  PacketSlot slot{small.data(), small.size(), 0};
  size_t count = 7;
  EXPECT_EQ(gro.flush(std::span<PacketSlot>(&slot, 1), &count), FlushError::kSlotTooSmall);
  EXPECT_EQ(count, 0u);
  EXPECT_EQ(gro.flush(std::span<PacketSlot>(), &count), FlushError::kTooFewSlots);
  ASSERT_EQ(gro.pending_count(), 1u);
  small.resize(kVirtioNetHdrLen + 2540);
  slot = PacketSlot{small.data(), small.size(), 0};
  EXPECT_EQ(gro.flush(std::span<PacketSlot>(&slot, 1), &count), FlushError::kNone);
  EXPECT_EQ(count, 1u);
  EXPECT_EQ(gro.pending_count(), 0u);
  // The total stays within 65535 bytes.
  const std::vector<Packet> big = tcp_run(IpSpec{}, TcpSpec{}, std::vector<size_t>(70, 1000));
  EXPECT_EQ(coalesce(big).size(), 2u);
}

struct FlowGen {
  IpSpec ip;
  TcpSpec tcp;
  bool udp = false;
  uint16_t mss = 0;
  Packet last;
};

// Zeroes the TCP or UDP checksum field of a well-formed packet: with trusted checksums a
// corrupted segment may merge and come back with its checksum recomputed.
Packet without_transport_checksum(Packet p) {
  const bool v6 = !p.empty() && (p[0] >> 4) == 6;
  const size_t ip_len = v6 ? 40 : p.empty() ? 0 : size_t(p[0] & 0x0f) * 4;
  const uint8_t protocol = p.size() < 20 ? 0 : p[v6 ? 6 : 9];
  const size_t field = protocol == kIpProtoTcp ? 16 : protocol == kIpProtoUdp ? 6 : 0;
  if (field != 0 && p.size() >= ip_len + field + 2) p[ip_len + field] = p[ip_len + field + 1] = 0;
  return p;
}

void run_oracle(InnerChecksums checksums) {
  std::mt19937 rng(20240611);
  auto chance = [&rng](int percent) { return int(rng() % 100) < percent; };
  const auto start = std::chrono::steady_clock::now();
  const int iterations = 4000 / kRandomScale;
  size_t inputs_total = 0, outputs_total = 0;
  for (int iter = 0; iter < iterations; ++iter) {
    const bool udp = iter % 2 == 1;
    std::vector<FlowGen> flows(1 + rng() % 4);
    for (size_t f = 0; f < flows.size(); ++f) {
      FlowGen& g = flows[f];
      g.ip.v6 = chance(50);
      g.ip.src[3] = uint8_t(f % 2);  // some flows share addresses and differ by port only
      g.ip.id = uint16_t(rng());
      g.ip.df = chance(80);
      if (!g.ip.v6 && chance(10)) g.ip.options = {1, 1, 1, 0};
      g.tcp.sport = uint16_t(1000 + f);
      g.tcp.seq = uint32_t(rng());
      if (chance(30)) g.tcp.options = {1, 1, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8};
      g.udp = chance(20);
      g.mss = uint16_t(1 + rng() % 300);
    }
    std::vector<Packet> in;
    const size_t batch = 1 + rng() % 64;
    while (in.size() < batch) {
      FlowGen& g = flows[rng() % flows.size()];
      if (chance(5) && !g.last.empty()) {  // a duplicate
        in.push_back(g.last);
        continue;
      }
      if (chance(3)) {  // not TCP or UDP
        Packet other = build_udp(g.ip, 7, 7, payload_of(rng() % 50, 1));
        other[g.ip.v6 ? 6 : 9] = 1;
        if (!g.ip.v6) {
          other[10] = other[11] = 0;
          const uint16_t c =
              ipv4_header_checksum(base::Bytes(other).first(20 + g.ip.options.size()));
          other[10] = uint8_t(c >> 8);
          other[11] = uint8_t(c);
        }
        in.push_back(other);
        continue;
      }
      size_t n = chance(92) ? g.mss : rng() % (g.mss + 1);
      if (chance(3)) n = 0;
      IpSpec ip = g.ip;
      TcpSpec tcp = g.tcp;
      if (chance(4)) tcp.seq -= uint32_t(rng() % 3000);  // out of order
      if (chance(3)) ip.id = uint16_t(ip.id + 1 + rng() % 3);
      if (chance(3)) ip.tos = 4;
      if (chance(5)) tcp.flags |= kPsh;
      if (chance(2)) tcp.flags = 0x02 | kAck;
      if (chance(2)) tcp.window++;
      Packet p = g.udp ? build_udp(ip, g.tcp.sport, g.tcp.dport, payload_of(n, uint8_t(rng())))
                       : build_tcp(ip, tcp, payload_of(n, uint8_t(rng())));
      if (chance(2)) p.back() ^= 0x40;  // a corrupted checksum
      g.ip.id = uint16_t(ip.id + 1);
      g.tcp.seq = uint32_t(tcp.seq + n);
      g.last = p;
      in.push_back(std::move(p));
    }
    const std::vector<Output> out = coalesce(in, udp, checksums);
    const std::vector<Packet> back = split_all(out);
    inputs_total += in.size();
    outputs_total += out.size();
    ASSERT_EQ(back.size(), in.size()) << "iteration " << iter;
    std::map<std::vector<uint8_t>, std::vector<Packet>> want, got;
    const bool trusted = checksums == InnerChecksums::kTrust;
    for (const Packet& p : in)
      want[flow_key(p)].push_back(trusted ? without_transport_checksum(p) : p);
    for (const Packet& p : back)
      got[flow_key(p)].push_back(trusted ? without_transport_checksum(p) : p);
    ASSERT_EQ(got, want) << "iteration " << iter;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // Coalescing must actually happen: in-order runs dominate the random traffic.
  EXPECT_LT(outputs_total * 5, inputs_total * 3);
  std::printf("%d iterations, %zu packets -> %zu outputs in %.3f s\n", iterations, inputs_total,
              outputs_total, seconds);
}

TEST(Gro, OracleCoalesceThenSplitGivesBackTheInput) { run_oracle(InnerChecksums::kVerify); }

// The same traffic with trusted checksums: everything comes back in per-flow order, byte for
// byte apart from the checksum fields of corrupted segments that merged.
TEST(Gro, OracleWithTrustedChecksums) { run_oracle(InnerChecksums::kTrust); }

// Trusted: a segment with a wrong TCP checksum merges and leaves with a right one; a wrong IPv4
// header checksum still keeps a packet apart, and so does everything else kVerify checks.
TEST(Gro, TrustedChecksumsMergeABadSegmentButNotABadIpHeader) {
  IpSpec ip;
  TcpSpec tcp;
  std::vector<Packet> run = tcp_run(ip, tcp, {1000, 1000, 1000});
  Packet bad = run[1];
  bad[36] ^= 1;
  std::vector<Packet> in = {run[0], bad, run[2]};
  EXPECT_EQ(coalesce(in).size(), 3u);
  std::vector<Output> out = coalesce(in, false, InnerChecksums::kTrust);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(split_all(out), run);

  Packet bad_ip = run[1];
  bad_ip[10] ^= 1;
  in = {run[0], bad_ip, run[2]};
  EXPECT_EQ(coalesce(in, false, InnerChecksums::kTrust).size(), 3u);
  TcpSpec gap = tcp;
  gap.seq += 1001;
  IpSpec next_id = ip;
  next_id.id++;
  in = {run[0], build_tcp(next_id, gap, payload_of(1000, 0))};
  EXPECT_EQ(coalesce(in, false, InnerChecksums::kTrust).size(), 2u);
}

}  // namespace
}  // namespace mw::dp
