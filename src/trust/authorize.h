// SPDX-License-Identifier: Apache-2.0
// The admission decision: given what this node trusts and a claimed identity with an optional
// certificate, admit or deny, with the reason. With no trust at all nobody but the node itself is
// admitted unless the store is `open` (the original admitted everyone then).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/time.h"
#include "trust/certificate.h"
#include "trust/records.h"

namespace mw::trust {

// What a node trusts, as loaded by its caller. Records are taken as given here; add_* verify
// signatures and keep only the newest record per (org, node) by counter.
class TrustStore {
 public:
  explicit TrustStore(const PublicKey& self) : self_(self) {}
  void set_open(bool open) { open_ = open; }
  // `name`: what this node calls the key (its file's name in authorized_keys/), may be empty.
  void add_authorized_key(const PublicKey& key, std::string name = {});
  void add_trusted_org(const PublicKey& org);
  // False (and ignored) when the signature does not verify or the org is not trusted... the
  // org may be added later, so records are kept whatever the org; only the signature is checked.
  bool add_revocation(const Revocation& r);
  bool add_vouch(const Vouch& v);

  const PublicKey& self() const { return self_; }
  bool open() const { return open_; }
  const std::vector<PublicKey>& authorized_keys() const { return authorized_; }
  // The local name of an authorized key; nullptr when it is not one or has no name.
  const std::string* name_of(const PublicKey& key) const;
  const std::vector<PublicKey>& trusted_orgs() const { return orgs_; }
  bool is_trusted_org(const PublicKey& org) const;
  // The newest revocation of `node` by `org`, if any.
  const Revocation* revocation(const PublicKey& org, const PublicKey& node) const;
  const std::vector<Revocation>& revocations() const { return revocations_; }
  const std::vector<Vouch>& vouches() const { return vouches_; }

 private:
  PublicKey self_;
  bool open_ = false;
  std::vector<PublicKey> authorized_;
  std::vector<std::string> authorized_names_;  // as many as authorized_
  std::vector<PublicKey> orgs_;
  std::vector<Revocation> revocations_;
  std::vector<Vouch> vouches_;
};

enum class Verdict : uint8_t {
  kAdmitSelf,
  kAdmitOpen,
  kAdmitAuthorizedKey,
  kAdmitCertificate,
  kAdmitVouch,
  kDenyNotTrusted,     // no authorized key, no usable certificate, no vouch
  kDenyCertificate,    // a certificate was presented but failed verify_certificate
  kDenyOrgNotTrusted,  // a valid certificate from an org we do not trust
  kDenyRevoked,        // the node (or its delegated issuer) is revoked by the certificate's org
};

struct Decision {
  Verdict verdict = Verdict::kDenyNotTrusted;
  bool admitted() const { return verdict <= Verdict::kAdmitVouch; }
  std::string detail;  // one line for logs and status, e.g. "certificate of org a1b2c3 (node-1)"
};

// Order: self, open, authorized key, certificate (valid, org trusted, neither node nor issuer
// revoked by that org), vouch of a trusted org that has not revoked the node; else deny with
// the most specific reason seen.
Decision authorize(const TrustStore& store, const PublicKey& claimed,
                   const Certificate* certificate, base::WallTime now);

}  // namespace mw::trust
