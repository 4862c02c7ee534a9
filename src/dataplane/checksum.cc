// SPDX-License-Identifier: Apache-2.0
// Internet checksum arithmetic: 64-bit accumulation of 32-bit words, folded at the end, with
// an AVX2 loop for long runs on CPUs that have it (chosen at run time; the build stays portable).
#include "dataplane/checksum.h"

#include <immintrin.h>

#include <algorithm>
#include <cstring>

namespace mw::dp {
namespace {

// Sums the 16-bit native words of p[0, n), n a multiple of 32, into 64 bits. Each 32-bit lane
// takes two zero-extended words per 32-byte block, so a lane overflows only after 2^15 blocks
// (1 MiB); the lanes are emptied into the 64-bit total before that.
[[gnu::target("avx2")]] uint64_t sum_words_avx2(const uint8_t* p, size_t n) {
  constexpr size_t kBlocksPerFlush = size_t(1) << 15;
  const __m256i zero = _mm256_setzero_si256();
  uint64_t total = 0;
  while (n > 0) {
    size_t blocks = std::min(n / 32, kBlocksPerFlush);
    __m256i acc0 = zero, acc1 = zero;
    size_t b = 0;
    for (; b + 2 <= blocks; b += 2) {  // two independent chains
      __m256i v0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + b * 32));
      __m256i v1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + b * 32 + 32));
      acc0 = _mm256_add_epi32(
          acc0, _mm256_add_epi32(_mm256_unpacklo_epi16(v0, zero), _mm256_unpackhi_epi16(v0, zero)));
      acc1 = _mm256_add_epi32(
          acc1, _mm256_add_epi32(_mm256_unpacklo_epi16(v1, zero), _mm256_unpackhi_epi16(v1, zero)));
    }
    if (b < blocks) {
      __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + b * 32));
      acc0 = _mm256_add_epi32(
          acc0, _mm256_add_epi32(_mm256_unpacklo_epi16(v, zero), _mm256_unpackhi_epi16(v, zero)));
    }
    alignas(32) uint32_t lanes[16];
    _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), acc0);
    _mm256_store_si256(reinterpret_cast<__m256i*>(lanes + 8), acc1);
    for (uint32_t lane : lanes) total += lane;
    p += blocks * 32;
    n -= blocks * 32;
  }
  return total;
}

bool have_avx2() {
  static const bool avx2 = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0;
  }();
  return avx2;
}

// The ones' complement sum is independent of byte order up to a final swap (RFC 1071 §2(B)),
// so the loop adds native little-endian words and swaps once at the end.
uint16_t sum_native(const uint8_t* p, size_t n, bool vector) {
  uint64_t acc = 0;
  if (vector && n >= 64) {
    const size_t run = n & ~size_t(31);
    acc = sum_words_avx2(p, run);
    p += run;
    n -= run;
  }
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

uint32_t partial_with(base::Bytes data, uint32_t initial, bool vector) {
  const uint16_t s = sum_native(data.data(), data.size(), vector);
  const uint16_t big_endian = uint16_t(s >> 8 | s << 8);
  uint64_t acc = uint64_t(initial) + big_endian;
  while (acc >> 32) acc = (acc & 0xffffffffu) + (acc >> 32);
  return uint32_t(acc);
}

}  // namespace

uint32_t checksum_partial(base::Bytes data, uint32_t initial) {
  return partial_with(data, initial, have_avx2());
}

uint32_t checksum_partial_scalar(base::Bytes data, uint32_t initial) {
  return partial_with(data, initial, false);
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
