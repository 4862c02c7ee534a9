// SPDX-License-Identifier: Apache-2.0
// The trust store (what a node trusts, newest record per (org, node)) and the admission
// decision. Revocations are scoped to the org that signed them: a node revoked by org X is
// still admitted through org Y's certificate or vouch.
#include "trust/authorize.h"

#include <algorithm>

#include "trust/address.h"

namespace mw::trust {

namespace {

template <typename Record>
Record* find_record(std::vector<Record>& records, const PublicKey& org, const PublicKey& node) {
  for (Record& r : records) {
    if (r.org_key == org && r.node_key == node) return &r;
  }
  return nullptr;
}

// Keeps `record` if it is newer (higher counter) than the stored one for its (org, node).
// True when `record` is (now) the stored one: added, replacing an older one, or identical to it.
template <typename Record, typename Encode>
bool keep_newest(std::vector<Record>& records, const Record& record, Encode encode) {
  Record* old = find_record(records, record.org_key, record.node_key);
  if (!old) {
    records.push_back(record);
    return true;
  }
  if (record.counter > old->counter) {
    *old = record;
    return true;
  }
  return encode(*old) == encode(record);
}

// Later verdicts in this list are more specific and win when several paths were denied.
int specificity(Verdict v) {
  switch (v) {
    case Verdict::kDenyOrgNotTrusted: return 1;
    case Verdict::kDenyCertificate: return 2;
    case Verdict::kDenyRevoked: return 3;
    default: return 0;
  }
}

struct Denial {
  Decision decision;
  void note(Verdict v, std::string detail) {
    if (specificity(v) > specificity(decision.verdict)) {
      decision.verdict = v;
      decision.detail = std::move(detail);
    }
  }
};

std::string revoked_detail(const Revocation& r, std::string_view what) {
  return fmt::format("{}revoked by org {}: {}", what, org_domain(r.org_key),
                     revocation_reason_text(r.reason));
}

}  // namespace

void TrustStore::add_authorized_key(const PublicKey& key, std::string name) {
  auto it = std::find(authorized_.begin(), authorized_.end(), key);
  if (it == authorized_.end()) {
    authorized_.push_back(key);
    authorized_names_.push_back(std::move(name));
  } else if (std::string& known = authorized_names_[size_t(it - authorized_.begin())];
             known.empty()) {
    known = std::move(name);
  }
}

const std::string* TrustStore::name_of(const PublicKey& key) const {
  auto it = std::find(authorized_.begin(), authorized_.end(), key);
  if (it == authorized_.end()) return nullptr;
  const std::string& name = authorized_names_[size_t(it - authorized_.begin())];
  return name.empty() ? nullptr : &name;
}

void TrustStore::add_trusted_org(const PublicKey& org) {
  if (!is_trusted_org(org)) orgs_.push_back(org);
}

bool TrustStore::add_revocation(const Revocation& r) {
  if (!verify_revocation(r)) return false;
  return keep_newest(revocations_, r, encode_revocation);
}

bool TrustStore::add_vouch(const Vouch& v) {
  if (!verify_vouch(v)) return false;
  return keep_newest(vouches_, v, encode_vouch);
}

bool TrustStore::is_trusted_org(const PublicKey& org) const {
  return std::find(orgs_.begin(), orgs_.end(), org) != orgs_.end();
}

const Revocation* TrustStore::revocation(const PublicKey& org, const PublicKey& node) const {
  for (const Revocation& r : revocations_) {
    if (r.org_key == org && r.node_key == node) return &r;
  }
  return nullptr;
}

Decision authorize(const TrustStore& store, const PublicKey& claimed,
                   const Certificate* certificate, base::WallTime now) {
  if (claimed == store.self()) return {Verdict::kAdmitSelf, "self"};
  if (store.open()) return {Verdict::kAdmitOpen, "open trust"};
  const auto& keys = store.authorized_keys();
  if (std::find(keys.begin(), keys.end(), claimed) != keys.end()) {
    return {Verdict::kAdmitAuthorizedKey, "authorized key"};
  }

  Denial denial;
  denial.decision = {Verdict::kDenyNotTrusted, "not trusted"};
  if (certificate) {
    const Certificate& cert = *certificate;
    const std::string domain = org_domain(cert.org_key);
    const CertCheck check = verify_certificate(cert, claimed, now);
    if (check != CertCheck::kValid) {
      denial.note(Verdict::kDenyCertificate, fmt::format("certificate of org {} rejected: {}",
                                                         domain, cert_check_text(check)));
    } else if (!store.is_trusted_org(cert.org_key)) {
      denial.note(Verdict::kDenyOrgNotTrusted,
                  fmt::format("certificate of org {} which is not trusted", domain));
    } else if (const Revocation* r = store.revocation(cert.org_key, claimed)) {
      denial.note(Verdict::kDenyRevoked, revoked_detail(*r, ""));
    } else if (const Revocation* ri =
                   cert.delegation ? store.revocation(cert.org_key, cert.delegation->issuer_key)
                                   : nullptr) {
      denial.note(Verdict::kDenyRevoked, revoked_detail(*ri, "certificate issuer "));
    } else {
      return {Verdict::kAdmitCertificate,
              fmt::format("certificate of org {} ({})", domain, cert.name)};
    }
  }

  for (const Vouch& v : store.vouches()) {
    if (v.node_key != claimed || !store.is_trusted_org(v.org_key)) continue;
    if (const Revocation* r = store.revocation(v.org_key, claimed)) {
      denial.note(Verdict::kDenyRevoked, revoked_detail(*r, ""));
      continue;
    }
    return {Verdict::kAdmitVouch, fmt::format("vouched for by org {}", org_domain(v.org_key))};
  }
  return denial.decision;
}

}  // namespace mw::trust
