// SPDX-License-Identifier: Apache-2.0
// parse_ip_packet: addresses and lengths, and the 5-tuple a packet filter reads: protocol and
// ports for TCP and UDP over IPv4 and IPv6, IPv6 extension headers walked, fragments (ports
// only in a first fragment), and every malformed or truncated case refused or left portless.
#include "wireguard/ip_packet.h"

#include <gtest/gtest.h>

#include <vector>

namespace mw::wg {
namespace {

// IPv4: a 20-byte header, protocol, flags+fragment field, then `transport` bytes.
std::vector<uint8_t> v4(uint8_t protocol, uint16_t fragment, std::vector<uint8_t> transport) {
  std::vector<uint8_t> p = {
      0x45, 0, 0,  0, 0, 0, uint8_t(fragment >> 8), uint8_t(fragment), 64, protocol, 0, 0, 10, 0,
      0,    1, 10, 0, 0, 2};
  p.insert(p.end(), transport.begin(), transport.end());
  p[2] = uint8_t(p.size() >> 8);
  p[3] = uint8_t(p.size());
  return p;
}

// IPv6: a 40-byte header with `next`, then `rest` (extension headers and transport).
std::vector<uint8_t> v6(uint8_t next, std::vector<uint8_t> rest) {
  std::vector<uint8_t> p(40, 0);
  p[0] = 0x60;
  p[4] = uint8_t(rest.size() >> 8);
  p[5] = uint8_t(rest.size());
  p[6] = next;
  p[7] = 64;
  p[8] = 0xfd;
  p[23] = 1;
  p[24] = 0xfd;
  p[39] = 2;
  p.insert(p.end(), rest.begin(), rest.end());
  return p;
}

const std::vector<uint8_t> kPorts = {0x1f, 0x90, 0x00, 0x16, 1, 2, 3, 4};  // 8080 -> 22

TEST(IpPacket, Ipv4TcpAndUdpPorts) {
  for (uint8_t proto : {kIpProtoTcp, kIpProtoUdp}) {
    auto info = parse_ip_packet(v4(proto, 0x4000, kPorts));  // DF set
    ASSERT_TRUE(info);
    EXPECT_EQ(info->source.to_string(), "10.0.0.1");
    EXPECT_EQ(info->destination.to_string(), "10.0.0.2");
    EXPECT_EQ(info->length, 28u);
    EXPECT_EQ(info->protocol, proto);
    EXPECT_TRUE(info->has_ports);
    EXPECT_EQ(info->source_port, 8080);
    EXPECT_EQ(info->destination_port, 22);
    EXPECT_EQ(info->fragment_offset, 0);
    EXPECT_FALSE(info->more_fragments);
  }
}

TEST(IpPacket, Ipv4FragmentsCarryPortsOnlyInTheFirst) {
  auto first = parse_ip_packet(v4(kIpProtoUdp, 0x2000, kPorts));  // MF, offset 0
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->more_fragments);
  EXPECT_TRUE(first->has_ports);
  auto later = parse_ip_packet(v4(kIpProtoUdp, 0x0003, kPorts));  // offset 3 * 8
  ASSERT_TRUE(later);
  EXPECT_EQ(later->fragment_offset, 24);
  EXPECT_FALSE(later->more_fragments);
  EXPECT_FALSE(later->has_ports) << "a later fragment's bytes are payload, not ports";
}

TEST(IpPacket, ProtocolsWithoutPortsAndShortTransportHeaders) {
  auto icmp = parse_ip_packet(v4(1, 0, {8, 0, 0, 0, 0, 0, 0, 0}));
  ASSERT_TRUE(icmp);
  EXPECT_EQ(icmp->protocol, 1);
  EXPECT_FALSE(icmp->has_ports);
  auto short_udp = parse_ip_packet(v4(kIpProtoUdp, 0, {0x1f, 0x90, 0}));
  ASSERT_TRUE(short_udp) << "the IP header is fine";
  EXPECT_FALSE(short_udp->has_ports);
}

TEST(IpPacket, Ipv6WalksExtensionHeadersToTheTransport) {
  auto plain = parse_ip_packet(v6(kIpProtoTcp, kPorts));
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->source.to_string(), "fd00::1");
  EXPECT_EQ(plain->protocol, kIpProtoTcp);
  EXPECT_TRUE(plain->has_ports);
  EXPECT_EQ(plain->destination_port, 22);
  // Hop-by-hop (8 bytes) then destination options (16 bytes) then UDP.
  std::vector<uint8_t> ext = {60, 0, 0, 0, 0, 0, 0, 0, kIpProtoUdp, 1, 0, 0,
                              0,  0, 0, 0, 0, 0, 0, 0, 0,           0, 0, 0};
  ext.insert(ext.end(), kPorts.begin(), kPorts.end());
  auto walked = parse_ip_packet(v6(0, ext));
  ASSERT_TRUE(walked);
  EXPECT_EQ(walked->protocol, kIpProtoUdp);
  EXPECT_TRUE(walked->has_ports);
  EXPECT_EQ(walked->source_port, 8080);
}

TEST(IpPacket, Ipv6FragmentHeader) {
  std::vector<uint8_t> first = {kIpProtoUdp, 0, 0x00, 0x01, 0, 0, 0, 7};  // offset 0, M
  first.insert(first.end(), kPorts.begin(), kPorts.end());
  auto f = parse_ip_packet(v6(44, first));
  ASSERT_TRUE(f);
  EXPECT_EQ(f->protocol, kIpProtoUdp);
  EXPECT_TRUE(f->more_fragments);
  EXPECT_TRUE(f->has_ports);
  std::vector<uint8_t> later = {kIpProtoUdp, 0, 0x00, 0x30, 0, 0, 0, 7};  // offset 48, last
  later.insert(later.end(), kPorts.begin(), kPorts.end());
  auto l = parse_ip_packet(v6(44, later));
  ASSERT_TRUE(l);
  EXPECT_EQ(l->fragment_offset, 48);
  EXPECT_FALSE(l->more_fragments);
  EXPECT_FALSE(l->has_ports);
}

TEST(IpPacket, TruncatedIpv6ExtensionChainReportsNoUpperLayer) {
  auto cut = parse_ip_packet(v6(0, {kIpProtoUdp, 4, 0, 0, 0, 0, 0, 0}));  // says 40 bytes more
  ASSERT_TRUE(cut);
  EXPECT_EQ(cut->protocol, 44);
  EXPECT_FALSE(cut->has_ports);
}

TEST(IpPacket, MalformedHeadersAreRefused) {
  EXPECT_FALSE(parse_ip_packet({}));
  auto p = v4(kIpProtoUdp, 0, kPorts);
  EXPECT_FALSE(parse_ip_packet(base::Bytes(p).first(19)));
  auto long_total = p;
  long_total[3] = 200;  // longer than the buffer
  EXPECT_FALSE(parse_ip_packet(long_total));
  auto bad_ihl = p;
  bad_ihl[0] = 0x44;
  EXPECT_FALSE(parse_ip_packet(bad_ihl));
  auto q = v6(kIpProtoUdp, kPorts);
  EXPECT_FALSE(parse_ip_packet(base::Bytes(q).first(39)));
  std::vector<uint8_t> v5 = {0x50, 0, 0, 0};
  EXPECT_FALSE(parse_ip_packet(v5));
  auto padded = p;
  padded.resize(p.size() + 13, 0);  // WireGuard padding after the stated length
  auto info = parse_ip_packet(padded);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->length, p.size());
}

// The header alone, as the offload code reads it: the stated length is reported, not checked.
TEST(IpHeader, FieldsWithoutTheLengthCheck) {
  std::vector<uint8_t> p = v4(kIpProtoTcp, 0x2000 | 3, kPorts);  // MF, offset 24
  p[2] = 0;
  p[3] = 0;  // a super-packet may state anything
  auto h = parse_ip_header(p);
  ASSERT_TRUE(h);
  EXPECT_TRUE(h->v4);
  EXPECT_EQ(h->header_length, 20u);
  EXPECT_EQ(h->next_protocol, kIpProtoTcp);
  EXPECT_EQ(h->stated_length, 0u);
  EXPECT_EQ(h->fragment_offset, 24);
  EXPECT_TRUE(h->more_fragments);
  EXPECT_TRUE(h->is_fragment());
  EXPECT_FALSE(parse_ip_packet(p)) << "the full parse checks the length";

  auto h6 = parse_ip_header(v6(44, std::vector<uint8_t>(8, 0)));
  ASSERT_TRUE(h6);
  EXPECT_FALSE(h6->v4);
  EXPECT_EQ(h6->header_length, 40u);
  EXPECT_EQ(h6->next_protocol, 44) << "the extension header, not walked here";
  EXPECT_EQ(h6->stated_length, 48u);
  EXPECT_FALSE(h6->is_fragment());
}

TEST(IpHeader, RejectsWhatIsNotAWholeHeader) {
  EXPECT_FALSE(parse_ip_header({}));
  std::vector<uint8_t> p = v4(kIpProtoUdp, 0, kPorts);
  EXPECT_FALSE(parse_ip_header(base::Bytes(p.data(), 19)));
  p[0] = 0x44;  // IHL 4: shorter than the fixed header
  EXPECT_FALSE(parse_ip_header(p));
  p[0] = 0x48;  // IHL 8 = 32 bytes: more than the 28 there are
  EXPECT_FALSE(parse_ip_header(p));
  p[0] = 0x55;  // version 5
  EXPECT_FALSE(parse_ip_header(p));
  std::vector<uint8_t> q = v6(kIpProtoTcp, {});
  EXPECT_FALSE(parse_ip_header(base::Bytes(q.data(), 39)));
}

TEST(IpPacket, TransportOffsetAfterOptionsAndExtensionHeaders) {
  std::vector<uint8_t> p = v4(kIpProtoTcp, 0, {1, 1, 1, 1});  // 4 bytes of options
  p[0] = 0x46;
  p.insert(p.end(), kPorts.begin(), kPorts.end());
  p[3] = uint8_t(p.size());
  auto info = parse_ip_packet(p);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->transport_offset, 24u);
  EXPECT_EQ(info->destination_port, 22);
  std::vector<uint8_t> rest = {kIpProtoUdp, 0, 0, 0, 0, 0, 0, 0};  // destination options
  rest.insert(rest.end(), kPorts.begin(), kPorts.end());
  auto info6 = parse_ip_packet(v6(60, rest));
  ASSERT_TRUE(info6);
  EXPECT_EQ(info6->transport_offset, 48u);
  EXPECT_EQ(info6->protocol, kIpProtoUdp);
}

}  // namespace
}  // namespace mw::wg
