// SPDX-License-Identifier: Apache-2.0
// Encoding, strict decoding, signing and verification of statements (docs/mesh.md §3).
#include "discovery/statement.h"

#include <string_view>

#include "trust/certificate.h"

namespace mw::swim {
namespace {

constexpr std::string_view kStatementContext = "meshward statement v1";

void encode_unsigned(base::Writer& w, const Statement& s) {
  w.u8(static_cast<uint8_t>(s.kind));
  w.bytes(s.author);
  w.bytes(s.subject);
  w.u64le(s.incarnation);
  if (s.kind == StatementKind::kAlive) {
    w.u8(static_cast<uint8_t>(s.endpoints.size()));
    for (size_t i = 0; i < s.endpoints.size(); ++i)
      encode_endpoint(w, s.endpoints[i], i < s.kinds.size() ? s.kinds[i] : CandidateKind::kUnknown);
    w.u16le(static_cast<uint16_t>(s.certificate.size()));
    w.bytes(s.certificate);
  }
}

}  // namespace

const char* statement_kind_name(StatementKind k) {
  switch (k) {
    case StatementKind::kAlive: return "alive";
    case StatementKind::kSuspect: return "suspect";
    case StatementKind::kDead: return "dead";
    case StatementKind::kLeave: return "leave";
  }
  return "?";
}

size_t statement_len(const Statement& s) {
  size_t n = kStatementFixedLen;
  if (s.kind == StatementKind::kAlive) {
    n += 1 + 2 + s.certificate.size();
    for (const base::Endpoint& e : s.endpoints) n += endpoint_len(e);
  }
  return n;
}

void encode_statement(base::Writer& w, const Statement& s) {
  encode_unsigned(w, s);
  w.bytes(s.signature);
}

DecodeError decode_statement(base::Reader& r, Statement* out) {
  uint8_t kind = r.u8();
  if (!r.ok()) return DecodeError::kTruncated;
  if (kind < 1 || kind > 4) return DecodeError::kBadKind;
  out->kind = static_cast<StatementKind>(kind);
  r.copy(out->author);
  r.copy(out->subject);
  out->incarnation = r.u64le();
  if (!r.ok()) return DecodeError::kTruncated;
  out->endpoints.clear();
  out->kinds.clear();
  out->certificate.clear();
  bool self_claim = out->kind == StatementKind::kAlive || out->kind == StatementKind::kLeave;
  if (self_claim && out->author != out->subject) return DecodeError::kBadAuthor;
  if (out->kind == StatementKind::kAlive) {
    uint8_t count = r.u8();
    if (!r.ok()) return DecodeError::kTruncated;
    if (count > kMaxEndpoints) return DecodeError::kBadCount;
    out->endpoints.resize(count);
    out->kinds.resize(count);
    for (size_t i = 0; i < count; ++i) {
      DecodeError err = decode_endpoint(r, &out->endpoints[i], &out->kinds[i]);
      if (err != DecodeError::kOk) return err;
    }
    uint16_t cert_len = r.u16le();
    if (!r.ok()) return DecodeError::kTruncated;
    if (cert_len > trust::kMaxCertificateLen) return DecodeError::kBadCertificate;
    base::Bytes cert = r.view(cert_len);
    if (!r.ok()) return DecodeError::kTruncated;
    if (cert_len > 0 && !trust::decode_certificate(cert).ok()) return DecodeError::kBadCertificate;
    out->certificate.assign(cert.begin(), cert.end());
  }
  r.copy(out->signature);
  if (!r.ok()) return DecodeError::kTruncated;
  return DecodeError::kOk;
}

std::vector<uint8_t> statement_signed_bytes(const Statement& s) {
  std::vector<uint8_t> buf(kStatementContext.size() + statement_len(s) - 64);
  base::Writer w(buf);
  w.bytes(base::as_bytes(kStatementContext));
  encode_unsigned(w, s);
  return buf;
}

void sign_statement(Statement& s, const trust::Identity& author) {
  s.author = author.public_key;
  s.signature = crypto::ed25519_sign(author.secret, statement_signed_bytes(s));
}

bool verify_statement(const Statement& s) {
  return crypto::ed25519_verify(s.author, statement_signed_bytes(s), s.signature);
}

Statement make_alive(const trust::Identity& self, uint64_t incarnation,
                     std::vector<base::Endpoint> endpoints, std::vector<uint8_t> certificate,
                     std::vector<CandidateKind> kinds) {
  Statement s;
  s.kind = StatementKind::kAlive;
  s.subject = self.public_key;
  s.incarnation = incarnation;
  if (endpoints.size() > kMaxEndpoints) endpoints.resize(kMaxEndpoints);
  kinds.resize(endpoints.size(), CandidateKind::kUnknown);
  s.endpoints = std::move(endpoints);
  s.kinds = std::move(kinds);
  s.certificate = std::move(certificate);
  sign_statement(s, self);
  return s;
}

Statement make_accusation(const trust::Identity& author, StatementKind kind,
                          const PublicKey& subject, uint64_t incarnation) {
  Statement s;
  s.kind = kind;
  s.subject = subject;
  s.incarnation = incarnation;
  sign_statement(s, author);
  return s;
}

size_t gossip_item_len(const GossipItem& g) {
  return statement_len(g.statement) + 1 + (g.hint ? endpoint_len(*g.hint) : 0);
}

void encode_gossip_item(base::Writer& w, const GossipItem& g) {
  encode_statement(w, g.statement);
  w.u8(g.hint ? 1 : 0);
  if (g.hint) encode_endpoint(w, *g.hint);
}

DecodeError decode_gossip_item(base::Reader& r, GossipItem* out) {
  DecodeError err = decode_statement(r, &out->statement);
  if (err != DecodeError::kOk) return err;
  uint8_t flag = r.u8();
  if (!r.ok()) return DecodeError::kTruncated;
  if (flag > 1) return DecodeError::kBadReserved;
  out->hint.reset();
  if (flag == 1) {
    base::Endpoint e;
    err = decode_endpoint(r, &e);
    if (err != DecodeError::kOk) return err;
    out->hint = e;
  }
  return DecodeError::kOk;
}

}  // namespace mw::swim
