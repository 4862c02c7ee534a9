// SPDX-License-Identifier: Apache-2.0
// Revocation and vouch records: the layouts of records.h, their text forms, signing and
// signature checks.
#include "trust/records.h"

#include <array>

#include "trust/text_util.h"

namespace mw::trust {

namespace {

constexpr std::array<uint8_t, 4> kRevocationMagic = {'M', 'W', 'R', '1'};
constexpr std::array<uint8_t, 4> kVouchMagic = {'M', 'W', 'V', '1'};
constexpr std::string_view kRevocationPrefix = "meshward-revocation:";
constexpr std::string_view kVouchPrefix = "meshward-vouch:";
constexpr size_t kSignatureLen = 64;
constexpr size_t kRevocationSignedLen = 4 + 32 + 32 + 1 + 8 + 8;
constexpr size_t kVouchSignedLen = 4 + 32 + 32 + 8 + 8;
constexpr size_t kRevocationLen = kRevocationSignedLen + kSignatureLen;  // 149
constexpr size_t kVouchLen = kVouchSignedLen + kSignatureLen;            // 148
constexpr uint8_t kMaxReason = 2;

std::array<uint8_t, kRevocationSignedLen> revocation_signed_part(const Revocation& r) {
  std::array<uint8_t, kRevocationSignedLen> out{};
  base::Writer w(out);
  w.bytes(kRevocationMagic);
  w.bytes(r.org_key);
  w.bytes(r.node_key);
  w.u8(static_cast<uint8_t>(r.reason));
  w.u64le(r.counter);
  internal::write_i64le(w, r.issued_at);
  return out;
}

std::array<uint8_t, kVouchSignedLen> vouch_signed_part(const Vouch& v) {
  std::array<uint8_t, kVouchSignedLen> out{};
  base::Writer w(out);
  w.bytes(kVouchMagic);
  w.bytes(v.org_key);
  w.bytes(v.node_key);
  w.u64le(v.counter);
  internal::write_i64le(w, v.issued_at);
  return out;
}

template <size_t N>
std::vector<uint8_t> with_signature(const std::array<uint8_t, N>& signed_part,
                                    const crypto::Ed25519Signature& signature) {
  std::vector<uint8_t> out(signed_part.begin(), signed_part.end());
  out.insert(out.end(), signature.begin(), signature.end());
  return out;
}

// Checks the magic and the exact length shared by both decoders.
base::Result<void> check_frame(base::Bytes data, const std::array<uint8_t, 4>& magic,
                               size_t want_len, std::string_view what) {
  if (data.size() < magic.size() || !std::equal(magic.begin(), magic.end(), data.begin())) {
    return base::make_error("not a meshward {} (bad magic)", what);
  }
  if (data.size() < want_len) return base::make_error("{} is truncated", what);
  if (data.size() > want_len) {
    return base::make_error("{} has {} trailing bytes", what, data.size() - want_len);
  }
  return base::ok_result();
}

}  // namespace

const char* revocation_reason_text(RevocationReason r) {
  switch (r) {
    case RevocationReason::kUnspecified: return "unspecified";
    case RevocationReason::kKeyCompromised: return "key-compromised";
    case RevocationReason::kAdminRemoved: return "admin-removed";
  }
  return "unknown";
}

base::Result<RevocationReason> parse_revocation_reason(std::string_view text) {
  for (uint8_t i = 0; i <= kMaxReason; ++i) {
    const auto reason = static_cast<RevocationReason>(i);
    const char digit[2] = {char('0' + i), '\0'};
    if (text == revocation_reason_text(reason) || text == digit) return reason;
  }
  return base::make_error(
      "unknown revocation reason: want unspecified, key-compromised or admin-removed (or 0..2)");
}

Revocation sign_revocation(const Identity& org, const PublicKey& node, RevocationReason reason,
                           uint64_t counter, int64_t issued_at) {
  Revocation r;
  r.org_key = org.public_key;
  r.node_key = node;
  r.reason = reason;
  r.counter = counter;
  r.issued_at = issued_at;
  r.signature = crypto::ed25519_sign(org.secret, revocation_signed_part(r));
  return r;
}

Vouch sign_vouch(const Identity& org, const PublicKey& node, uint64_t counter, int64_t issued_at) {
  Vouch v;
  v.org_key = org.public_key;
  v.node_key = node;
  v.counter = counter;
  v.issued_at = issued_at;
  v.signature = crypto::ed25519_sign(org.secret, vouch_signed_part(v));
  return v;
}

bool verify_revocation(const Revocation& r) {
  if (static_cast<uint8_t>(r.reason) > kMaxReason) return false;
  return crypto::ed25519_verify(r.org_key, revocation_signed_part(r), r.signature);
}

bool verify_vouch(const Vouch& v) {
  return crypto::ed25519_verify(v.org_key, vouch_signed_part(v), v.signature);
}

std::vector<uint8_t> encode_revocation(const Revocation& r) {
  return with_signature(revocation_signed_part(r), r.signature);
}

std::vector<uint8_t> encode_vouch(const Vouch& v) {
  return with_signature(vouch_signed_part(v), v.signature);
}

base::Result<Revocation> decode_revocation(base::Bytes data) {
  MW_RETURN_IF_ERROR(check_frame(data, kRevocationMagic, kRevocationLen, "revocation"));
  base::Reader rd(data);
  rd.skip(kRevocationMagic.size());
  Revocation r;
  rd.copy(r.org_key);
  rd.copy(r.node_key);
  const uint8_t reason = rd.u8();
  if (reason > kMaxReason) return base::make_error("revocation has unknown reason {}", reason);
  r.reason = static_cast<RevocationReason>(reason);
  r.counter = rd.u64le();
  r.issued_at = internal::read_i64le(rd);
  rd.copy(r.signature);
  if (!rd.at_end()) return base::make_error("revocation is truncated");
  return r;
}

base::Result<Vouch> decode_vouch(base::Bytes data) {
  MW_RETURN_IF_ERROR(check_frame(data, kVouchMagic, kVouchLen, "vouch"));
  base::Reader rd(data);
  rd.skip(kVouchMagic.size());
  Vouch v;
  rd.copy(v.org_key);
  rd.copy(v.node_key);
  v.counter = rd.u64le();
  v.issued_at = internal::read_i64le(rd);
  rd.copy(v.signature);
  if (!rd.at_end()) return base::make_error("vouch is truncated");
  return v;
}

std::string revocation_to_text(const Revocation& r) {
  return internal::to_prefixed_base64(kRevocationPrefix, encode_revocation(r));
}

std::string vouch_to_text(const Vouch& v) {
  return internal::to_prefixed_base64(kVouchPrefix, encode_vouch(v));
}

base::Result<Revocation> revocation_from_text(std::string_view text) {
  auto bytes =
      internal::from_prefixed_base64(text, kRevocationPrefix, kRevocationLen, "revocation");
  if (!bytes.ok()) return bytes.error();
  return decode_revocation(*bytes);
}

base::Result<Vouch> vouch_from_text(std::string_view text) {
  auto bytes = internal::from_prefixed_base64(text, kVouchPrefix, kVouchLen, "vouch");
  if (!bytes.ok()) return bytes.error();
  return decode_vouch(*bytes);
}

}  // namespace mw::trust
