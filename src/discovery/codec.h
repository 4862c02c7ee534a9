// SPDX-License-Identifier: Apache-2.0
// Shared pieces of the mesh wire format (meshward mesh protocol v1, docs/mesh.md): constants,
// the decode error enum and the endpoint encoding used by statements and ping_req.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/bytes.h"
#include "base/ip_address.h"

namespace mw::swim {

// docs/mesh.md §1: every mesh datagram starts with this byte. WireGuard's first byte is a type
// 1..4 and STUN's top two bits are 00, so 0xED can be neither.
constexpr uint8_t kMeshMagic = 0xED;
constexpr uint8_t kMeshVersion = 1;
// No mesh datagram is longer than this (docs/mesh.md §1): below every sane path MTU.
constexpr size_t kMaxDatagramLen = 1400;
// An alive statement announces at most this many endpoints.
constexpr size_t kMaxEndpoints = 4;
// A datagram carries at most this many gossip items.
constexpr size_t kMaxGossipItems = 16;

// Why a decoder rejected its input. kOk is the only success.
enum class DecodeError : uint8_t {
  kOk,
  kTruncated,       // ended inside a field
  kTrailing,        // bytes left over after the last field
  kOversize,        // longer than kMaxDatagramLen
  kBadMagic,        // first byte is not kMeshMagic
  kBadVersion,      // version byte is not kMeshVersion
  kBadType,         // unknown message type
  kBadReserved,     // a reserved byte or flag bit is not zero
  kBadCount,        // an item count above its bound
  kBadEndpoint,     // address family not 4 or 6, or port 0
  kBadKind,         // unknown statement kind
  kBadAuthor,       // alive/leave whose author is not its subject
  kBadCertificate,  // certificate bytes that do not decode, or too long
  kBadJoin,         // a join whose first item is not the sender's own alive statement
  kCount,
};
const char* decode_error_name(DecodeError e);

// What an endpoint of an alive claim is to its member (docs/nat.md): its own interface address
// (host), what its NAT maps its port to as others see it (reflexive), or a port mapping its
// gateway granted (mapped). kUnknown: not said (an --announce endpoint).
enum class CandidateKind : uint8_t { kUnknown = 0, kHost = 1, kReflexive = 2, kMapped = 3 };
// "unknown" "host" "reflexive" "mapped"
const char* candidate_kind_name(CandidateKind k);

// kind_family u8 | address (4 or 16 bytes, network order) | port u16 little-endian, where
// kind_family's low nibble is the family (4 or 6) and its high nibble a CandidateKind (alive
// claims' endpoints only; zero everywhere else).
size_t endpoint_len(const base::Endpoint& e);
void encode_endpoint(base::Writer& w, const base::Endpoint& e,
                     CandidateKind kind = CandidateKind::kUnknown);
// kOk, kTruncated or kBadEndpoint; `out` is only meaningful on kOk. Without `kind`, a non-zero
// kind is kBadEndpoint; with it, a kind above kMapped is.
DecodeError decode_endpoint(base::Reader& r, base::Endpoint* out, CandidateKind* kind = nullptr);

}  // namespace mw::swim
