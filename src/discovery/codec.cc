// SPDX-License-Identifier: Apache-2.0
// The endpoint encoding and decode error names of meshward mesh protocol v1 (docs/mesh.md §2).
#include "discovery/codec.h"

#include <array>

namespace mw::swim {

const char* decode_error_name(DecodeError e) {
  switch (e) {
    case DecodeError::kOk: return "ok";
    case DecodeError::kTruncated: return "truncated";
    case DecodeError::kTrailing: return "trailing bytes";
    case DecodeError::kOversize: return "oversize";
    case DecodeError::kBadMagic: return "bad magic";
    case DecodeError::kBadVersion: return "bad version";
    case DecodeError::kBadType: return "bad type";
    case DecodeError::kBadReserved: return "reserved bits set";
    case DecodeError::kBadCount: return "count out of bounds";
    case DecodeError::kBadEndpoint: return "bad endpoint";
    case DecodeError::kBadKind: return "bad statement kind";
    case DecodeError::kBadAuthor: return "author is not subject";
    case DecodeError::kBadCertificate: return "bad certificate";
    case DecodeError::kBadJoin: return "join without own alive claim";
    case DecodeError::kCount: break;
  }
  return "?";
}

const char* candidate_kind_name(CandidateKind k) {
  switch (k) {
    case CandidateKind::kUnknown: return "unknown";
    case CandidateKind::kHost: return "host";
    case CandidateKind::kReflexive: return "reflexive";
    case CandidateKind::kMapped: return "mapped";
  }
  return "?";
}

size_t endpoint_len(const base::Endpoint& e) { return 1 + e.address.length() + 2; }

void encode_endpoint(base::Writer& w, const base::Endpoint& e, CandidateKind kind) {
  w.u8(uint8_t(static_cast<uint8_t>(kind) << 4 | (e.address.is_v4() ? 4 : 6)));
  w.bytes(base::Bytes(e.address.data(), e.address.length()));
  w.u16le(e.port);
}

DecodeError decode_endpoint(base::Reader& r, base::Endpoint* out, CandidateKind* kind) {
  uint8_t kind_family = r.u8();
  if (!r.ok()) return DecodeError::kTruncated;
  uint8_t family = kind_family & 0x0F, k = kind_family >> 4;
  if (k > static_cast<uint8_t>(kind ? CandidateKind::kMapped : CandidateKind::kUnknown))
    return DecodeError::kBadEndpoint;
  if (kind) *kind = static_cast<CandidateKind>(k);
  if (family == 4) {
    std::array<uint8_t, 4> a{};
    r.copy(a);
    out->address = base::IpAddress::v4(a);
  } else if (family == 6) {
    std::array<uint8_t, 16> a{};
    r.copy(a);
    out->address = base::IpAddress::v6(a);
  } else {
    return DecodeError::kBadEndpoint;
  }
  out->port = r.u16le();
  if (!r.ok()) return DecodeError::kTruncated;
  if (out->port == 0) return DecodeError::kBadEndpoint;
  return DecodeError::kOk;
}

}  // namespace mw::swim
