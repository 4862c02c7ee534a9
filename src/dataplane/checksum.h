// SPDX-License-Identifier: Apache-2.0
// The Internet checksum (RFC 1071), incremental, and the TCP/UDP pseudo-header sums over IPv4
// (RFC 793 §3.1, RFC 768) and IPv6 (RFC 8200 §8.1).
#pragma once

#include <cstdint>

#include "base/bytes.h"
#include "wireguard/ip_packet.h"

namespace mw::dp {

using wg::kIpProtoTcp;  // one definition, beside the IP header parser
using wg::kIpProtoUdp;

// Adds the 16-bit big-endian words of `data` to `initial` (a value from an earlier call, a
// pseudo-header sum, or 0) and returns the unfolded ones' complement sum. An odd final byte is
// padded with zero, so every chunk but the last must have even length for sums to compose.
uint32_t checksum_partial(base::Bytes data, uint32_t initial);
// The same without the AVX2 loop checksum_partial uses on CPUs that have it (for tests and
// benchmarks).
uint32_t checksum_partial_scalar(base::Bytes data, uint32_t initial);

// Folds the carries of a sum into 16 bits; no complement.
uint16_t checksum_fold(uint32_t sum);

// The value stored in a checksum field: the complement of the folded sum.
inline uint16_t checksum_finish(uint32_t sum) { return uint16_t(~checksum_fold(sum)); }

// Pseudo-header sums (unfolded). src and dst point at 4 (v4) or 16 (v6) address bytes;
// `length` is the transport header plus payload in bytes.
uint32_t pseudo_header_sum_v4(const uint8_t* src, const uint8_t* dst, uint8_t protocol,
                              uint16_t length);
uint32_t pseudo_header_sum_v6(const uint8_t* src, const uint8_t* dst, uint8_t protocol,
                              uint32_t length);

// The IPv4 header checksum over `header` with its checksum field (bytes 10..11) taken as zero.
uint16_t ipv4_header_checksum(base::Bytes header);

}  // namespace mw::dp
