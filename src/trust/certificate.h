// SPDX-License-Identifier: Apache-2.0
// Node certificates: an org (or an issuer the org delegated to) binds a node's identity, its
// derived WireGuard key, a name and a validity period. A versioned binary layout (documented in
// docs/trust.md, all integers little-endian) with a one-line text form that can be pasted.
//
// Layout, version 1:
//   magic "MWC1" (4) | flags u8 (bit 0: delegated; others must be 0) | org_key 32 | node_key 32
//   | wg_key 32 | issued_at i64 | expires_at i64 (0 = never) | name_len u8 (1..63) | name
//   | [delegated: issuer_key 32 | delegation_expires_at i64 | delegation_signature 64]
//   | signature 64
// `signature` covers every byte before it and is made by the org key, or by issuer_key when
// delegated. `delegation_signature` is the org's signature over
//   "MWD1" | org_key | issuer_key | delegation_expires_at
// Text form: "meshward-cert:" followed by standard base64 of the binary layout.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "base/time.h"
#include "crypto/ed25519.h"
#include "trust/identity.h"

namespace mw::trust {

struct Delegation {
  PublicKey org_key{};
  PublicKey issuer_key{};
  int64_t expires_at = 0;  // Unix seconds, 0 = never
  crypto::Ed25519Signature signature{};
};

struct Certificate {
  PublicKey org_key{};
  PublicKey node_key{};
  PublicKey wg_key{};      // the node's derived WireGuard key
  int64_t issued_at = 0;   // Unix seconds
  int64_t expires_at = 0;  // Unix seconds, 0 = never
  std::string name;        // 1..63 of [a-z0-9-], not starting or ending with '-'
  std::optional<Delegation> delegation;
  crypto::Ed25519Signature signature{};
};

constexpr size_t kMaxCertificateLen = 4 + 1 + 3 * 32 + 8 + 8 + 1 + 63 + 32 + 8 + 64 + 64;

std::vector<uint8_t> encode_certificate(const Certificate& cert);
// Strict: magic, flags, name rules, exact length. Does not check signatures.
base::Result<Certificate> decode_certificate(base::Bytes data);
std::string certificate_to_text(const Certificate& cert);
base::Result<Certificate> certificate_from_text(std::string_view text);

// Checks a name against the rules above; the error says which rule it breaks.
base::Result<void> check_certificate_name(std::string_view name);

// Signs directly with the org identity. The WireGuard key is derived from node_key; fails if
// node_key is not a valid Ed25519 key or the name breaks the rules.
base::Result<Certificate> sign_certificate(const Identity& org, const PublicKey& node_key,
                                           std::string_view name, int64_t issued_at,
                                           int64_t expires_at);
// The org lets `issuer` sign certificates in its name until expires_at.
Delegation sign_delegation(const Identity& org, const PublicKey& issuer, int64_t expires_at);
base::Result<Certificate> sign_delegated_certificate(const Identity& issuer,
                                                     const Delegation& delegation,
                                                     const PublicKey& node_key,
                                                     std::string_view name, int64_t issued_at,
                                                     int64_t expires_at);

enum class CertCheck : uint8_t {
  kValid,
  kBadSignature,       // the certificate's own signature does not verify
  kBadDelegation,      // the org's delegation signature does not verify
  kDelegationExpired,  // the delegation expired before now
  kExpired,            // now >= expires_at
  kNotYetValid,        // now < issued_at (beyond 5 minutes of clock skew)
  kWrongNode,          // node_key is not the claimed identity
  kWrongWireguardKey,  // wg_key is not the key derived from node_key
};
const char* cert_check_text(CertCheck c);

// Everything about the certificate itself for a node claiming `claimed_node`, at `now`.
// Whether its org is trusted or revoked is authorize()'s business.
CertCheck verify_certificate(const Certificate& cert, const PublicKey& claimed_node,
                             base::WallTime now);

}  // namespace mw::trust
