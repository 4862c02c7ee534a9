// SPDX-License-Identifier: Apache-2.0
// Tests for the trust store and the admission decision: every verdict, org-scoped revocation,
// delegated issuers, signature checks on records and newest-counter-wins.
#include "trust/authorize.h"

#include <gtest/gtest.h>

#include "trust/address.h"
#include "trust/testing/identities.h"

namespace mw::trust {
namespace {

using testing::identity_from_byte;

constexpr int64_t kNow = 1'700'000'000;
constexpr base::WallTime kWallNow{kNow * 1'000'000'000};

class AuthorizeTest : public ::testing::Test {
 protected:
  Certificate cert_of(const Identity& org, const Identity& node, int64_t expires_at = 0) {
    auto c = sign_certificate(org, node.public_key, "node-1", kNow - 10, expires_at);
    EXPECT_TRUE(c.ok());
    return c.ok() ? *c : Certificate{};
  }
  Certificate delegated_cert(const Identity& org, const Identity& issuer, const Identity& node) {
    const Delegation d = sign_delegation(org, issuer.public_key, 0);
    auto c = sign_delegated_certificate(issuer, d, node.public_key, "laptop", kNow - 10, 0);
    EXPECT_TRUE(c.ok());
    return c.ok() ? *c : Certificate{};
  }
  Revocation revoke(const Identity& org, const Identity& node, uint64_t counter = 1,
                    RevocationReason reason = RevocationReason::kKeyCompromised) {
    return sign_revocation(org, node.public_key, reason, counter, kNow);
  }
  Decision decide(const Identity& who, const Certificate* cert = nullptr) {
    return authorize(store_, who.public_key, cert, kWallNow);
  }

  const Identity self_ = identity_from_byte(1);
  const Identity org_x_ = identity_from_byte(2);
  const Identity org_y_ = identity_from_byte(3);
  const Identity node_ = identity_from_byte(4);
  const Identity issuer_ = identity_from_byte(5);
  const Identity stranger_ = identity_from_byte(6);
  TrustStore store_{self_.public_key};
};

TEST_F(AuthorizeTest, EmptyStoreAdmitsOnlySelf) {
  const Decision self = decide(self_);
  EXPECT_EQ(self.verdict, Verdict::kAdmitSelf);
  EXPECT_TRUE(self.admitted());
  EXPECT_EQ(self.detail, "self");
  const Decision other = decide(node_);
  EXPECT_EQ(other.verdict, Verdict::kDenyNotTrusted);
  EXPECT_FALSE(other.admitted());
  EXPECT_EQ(other.detail, "not trusted");
  const Certificate c = cert_of(org_x_, node_);
  EXPECT_EQ(decide(node_, &c).verdict, Verdict::kDenyOrgNotTrusted);
}

TEST_F(AuthorizeTest, OpenStoreAdmitsEveryone) {
  store_.set_open(true);
  EXPECT_TRUE(store_.open());
  const Decision d = decide(stranger_);
  EXPECT_EQ(d.verdict, Verdict::kAdmitOpen);
  EXPECT_TRUE(d.admitted());
  EXPECT_EQ(decide(self_).verdict, Verdict::kAdmitSelf);
}

TEST_F(AuthorizeTest, AuthorizedKey) {
  store_.add_authorized_key(node_.public_key);
  store_.add_authorized_key(node_.public_key);
  EXPECT_EQ(store_.authorized_keys().size(), 1u);
  const Decision d = decide(node_);
  EXPECT_EQ(d.verdict, Verdict::kAdmitAuthorizedKey);
  EXPECT_EQ(d.detail, "authorized key");
  EXPECT_EQ(decide(stranger_).verdict, Verdict::kDenyNotTrusted);
}

TEST_F(AuthorizeTest, AnAuthorizedKeyKeepsItsLocalName) {
  EXPECT_EQ(store_.name_of(node_.public_key), nullptr);
  store_.add_authorized_key(node_.public_key, "web-1");
  ASSERT_NE(store_.name_of(node_.public_key), nullptr);
  EXPECT_EQ(*store_.name_of(node_.public_key), "web-1");
  // The same key again: the first name stays; an unnamed key has none.
  store_.add_authorized_key(node_.public_key, "other");
  EXPECT_EQ(*store_.name_of(node_.public_key), "web-1");
  store_.add_authorized_key(stranger_.public_key);
  EXPECT_EQ(store_.name_of(stranger_.public_key), nullptr);
  EXPECT_EQ(store_.authorized_keys().size(), 2u);
}

TEST_F(AuthorizeTest, AuthorizedKeyComesBeforeRevocation) {
  store_.add_authorized_key(node_.public_key);
  store_.add_trusted_org(org_x_.public_key);
  ASSERT_TRUE(store_.add_revocation(revoke(org_x_, node_)));
  EXPECT_EQ(decide(node_).verdict, Verdict::kAdmitAuthorizedKey);
}

TEST_F(AuthorizeTest, CertificateOfTrustedOrg) {
  store_.add_trusted_org(org_x_.public_key);
  store_.add_trusted_org(org_x_.public_key);
  EXPECT_EQ(store_.trusted_orgs().size(), 1u);
  EXPECT_TRUE(store_.is_trusted_org(org_x_.public_key));
  EXPECT_FALSE(store_.is_trusted_org(org_y_.public_key));
  const Certificate c = cert_of(org_x_, node_);
  const Decision d = decide(node_, &c);
  EXPECT_EQ(d.verdict, Verdict::kAdmitCertificate);
  EXPECT_TRUE(d.admitted());
  EXPECT_EQ(d.detail, "certificate of org " + org_domain(org_x_.public_key) + " (node-1)");
}

TEST_F(AuthorizeTest, CertificateThatFailsVerification) {
  store_.add_trusted_org(org_x_.public_key);
  const Certificate expired = cert_of(org_x_, node_, kNow - 1);
  const Decision d = decide(node_, &expired);
  EXPECT_EQ(d.verdict, Verdict::kDenyCertificate);
  EXPECT_EQ(d.detail, "certificate of org " + org_domain(org_x_.public_key) + " rejected: expired");
  // Someone presenting another node's certificate.
  const Certificate theirs = cert_of(org_x_, node_);
  EXPECT_EQ(decide(stranger_, &theirs).verdict, Verdict::kDenyCertificate);
}

TEST_F(AuthorizeTest, CertificateOfUntrustedOrg) {
  store_.add_trusted_org(org_y_.public_key);
  const Certificate c = cert_of(org_x_, node_);
  const Decision d = decide(node_, &c);
  EXPECT_EQ(d.verdict, Verdict::kDenyOrgNotTrusted);
  EXPECT_FALSE(d.admitted());
}

TEST_F(AuthorizeTest, RevokedNode) {
  store_.add_trusted_org(org_x_.public_key);
  ASSERT_TRUE(store_.add_revocation(revoke(org_x_, node_)));
  const Certificate c = cert_of(org_x_, node_);
  const Decision d = decide(node_, &c);
  EXPECT_EQ(d.verdict, Verdict::kDenyRevoked);
  EXPECT_EQ(d.detail, "revoked by org " + org_domain(org_x_.public_key) + ": key-compromised");
}

TEST_F(AuthorizeTest, RevocationIsScopedToTheIssuingOrg) {
  store_.add_trusted_org(org_x_.public_key);
  store_.add_trusted_org(org_y_.public_key);
  ASSERT_TRUE(store_.add_revocation(revoke(org_x_, node_)));
  const Certificate cx = cert_of(org_x_, node_);
  const Certificate cy = cert_of(org_y_, node_);
  EXPECT_EQ(decide(node_, &cx).verdict, Verdict::kDenyRevoked);
  EXPECT_EQ(decide(node_, &cy).verdict, Verdict::kAdmitCertificate);
  // Through org Y's vouch, with X's certificate or none.
  ASSERT_TRUE(store_.add_vouch(sign_vouch(org_y_, node_.public_key, 1, kNow)));
  const Decision via_vouch = decide(node_, &cx);
  EXPECT_EQ(via_vouch.verdict, Verdict::kAdmitVouch);
  EXPECT_EQ(via_vouch.detail, "vouched for by org " + org_domain(org_y_.public_key));
  EXPECT_EQ(decide(node_).verdict, Verdict::kAdmitVouch);
}

TEST_F(AuthorizeTest, RevokingADelegatedIssuerKillsItsCertificates) {
  store_.add_trusted_org(org_x_.public_key);
  const Certificate c = delegated_cert(org_x_, issuer_, node_);
  EXPECT_EQ(decide(node_, &c).verdict, Verdict::kAdmitCertificate);
  // Revoking the issuer in another org's name changes nothing.
  store_.add_trusted_org(org_y_.public_key);
  ASSERT_TRUE(store_.add_revocation(revoke(org_y_, issuer_)));
  EXPECT_EQ(decide(node_, &c).verdict, Verdict::kAdmitCertificate);
  ASSERT_TRUE(store_.add_revocation(revoke(org_x_, issuer_, 1, RevocationReason::kAdminRemoved)));
  const Decision d = decide(node_, &c);
  EXPECT_EQ(d.verdict, Verdict::kDenyRevoked);
  EXPECT_EQ(d.detail, "certificate issuer revoked by org " + org_domain(org_x_.public_key) +
                          ": admin-removed");
  // The org's own certificate for the node is unaffected.
  const Certificate direct = cert_of(org_x_, node_);
  EXPECT_EQ(decide(node_, &direct).verdict, Verdict::kAdmitCertificate);
}

TEST_F(AuthorizeTest, RevocationWithBadSignatureIsIgnored) {
  store_.add_trusted_org(org_x_.public_key);
  Revocation r = revoke(org_x_, node_);
  r.signature[0] ^= 1;
  EXPECT_FALSE(store_.add_revocation(r));
  EXPECT_TRUE(store_.revocations().empty());
  Revocation forged = revoke(stranger_, node_);
  forged.org_key = org_x_.public_key;  // signed by someone else in the org's name
  EXPECT_FALSE(store_.add_revocation(forged));
  const Certificate c = cert_of(org_x_, node_);
  EXPECT_EQ(decide(node_, &c).verdict, Verdict::kAdmitCertificate);
}

TEST_F(AuthorizeTest, VouchWithBadSignatureIsIgnored) {
  store_.add_trusted_org(org_x_.public_key);
  Vouch v = sign_vouch(org_x_, node_.public_key, 1, kNow);
  v.counter++;
  EXPECT_FALSE(store_.add_vouch(v));
  EXPECT_TRUE(store_.vouches().empty());
  EXPECT_EQ(decide(node_).verdict, Verdict::kDenyNotTrusted);
}

TEST_F(AuthorizeTest, Vouch) {
  // Kept even while the org is not trusted; it admits once the org is.
  ASSERT_TRUE(store_.add_vouch(sign_vouch(org_x_, node_.public_key, 1, kNow)));
  EXPECT_EQ(decide(node_).verdict, Verdict::kDenyNotTrusted);
  store_.add_trusted_org(org_x_.public_key);
  const Decision d = decide(node_);
  EXPECT_EQ(d.verdict, Verdict::kAdmitVouch);
  EXPECT_TRUE(d.admitted());
  EXPECT_EQ(decide(stranger_).verdict, Verdict::kDenyNotTrusted);
}

TEST_F(AuthorizeTest, VouchOfAnOrgThatRevokedTheNode) {
  store_.add_trusted_org(org_x_.public_key);
  ASSERT_TRUE(store_.add_vouch(sign_vouch(org_x_, node_.public_key, 5, kNow)));
  ASSERT_TRUE(store_.add_revocation(revoke(org_x_, node_, 1)));
  const Decision d = decide(node_);
  EXPECT_EQ(d.verdict, Verdict::kDenyRevoked);
  EXPECT_FALSE(d.admitted());
}

TEST_F(AuthorizeTest, NewestCounterWins) {
  ASSERT_TRUE(store_.add_revocation(revoke(org_x_, node_, 5, RevocationReason::kKeyCompromised)));
  EXPECT_FALSE(store_.add_revocation(revoke(org_x_, node_, 4, RevocationReason::kAdminRemoved)));
  EXPECT_FALSE(store_.add_revocation(revoke(org_x_, node_, 5, RevocationReason::kUnspecified)));
  EXPECT_TRUE(store_.add_revocation(revoke(org_x_, node_, 5, RevocationReason::kKeyCompromised)));
  ASSERT_EQ(store_.revocations().size(), 1u);
  ASSERT_NE(store_.revocation(org_x_.public_key, node_.public_key), nullptr);
  EXPECT_EQ(store_.revocation(org_x_.public_key, node_.public_key)->counter, 5u);
  EXPECT_TRUE(store_.add_revocation(revoke(org_x_, node_, 9, RevocationReason::kAdminRemoved)));
  ASSERT_EQ(store_.revocations().size(), 1u);
  EXPECT_EQ(store_.revocation(org_x_.public_key, node_.public_key)->reason,
            RevocationReason::kAdminRemoved);
  // Other (org, node) pairs are separate.
  EXPECT_TRUE(store_.add_revocation(revoke(org_y_, node_, 1)));
  EXPECT_TRUE(store_.add_revocation(revoke(org_x_, issuer_, 1)));
  EXPECT_EQ(store_.revocations().size(), 3u);
  EXPECT_EQ(store_.revocation(org_y_.public_key, issuer_.public_key), nullptr);

  ASSERT_TRUE(store_.add_vouch(sign_vouch(org_x_, node_.public_key, 3, kNow)));
  EXPECT_FALSE(store_.add_vouch(sign_vouch(org_x_, node_.public_key, 2, kNow + 5)));
  EXPECT_TRUE(store_.add_vouch(sign_vouch(org_x_, node_.public_key, 4, kNow + 9)));
  ASSERT_EQ(store_.vouches().size(), 1u);
  EXPECT_EQ(store_.vouches()[0].counter, 4u);
  EXPECT_EQ(store_.vouches()[0].issued_at, kNow + 9);
}

TEST_F(AuthorizeTest, MostSpecificDenial) {
  store_.add_trusted_org(org_x_.public_key);
  store_.add_trusted_org(org_y_.public_key);
  ASSERT_TRUE(store_.add_vouch(sign_vouch(org_y_, node_.public_key, 1, kNow)));
  ASSERT_TRUE(store_.add_revocation(revoke(org_y_, node_)));
  // An expired certificate of X and a revoked vouch of Y: the revocation is reported.
  const Certificate expired = cert_of(org_x_, node_, kNow - 1);
  EXPECT_EQ(decide(node_, &expired).verdict, Verdict::kDenyRevoked);
  // A certificate of an untrusted org and nothing else.
  const Certificate untrusted = cert_of(stranger_, node_);
  TrustStore plain(self_.public_key);
  plain.add_trusted_org(org_x_.public_key);
  EXPECT_EQ(authorize(plain, node_.public_key, &untrusted, kWallNow).verdict,
            Verdict::kDenyOrgNotTrusted);
}

TEST_F(AuthorizeTest, AdmittedCoversExactlyTheAdmitVerdicts) {
  for (int v = 0; v <= int(Verdict::kDenyRevoked); ++v) {
    Decision d;
    d.verdict = Verdict(v);
    EXPECT_EQ(d.admitted(), v <= int(Verdict::kAdmitVouch)) << v;
  }
}

}  // namespace
}  // namespace mw::trust
