// SPDX-License-Identifier: Apache-2.0
// Internet checksum arithmetic: 64-bit accumulation of 32-bit words, folded at the end.
#include "dataplane/checksum.h"

#include <cstring>

namespace mw::dp {
namespace {

// The ones' complement sum is independent of byte order up to a final swap (RFC 1071 §2(B)),
// so the loop adds native little-endian words and swaps once at the end.
uint16_t sum_native(const uint8_t* p, size_t n) {
  uint64_t acc = 0;
  while (n >= 32) {
    uint64_t w[4];
    std::memcpy(w, p, 32);
    for (uint64_t v : w) acc += (v & 0xffffffffu) + (v >> 32);
    p += 32;
    n -= 32;
  }
  while (n >= 8) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    acc += (v & 0xffffffffu) + (v >> 32);
    p += 8;
    n -= 8;
  }
  while (n >= 2) {
    uint16_t v;
    std::memcpy(&v, p, 2);
    acc += v;
    p += 2;
    n -= 2;
  }
  if (n == 1) acc += p[0];  // low byte in memory order: the high byte of a big-endian word
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  return uint16_t(acc);
}

}  // namespace

uint32_t checksum_partial(base::Bytes data, uint32_t initial) {
  const uint16_t s = sum_native(data.data(), data.size());
  const uint16_t big_endian = uint16_t(s >> 8 | s << 8);
  uint64_t acc = uint64_t(initial) + big_endian;
  while (acc >> 32) acc = (acc & 0xffffffffu) + (acc >> 32);
  return uint32_t(acc);
}

uint16_t checksum_fold(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return uint16_t(sum);
}

uint32_t pseudo_header_sum_v4(const uint8_t* src, const uint8_t* dst, uint8_t protocol,
                              uint16_t length) {
  uint32_t sum = checksum_partial(base::Bytes(src, 4), 0);
  sum = checksum_partial(base::Bytes(dst, 4), sum);
  return sum + protocol + length;
}

uint32_t pseudo_header_sum_v6(const uint8_t* src, const uint8_t* dst, uint8_t protocol,
                              uint32_t length) {
  uint32_t sum = checksum_partial(base::Bytes(src, 16), 0);
  sum = checksum_partial(base::Bytes(dst, 16), sum);
  return checksum_fold(sum) + protocol + (length >> 16) + (length & 0xffff);
}

uint16_t ipv4_header_checksum(base::Bytes header) {
  uint32_t sum = checksum_partial(header.first(10), 0);
  if (header.size() > 12) sum = checksum_partial(header.subspan(12), sum);
  return checksum_finish(sum);
}

}  // namespace mw::dp
