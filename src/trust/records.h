// SPDX-License-Identifier: Apache-2.0
// Signed org records: a revocation (the org withdraws a node, or a delegated issuer) and a
// vouch (the org admits a node without a certificate). Each carries a monotonic counter chosen
// by the org so that a newer record supersedes an older one.
//
// Layouts (little-endian), each followed by a 64-byte Ed25519 signature by org_key over all
// bytes before it:
//   revocation: "MWR1" | org_key 32 | node_key 32 | reason u8 (0..2) | counter u64 | issued_at i64
//   vouch:      "MWV1" | org_key 32 | node_key 32 | counter u64 | issued_at i64
// Text forms: "meshward-revocation:" / "meshward-vouch:" + standard base64.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "crypto/ed25519.h"
#include "trust/identity.h"

namespace mw::trust {

enum class RevocationReason : uint8_t { kUnspecified = 0, kKeyCompromised = 1, kAdminRemoved = 2 };
const char* revocation_reason_text(RevocationReason r);
// Accepts "unspecified", "key-compromised", "admin-removed" (and 0, 1, 2).
base::Result<RevocationReason> parse_revocation_reason(std::string_view text);

struct Revocation {
  PublicKey org_key{};
  PublicKey node_key{};
  RevocationReason reason = RevocationReason::kAdminRemoved;
  uint64_t counter = 0;
  int64_t issued_at = 0;
  crypto::Ed25519Signature signature{};
};

struct Vouch {
  PublicKey org_key{};
  PublicKey node_key{};
  uint64_t counter = 0;
  int64_t issued_at = 0;
  crypto::Ed25519Signature signature{};
};

Revocation sign_revocation(const Identity& org, const PublicKey& node, RevocationReason reason,
                           uint64_t counter, int64_t issued_at);
Vouch sign_vouch(const Identity& org, const PublicKey& node, uint64_t counter, int64_t issued_at);
bool verify_revocation(const Revocation& r);
bool verify_vouch(const Vouch& v);

std::vector<uint8_t> encode_revocation(const Revocation& r);
std::vector<uint8_t> encode_vouch(const Vouch& v);
// Strict decoders (magic, reason range, exact length); signatures are not checked here.
base::Result<Revocation> decode_revocation(base::Bytes data);
base::Result<Vouch> decode_vouch(base::Bytes data);
std::string revocation_to_text(const Revocation& r);
std::string vouch_to_text(const Vouch& v);
base::Result<Revocation> revocation_from_text(std::string_view text);
base::Result<Vouch> vouch_from_text(std::string_view text);

}  // namespace mw::trust
