// SPDX-License-Identifier: Apache-2.0
// Signed statements, the gossip items of meshward mesh protocol v1 (docs/mesh.md §3): a claim
// that a member is alive, suspect, dead or has left, signed by its author and relayed unchanged.
//
// Layout (little-endian):
//   kind u8 (1 alive, 2 suspect, 3 dead, 4 leave) | author 32 | subject 32 | incarnation u64
//   | [alive only: endpoint_count u8 (<= 4) | endpoints, each with its CandidateKind
//      (codec.h) | cert_len u16 | certificate]
//   | signature 64
// The signature is Ed25519 by `author` over "meshward statement v1" || every byte before it.
// alive and leave are claims about oneself: author == subject, enforced by the decoder.
// A gossip item is a statement followed by an unsigned relay hint:
//   hint_flag u8 (0 or 1) | [endpoint]
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "base/bytes.h"
#include "base/ip_address.h"
#include "crypto/ed25519.h"
#include "discovery/codec.h"
#include "trust/identity.h"

namespace mw::swim {

using crypto::PublicKey;

enum class StatementKind : uint8_t { kAlive = 1, kSuspect = 2, kDead = 3, kLeave = 4 };
const char* statement_kind_name(StatementKind k);

struct Statement {
  StatementKind kind = StatementKind::kAlive;
  PublicKey author{};
  PublicKey subject{};
  uint64_t incarnation = 0;
  std::vector<base::Endpoint> endpoints;  // alive only, at most kMaxEndpoints
  std::vector<CandidateKind> kinds;       // alive only: endpoints[i]'s kind, as many
  std::vector<uint8_t> certificate;       // alive only: trust::encode_certificate form, or empty
  crypto::Ed25519Signature signature{};

  bool operator==(const Statement&) const = default;
};

// Without the alive-only part: kind, author, subject, incarnation and signature.
constexpr size_t kStatementFixedLen = 1 + 32 + 32 + 8 + 64;

size_t statement_len(const Statement& s);
void encode_statement(base::Writer& w, const Statement& s);
// Strict: known kind, author == subject for alive and leave, bounded endpoint count, a
// certificate that decodes (signatures are not checked here).
DecodeError decode_statement(base::Reader& r, Statement* out);

// The bytes the signature covers: "meshward statement v1" || the encoding up to the signature.
std::vector<uint8_t> statement_signed_bytes(const Statement& s);
// Fills in author and signature. For alive and leave the subject must be the signer.
void sign_statement(Statement& s, const trust::Identity& author);
// Ed25519 check of the author's signature (the expensive part, callers do it last).
bool verify_statement(const Statement& s);

// Convenience constructors that sign.
// `kinds`: of each endpoint (missing ones kUnknown).
Statement make_alive(const trust::Identity& self, uint64_t incarnation,
                     std::vector<base::Endpoint> endpoints, std::vector<uint8_t> certificate,
                     std::vector<CandidateKind> kinds = {});
Statement make_accusation(const trust::Identity& author, StatementKind kind,
                          const PublicKey& subject, uint64_t incarnation);

struct GossipItem {
  Statement statement;
  // Where the relayer last heard the subject: a place to send an authenticated ping, never
  // trusted as the member's endpoint.
  std::optional<base::Endpoint> hint;

  bool operator==(const GossipItem&) const = default;
};

size_t gossip_item_len(const GossipItem& g);
void encode_gossip_item(base::Writer& w, const GossipItem& g);
DecodeError decode_gossip_item(base::Reader& r, GossipItem* out);

}  // namespace mw::swim
