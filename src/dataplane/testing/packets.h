// SPDX-License-Identifier: Apache-2.0
// Naive IPv4/IPv6 TCP and UDP packet builders and checkers for tests and fuzzers: byte by byte,
// with a word-at-a-time reference checksum that shares no code with dataplane/checksum.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "base/bytes.h"

// The oracles are not the code under test: under libFuzzer (clang) they carry no coverage
// instrumentation, which made them most of fuzz_offload's time.
#if defined(__clang__)
#define MW_ORACLE __attribute__((no_sanitize("coverage")))
#else
#define MW_ORACLE
#endif

namespace mw::dp::testing {

// RFC 1071 as written: sum of big-endian 16-bit words, odd byte padded, carries folded.
MW_ORACLE inline uint16_t naive_sum(const std::vector<uint8_t>& data) {
  uint64_t sum = 0;
  for (size_t i = 0; i < data.size(); i += 2) {
    sum += uint32_t(data[i]) << 8;
    if (i + 1 < data.size()) sum += data[i + 1];
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  return uint16_t(sum);
}

struct IpSpec {
  bool v6 = false;
  uint8_t src[16] = {10, 0, 0, 1};
  uint8_t dst[16] = {10, 0, 0, 2};
  uint8_t tos = 0;  // v4 TOS or v6 traffic class
  uint8_t ttl = 64;
  uint16_t id = 0;               // v4 only
  bool df = true;                // v4 only
  uint32_t flow_label = 0;       // v6 only
  std::vector<uint8_t> options;  // v4 only, a multiple of 4 bytes
};

struct TcpSpec {
  uint16_t sport = 40000;
  uint16_t dport = 443;
  uint32_t seq = 1000;
  uint32_t ack = 5000;
  uint8_t flags = 0x10;  // ACK
  uint16_t window = 512;
  std::vector<uint8_t> options;  // a multiple of 4 bytes
};

// The pseudo-header (RFC 793 §3.1 / RFC 8200 §8.1) for a transport segment of `length` bytes.
MW_ORACLE inline std::vector<uint8_t> naive_pseudo_header(const IpSpec& ip, uint8_t protocol,
                                                          size_t length) {
  std::vector<uint8_t> ph;
  const size_t n = ip.v6 ? 16 : 4;
  ph.insert(ph.end(), ip.src, ip.src + n);
  ph.insert(ph.end(), ip.dst, ip.dst + n);
  if (ip.v6) {
    ph.insert(ph.end(), {uint8_t(length >> 24), uint8_t(length >> 16), uint8_t(length >> 8),
                         uint8_t(length), 0, 0, 0, protocol});
  } else {
    ph.insert(ph.end(), {0, protocol, uint8_t(length >> 8), uint8_t(length)});
  }
  return ph;
}

// Prepends the IP header to `transport`, fills transport checksum at `csum_at` (relative to the
// transport header) and the IPv4 header checksum.
MW_ORACLE inline std::vector<uint8_t> naive_wrap(const IpSpec& ip, uint8_t protocol,
                                                 std::vector<uint8_t> transport, size_t csum_at) {
  std::vector<uint8_t> ph = naive_pseudo_header(ip, protocol, transport.size());
  ph.insert(ph.end(), transport.begin(), transport.end());
  uint16_t c = uint16_t(~naive_sum(ph));
  if (protocol == 17 && c == 0) c = 0xffff;
  transport[csum_at] = uint8_t(c >> 8);
  transport[csum_at + 1] = uint8_t(c);
  std::vector<uint8_t> p;
  if (ip.v6) {
    const size_t len = transport.size();
    p = {uint8_t(0x60 | ip.tos >> 4),
         uint8_t(ip.tos << 4 | ((ip.flow_label >> 16) & 0x0f)),
         uint8_t(ip.flow_label >> 8),
         uint8_t(ip.flow_label),
         uint8_t(len >> 8),
         uint8_t(len),
         protocol,
         ip.ttl};
    p.insert(p.end(), ip.src, ip.src + 16);
    p.insert(p.end(), ip.dst, ip.dst + 16);
  } else {
    const size_t hl = 20 + ip.options.size();
    const size_t len = hl + transport.size();
    p = {uint8_t(0x40 | hl / 4),
         ip.tos,
         uint8_t(len >> 8),
         uint8_t(len),
         uint8_t(ip.id >> 8),
         uint8_t(ip.id),
         uint8_t(ip.df ? 0x40 : 0),
         0,
         ip.ttl,
         protocol,
         0,
         0};
    p.insert(p.end(), ip.src, ip.src + 4);
    p.insert(p.end(), ip.dst, ip.dst + 4);
    p.insert(p.end(), ip.options.begin(), ip.options.end());
    const uint16_t hc = uint16_t(~naive_sum(p));
    p[10] = uint8_t(hc >> 8);
    p[11] = uint8_t(hc);
  }
  p.insert(p.end(), transport.begin(), transport.end());
  return p;
}

MW_ORACLE inline std::vector<uint8_t> build_tcp(const IpSpec& ip, const TcpSpec& tcp,
                                                const std::vector<uint8_t>& payload) {
  const size_t hl = 20 + tcp.options.size();
  std::vector<uint8_t> t = {uint8_t(tcp.sport >> 8),
                            uint8_t(tcp.sport),
                            uint8_t(tcp.dport >> 8),
                            uint8_t(tcp.dport),
                            uint8_t(tcp.seq >> 24),
                            uint8_t(tcp.seq >> 16),
                            uint8_t(tcp.seq >> 8),
                            uint8_t(tcp.seq),
                            uint8_t(tcp.ack >> 24),
                            uint8_t(tcp.ack >> 16),
                            uint8_t(tcp.ack >> 8),
                            uint8_t(tcp.ack),
                            uint8_t(hl / 4 << 4),
                            tcp.flags,
                            uint8_t(tcp.window >> 8),
                            uint8_t(tcp.window),
                            0,
                            0,
                            0,
                            0};
  t.insert(t.end(), tcp.options.begin(), tcp.options.end());
  t.insert(t.end(), payload.begin(), payload.end());
  return naive_wrap(ip, 6, std::move(t), 16);
}

MW_ORACLE inline std::vector<uint8_t> build_udp(const IpSpec& ip, uint16_t sport, uint16_t dport,
                                                const std::vector<uint8_t>& payload) {
  const size_t len = 8 + payload.size();
  std::vector<uint8_t> t = {uint8_t(sport >> 8),
                            uint8_t(sport),
                            uint8_t(dport >> 8),
                            uint8_t(dport),
                            uint8_t(len >> 8),
                            uint8_t(len),
                            0,
                            0};
  t.insert(t.end(), payload.begin(), payload.end());
  return naive_wrap(ip, 17, std::move(t), 6);
}

// True when `p` is one whole IPv4 or IPv6 packet with consistent lengths and, for TCP and UDP,
// a correct transport checksum (and a correct IPv4 header checksum), all recomputed naively.
MW_ORACLE inline bool naive_packet_ok(base::Bytes p) {
  if (p.empty()) return false;
  IpSpec ip;
  size_t hl = 0;
  uint8_t protocol = 0;
  if (p[0] >> 4 == 4) {
    if (p.size() < 20) return false;
    hl = size_t(p[0] & 0x0f) * 4;
    if (hl < 20 || hl > p.size() || size_t(p[2] << 8 | p[3]) != p.size()) return false;
    if (naive_sum(std::vector<uint8_t>(p.begin(), p.begin() + long(hl))) != 0xffff) return false;
    protocol = p[9];
    for (int i = 0; i < 4; ++i) {
      ip.src[i] = p[12 + i];
      ip.dst[i] = p[16 + i];
    }
  } else if (p[0] >> 4 == 6) {
    if (p.size() < 40 || size_t(p[4] << 8 | p[5]) + 40 != p.size()) return false;
    hl = 40;
    ip.v6 = true;
    protocol = p[6];
    for (int i = 0; i < 16; ++i) {
      ip.src[i] = p[8 + i];
      ip.dst[i] = p[24 + i];
    }
  } else {
    return false;
  }
  if (protocol != 6 && protocol != 17) return true;
  const size_t tl = p.size() - hl;
  if (protocol == 6 &&
      (tl < 20 || size_t(p[hl + 12] >> 4) * 4 < 20 || size_t(p[hl + 12] >> 4) * 4 > tl)) {
    return false;
  }
  if (protocol == 17 && (tl < 8 || size_t(p[hl + 4] << 8 | p[hl + 5]) != tl)) return false;
  std::vector<uint8_t> all = naive_pseudo_header(ip, protocol, tl);
  all.insert(all.end(), p.begin() + long(hl), p.end());
  return naive_sum(all) == 0xffff;
}

// A key that names a packet's flow the way GroCoalescer must keep its order: TCP/UDP by 5-tuple,
// the rest together in one stream.
MW_ORACLE inline std::vector<uint8_t> flow_key(const std::vector<uint8_t>& p) {
  if (p.size() >= 20 && p[0] >> 4 == 4 && (p[6] & 0x3f) == 0 && p[7] == 0 &&
      (p[9] == 6 || p[9] == 17)) {
    const size_t hl = size_t(p[0] & 0x0f) * 4;
    if (hl >= 20 && p.size() >= hl + 4) {
      std::vector<uint8_t> k(p.begin() + 12, p.begin() + 20);
      k.push_back(p[9]);
      k.insert(k.end(), p.begin() + long(hl), p.begin() + long(hl) + 4);
      return k;
    }
  }
  if (p.size() >= 44 && p[0] >> 4 == 6 && (p[6] == 6 || p[6] == 17)) {
    std::vector<uint8_t> k(p.begin() + 8, p.begin() + 44);
    k.push_back(p[6]);
    return k;
  }
  return {};
}

}  // namespace mw::dp::testing
