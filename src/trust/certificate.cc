// SPDX-License-Identifier: Apache-2.0
// Node certificates: the version 1 binary layout of certificate.h (byte for byte), its text
// form, signing (direct and delegated) and verification at a given wall time.
#include "trust/certificate.h"

#include <array>

#include "trust/text_util.h"

namespace mw::trust {

namespace {

constexpr std::array<uint8_t, 4> kMagic = {'M', 'W', 'C', '1'};
constexpr std::array<uint8_t, 4> kDelegationMagic = {'M', 'W', 'D', '1'};
constexpr std::string_view kTextPrefix = "meshward-cert:";
constexpr uint8_t kFlagDelegated = 0x01;
constexpr size_t kMaxNameLen = 63;
constexpr size_t kSignatureLen = 64;
// Everything but the name and the optional delegation block.
constexpr size_t kFixedLen = 4 + 1 + 3 * 32 + 8 + 8 + 1 + kSignatureLen;
constexpr size_t kDelegationLen = 32 + 8 + 64;
constexpr int64_t kClockSkewSeconds = 300;

static_assert(kFixedLen + kMaxNameLen + kDelegationLen == kMaxCertificateLen);

size_t encoded_len(size_t name_len, bool delegated) {
  return kFixedLen + name_len + (delegated ? kDelegationLen : 0);
}

// Writes every byte of the layout except the final signature. A name longer than 255 bytes
// (which check_certificate_name refuses anyway) is cut so that the layout stays consistent.
std::vector<uint8_t> encode_signed_part(const Certificate& cert) {
  const size_t name_len = std::min<size_t>(cert.name.size(), 255);
  std::vector<uint8_t> out(encoded_len(name_len, cert.delegation.has_value()) - kSignatureLen);
  base::Writer w(out);
  w.bytes(kMagic);
  w.u8(cert.delegation ? kFlagDelegated : 0);
  w.bytes(cert.org_key);
  w.bytes(cert.node_key);
  w.bytes(cert.wg_key);
  internal::write_i64le(w, cert.issued_at);
  internal::write_i64le(w, cert.expires_at);
  w.u8(uint8_t(name_len));
  w.bytes(base::as_bytes(std::string_view(cert.name).substr(0, name_len)));
  if (cert.delegation) {
    w.bytes(cert.delegation->issuer_key);
    internal::write_i64le(w, cert.delegation->expires_at);
    w.bytes(cert.delegation->signature);
  }
  return out;
}

// "MWD1" | org_key | issuer_key | delegation_expires_at (i64 LE): what the org signs.
std::array<uint8_t, 4 + 32 + 32 + 8> delegation_message(const PublicKey& org_key,
                                                        const PublicKey& issuer_key,
                                                        int64_t expires_at) {
  std::array<uint8_t, 4 + 32 + 32 + 8> msg{};
  base::Writer w(msg);
  w.bytes(kDelegationMagic);
  w.bytes(org_key);
  w.bytes(issuer_key);
  internal::write_i64le(w, expires_at);
  return msg;
}

// Unix seconds, rounded down.
int64_t unix_seconds(base::WallTime now) {
  constexpr int64_t kNanos = 1'000'000'000;
  int64_t s = now.unix_nanos / kNanos;
  if (now.unix_nanos % kNanos < 0) --s;
  return s;
}

base::Result<Certificate> sign_with(const crypto::Ed25519SecretKey& signer, Certificate cert) {
  cert.signature = crypto::ed25519_sign(signer, encode_signed_part(cert));
  return cert;
}

base::Result<Certificate> unsigned_certificate(const PublicKey& org_key, const PublicKey& node_key,
                                               std::string_view name, int64_t issued_at,
                                               int64_t expires_at) {
  MW_RETURN_IF_ERROR(check_certificate_name(name));
  const auto wg_key = wireguard_public_key(node_key);
  if (!wg_key) return base::make_error("node key is not a valid Ed25519 public key");
  Certificate cert;
  cert.org_key = org_key;
  cert.node_key = node_key;
  cert.wg_key = *wg_key;
  cert.issued_at = issued_at;
  cert.expires_at = expires_at;
  cert.name = std::string(name);
  return cert;
}

}  // namespace

base::Result<void> check_certificate_name(std::string_view name) {
  if (name.empty()) return base::make_error("name is empty");
  if (name.size() > kMaxNameLen) {
    return base::make_error("name is {} characters, at most {}", name.size(), kMaxNameLen);
  }
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      return base::make_error("name has a character other than a-z, 0-9 or '-' at position {}",
                              i + 1);
    }
  }
  if (name.front() == '-') return base::make_error("name starts with '-'");
  if (name.back() == '-') return base::make_error("name ends with '-'");
  return base::ok_result();
}

std::vector<uint8_t> encode_certificate(const Certificate& cert) {
  std::vector<uint8_t> out = encode_signed_part(cert);
  out.insert(out.end(), cert.signature.begin(), cert.signature.end());
  return out;
}

base::Result<Certificate> decode_certificate(base::Bytes data) {
  if (data.size() < 5) return base::make_error("certificate is truncated");
  if (!std::equal(kMagic.begin(), kMagic.end(), data.begin())) {
    return base::make_error("not a meshward certificate (bad magic)");
  }
  const uint8_t flags = data[4];
  if (flags & ~kFlagDelegated) {
    return base::make_error("certificate has unknown flags 0x{:02x}", flags);
  }
  const bool delegated = flags & kFlagDelegated;
  base::Reader r(data);
  r.skip(5);
  Certificate cert;
  r.copy(cert.org_key);
  r.copy(cert.node_key);
  r.copy(cert.wg_key);
  cert.issued_at = internal::read_i64le(r);
  cert.expires_at = internal::read_i64le(r);
  const size_t name_len = r.u8();
  if (!r.ok()) return base::make_error("certificate is truncated");
  const size_t want = encoded_len(name_len, delegated);
  if (data.size() < want) return base::make_error("certificate is truncated");
  if (data.size() > want) {
    return base::make_error("certificate has {} trailing bytes", data.size() - want);
  }
  const base::Bytes name = r.view(name_len);
  cert.name.assign(name.begin(), name.end());
  if (auto checked = check_certificate_name(cert.name); !checked.ok()) {
    return base::make_error("certificate {}", checked.error().message());
  }
  if (delegated) {
    Delegation d;
    d.org_key = cert.org_key;
    r.copy(d.issuer_key);
    d.expires_at = internal::read_i64le(r);
    r.copy(d.signature);
    cert.delegation = d;
  }
  r.copy(cert.signature);
  if (!r.ok() || !r.at_end()) return base::make_error("certificate is truncated");
  return cert;
}

std::string certificate_to_text(const Certificate& cert) {
  return internal::to_prefixed_base64(kTextPrefix, encode_certificate(cert));
}

base::Result<Certificate> certificate_from_text(std::string_view text) {
  auto bytes = internal::from_prefixed_base64(text, kTextPrefix, kMaxCertificateLen, "certificate");
  if (!bytes.ok()) return bytes.error();
  return decode_certificate(*bytes);
}

base::Result<Certificate> sign_certificate(const Identity& org, const PublicKey& node_key,
                                           std::string_view name, int64_t issued_at,
                                           int64_t expires_at) {
  auto cert = unsigned_certificate(org.public_key, node_key, name, issued_at, expires_at);
  if (!cert.ok()) return cert.error();
  return sign_with(org.secret, std::move(*cert));
}

Delegation sign_delegation(const Identity& org, const PublicKey& issuer, int64_t expires_at) {
  Delegation d;
  d.org_key = org.public_key;
  d.issuer_key = issuer;
  d.expires_at = expires_at;
  d.signature =
      crypto::ed25519_sign(org.secret, delegation_message(org.public_key, issuer, expires_at));
  return d;
}

base::Result<Certificate> sign_delegated_certificate(const Identity& issuer,
                                                     const Delegation& delegation,
                                                     const PublicKey& node_key,
                                                     std::string_view name, int64_t issued_at,
                                                     int64_t expires_at) {
  if (issuer.public_key != delegation.issuer_key) {
    return base::make_error("the delegation is for another issuer key");
  }
  auto cert = unsigned_certificate(delegation.org_key, node_key, name, issued_at, expires_at);
  if (!cert.ok()) return cert.error();
  cert->delegation = delegation;
  return sign_with(issuer.secret, std::move(*cert));
}

const char* cert_check_text(CertCheck c) {
  switch (c) {
    case CertCheck::kValid: return "valid";
    case CertCheck::kBadSignature: return "bad signature";
    case CertCheck::kBadDelegation: return "bad delegation signature";
    case CertCheck::kDelegationExpired: return "delegation expired";
    case CertCheck::kExpired: return "expired";
    case CertCheck::kNotYetValid: return "not yet valid";
    case CertCheck::kWrongNode: return "issued to another node";
    case CertCheck::kWrongWireguardKey: return "WireGuard key does not belong to the node";
  }
  return "unknown";
}

// Order: identity binding (node, WireGuard key), signatures (certificate, then delegation),
// then time (delegation expiry, expiry, not yet valid). A name that breaks the rules cannot
// have been signed by sign_*certificate and has no exact encoding: it counts as a bad signature.
CertCheck verify_certificate(const Certificate& cert, const PublicKey& claimed_node,
                             base::WallTime now) {
  if (cert.node_key != claimed_node) return CertCheck::kWrongNode;
  const auto wg_key = wireguard_public_key(cert.node_key);
  if (!wg_key || *wg_key != cert.wg_key) return CertCheck::kWrongWireguardKey;
  if (!check_certificate_name(cert.name).ok()) return CertCheck::kBadSignature;
  const PublicKey& signer = cert.delegation ? cert.delegation->issuer_key : cert.org_key;
  if (!crypto::ed25519_verify(signer, encode_signed_part(cert), cert.signature)) {
    return CertCheck::kBadSignature;
  }
  if (cert.delegation) {
    const Delegation& d = *cert.delegation;
    if (d.org_key != cert.org_key ||
        !crypto::ed25519_verify(cert.org_key,
                                delegation_message(cert.org_key, d.issuer_key, d.expires_at),
                                d.signature)) {
      return CertCheck::kBadDelegation;
    }
  }
  const int64_t now_s = unix_seconds(now);
  if (cert.delegation && cert.delegation->expires_at != 0 && now_s >= cert.delegation->expires_at) {
    return CertCheck::kDelegationExpired;
  }
  if (cert.expires_at != 0 && now_s >= cert.expires_at) return CertCheck::kExpired;
  if (now_s + kClockSkewSeconds < cert.issued_at) return CertCheck::kNotYetValid;
  return CertCheck::kValid;
}

}  // namespace mw::trust
