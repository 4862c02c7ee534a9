// SPDX-License-Identifier: Apache-2.0
// Tests for node certificates: layout, strict decoding, text form, signing and verification.
#include "trust/certificate.h"

#include <gtest/gtest.h>

#include "base/encoding.h"
#include "trust/testing/identities.h"

namespace mw::trust {
namespace {

using testing::identity_from_byte;

constexpr int64_t kNow = 1'700'000'000;  // Unix seconds

base::WallTime at(int64_t seconds) { return base::WallTime{seconds * 1'000'000'000}; }

// Replaces the signature by `signer`'s over the encoding, as a forger holding that key would.
void resign(Certificate& cert, const Identity& signer) {
  std::vector<uint8_t> bytes = encode_certificate(cert);
  bytes.resize(bytes.size() - 64);
  cert.signature = crypto::ed25519_sign(signer.secret, bytes);
}

void expect_same(const Certificate& a, const Certificate& b) {
  EXPECT_EQ(a.org_key, b.org_key);
  EXPECT_EQ(a.node_key, b.node_key);
  EXPECT_EQ(a.wg_key, b.wg_key);
  EXPECT_EQ(a.issued_at, b.issued_at);
  EXPECT_EQ(a.expires_at, b.expires_at);
  EXPECT_EQ(a.name, b.name);
  ASSERT_EQ(a.delegation.has_value(), b.delegation.has_value());
  if (a.delegation) {
    EXPECT_EQ(a.delegation->org_key, b.delegation->org_key);
    EXPECT_EQ(a.delegation->issuer_key, b.delegation->issuer_key);
    EXPECT_EQ(a.delegation->expires_at, b.delegation->expires_at);
    EXPECT_EQ(a.delegation->signature, b.delegation->signature);
  }
  EXPECT_EQ(a.signature, b.signature);
}

class CertificateTest : public ::testing::Test {
 protected:
  Certificate direct(int64_t issued_at = kNow - 60, int64_t expires_at = kNow + 3600) {
    auto c = sign_certificate(org_, node_.public_key, "node-1", issued_at, expires_at);
    EXPECT_TRUE(c.ok()) << c.error().message();
    return c.ok() ? *c : Certificate{};
  }
  Certificate delegated(int64_t delegation_expires_at = kNow + 86400) {
    const Delegation d = sign_delegation(org_, issuer_.public_key, delegation_expires_at);
    auto c = sign_delegated_certificate(issuer_, d, node_.public_key, "laptop-7", kNow - 60,
                                        kNow + 3600);
    EXPECT_TRUE(c.ok()) << c.error().message();
    return c.ok() ? *c : Certificate{};
  }
  CertCheck check(const Certificate& c, int64_t now = kNow) {
    return verify_certificate(c, node_.public_key, at(now));
  }

  const Identity org_ = identity_from_byte(1);
  const Identity node_ = identity_from_byte(2);
  const Identity issuer_ = identity_from_byte(3);
  const Identity other_ = identity_from_byte(4);
};

TEST_F(CertificateTest, SignAndVerifyDirect) {
  const Certificate c = direct();
  EXPECT_EQ(c.org_key, org_.public_key);
  EXPECT_EQ(c.node_key, node_.public_key);
  EXPECT_EQ(c.wg_key, wireguard_public_key(node_.public_key).value());
  EXPECT_EQ(c.name, "node-1");
  EXPECT_FALSE(c.delegation.has_value());
  EXPECT_EQ(check(c), CertCheck::kValid);
}

TEST_F(CertificateTest, SignAndVerifyDelegated) {
  const Certificate c = delegated();
  ASSERT_TRUE(c.delegation.has_value());
  EXPECT_EQ(c.org_key, org_.public_key);
  EXPECT_EQ(c.delegation->org_key, org_.public_key);
  EXPECT_EQ(c.delegation->issuer_key, issuer_.public_key);
  EXPECT_EQ(check(c), CertCheck::kValid);
}

TEST_F(CertificateTest, DirectLayoutByteForByte) {
  const Certificate c = direct(0x0102030405060708, -2);
  const std::vector<uint8_t> b = encode_certificate(c);
  ASSERT_EQ(b.size(), 4 + 1 + 96 + 8 + 8 + 1 + 6 + 64u);
  EXPECT_EQ(std::string(b.begin(), b.begin() + 4), "MWC1");
  EXPECT_EQ(b[4], 0);
  EXPECT_TRUE(std::equal(c.org_key.begin(), c.org_key.end(), b.begin() + 5));
  EXPECT_TRUE(std::equal(c.node_key.begin(), c.node_key.end(), b.begin() + 37));
  EXPECT_TRUE(std::equal(c.wg_key.begin(), c.wg_key.end(), b.begin() + 69));
  EXPECT_EQ(base::hex_encode(base::Bytes(b.data() + 101, 16)), "0807060504030201feffffffffffffff");
  EXPECT_EQ(b[117], 6);
  EXPECT_EQ(std::string(b.begin() + 118, b.begin() + 124), "node-1");
  EXPECT_TRUE(std::equal(c.signature.begin(), c.signature.end(), b.begin() + 124));
  // The signature covers every byte before it.
  EXPECT_TRUE(crypto::ed25519_verify(org_.public_key, base::Bytes(b.data(), 124), c.signature));
}

TEST_F(CertificateTest, DelegatedLayoutByteForByte) {
  const Certificate c = delegated(0x1122334455667788);
  const std::vector<uint8_t> b = encode_certificate(c);
  ASSERT_EQ(b.size(), 4 + 1 + 96 + 8 + 8 + 1 + 8 + 32 + 8 + 64 + 64u);
  EXPECT_EQ(b[4], 1);
  EXPECT_EQ(b[117], 8);
  const size_t d = 118 + 8;
  EXPECT_TRUE(std::equal(issuer_.public_key.begin(), issuer_.public_key.end(), b.begin() + d));
  EXPECT_EQ(base::hex_encode(base::Bytes(b.data() + d + 32, 8)), "8877665544332211");
  EXPECT_TRUE(std::equal(c.delegation->signature.begin(), c.delegation->signature.end(),
                         b.begin() + d + 40));
  const size_t sig = d + 104;
  EXPECT_TRUE(crypto::ed25519_verify(issuer_.public_key, base::Bytes(b.data(), sig), c.signature));
  // The delegation signature: "MWD1" | org | issuer | expires_at.
  std::vector<uint8_t> msg = {'M', 'W', 'D', '1'};
  msg.insert(msg.end(), org_.public_key.begin(), org_.public_key.end());
  msg.insert(msg.end(), issuer_.public_key.begin(), issuer_.public_key.end());
  msg.insert(msg.end(), b.begin() + d + 32, b.begin() + d + 40);
  EXPECT_TRUE(crypto::ed25519_verify(org_.public_key, msg, c.delegation->signature));
}

TEST_F(CertificateTest, MaxLength) {
  auto c = sign_certificate(org_, node_.public_key, std::string(63, 'a'), 1, 2);
  ASSERT_TRUE(c.ok());
  c->delegation = sign_delegation(org_, issuer_.public_key, 0);
  EXPECT_EQ(encode_certificate(*c).size(), kMaxCertificateLen);
}

TEST_F(CertificateTest, ExpiryEdges) {
  const Certificate c = direct(kNow - 60, kNow + 100);
  EXPECT_EQ(check(c, kNow + 99), CertCheck::kValid);
  // The last nanosecond before expiry is still valid.
  EXPECT_EQ(
      verify_certificate(c, node_.public_key, base::WallTime{(kNow + 100) * 1'000'000'000 - 1}),
      CertCheck::kValid);
  EXPECT_EQ(check(c, kNow + 100), CertCheck::kExpired);
  EXPECT_EQ(check(c, kNow + 1'000'000), CertCheck::kExpired);
  const Certificate forever = direct(kNow - 60, 0);
  EXPECT_EQ(check(forever, kNow + 100'000'000), CertCheck::kValid);
}

TEST_F(CertificateTest, NotYetValidBeyondSkew) {
  const Certificate c = direct(kNow + 300, 0);
  EXPECT_EQ(check(c), CertCheck::kValid);  // 300 s of clock skew is tolerated
  const Certificate later = direct(kNow + 301, 0);
  EXPECT_EQ(check(later), CertCheck::kNotYetValid);
  EXPECT_EQ(check(later, kNow + 1), CertCheck::kValid);
}

TEST_F(CertificateTest, WrongNode) {
  const Certificate c = direct();
  EXPECT_EQ(verify_certificate(c, other_.public_key, at(kNow)), CertCheck::kWrongNode);
}

TEST_F(CertificateTest, WrongWireguardKey) {
  Certificate c = direct();
  c.wg_key = wireguard_public_key(other_.public_key).value();
  resign(c, org_);
  EXPECT_EQ(check(c), CertCheck::kWrongWireguardKey);
}

TEST_F(CertificateTest, SignedByAnotherKey) {
  Certificate c = direct();
  resign(c, other_);
  EXPECT_EQ(check(c), CertCheck::kBadSignature);
  // An issuer without a delegation cannot sign in the org's name.
  resign(c, issuer_);
  EXPECT_EQ(check(c), CertCheck::kBadSignature);
}

TEST_F(CertificateTest, DelegatedSignedByOrgInsteadOfIssuer) {
  Certificate c = delegated();
  resign(c, org_);
  EXPECT_EQ(check(c), CertCheck::kBadSignature);
}

TEST_F(CertificateTest, DelegationExpired) {
  EXPECT_EQ(check(delegated(kNow + 1)), CertCheck::kValid);
  EXPECT_EQ(check(delegated(kNow)), CertCheck::kDelegationExpired);
  EXPECT_EQ(check(delegated(kNow - 1000)), CertCheck::kDelegationExpired);
  EXPECT_EQ(check(delegated(0), kNow + 3000), CertCheck::kValid);  // 0 = never
}

TEST_F(CertificateTest, DelegationSignedByAnotherOrg) {
  Delegation d = sign_delegation(other_, issuer_.public_key, kNow + 86400);
  d.org_key = org_.public_key;  // claims to be the org's
  auto c = sign_delegated_certificate(issuer_, d, node_.public_key, "n", kNow, 0);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->org_key, org_.public_key);
  EXPECT_EQ(check(*c), CertCheck::kBadDelegation);
  // Decoding keeps the claim (the org key is the certificate's), and still fails.
  auto decoded = decode_certificate(encode_certificate(*c));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(check(*decoded), CertCheck::kBadDelegation);
}

TEST_F(CertificateTest, DelegationForAnotherIssuer) {
  Certificate c = delegated();
  c.delegation->issuer_key = other_.public_key;
  resign(c, other_);
  EXPECT_EQ(check(c), CertCheck::kBadDelegation);
}

TEST_F(CertificateTest, DelegationWithMismatchedOrgInMemory) {
  Certificate c = delegated();
  c.delegation->org_key = other_.public_key;
  EXPECT_EQ(check(c), CertCheck::kBadDelegation);
}

TEST_F(CertificateTest, SignDelegatedRefusesAnotherIssuer) {
  const Delegation d = sign_delegation(org_, issuer_.public_key, 0);
  auto c = sign_delegated_certificate(other_, d, node_.public_key, "n", kNow, 0);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message(), "the delegation is for another issuer key");
}

TEST_F(CertificateTest, SignRefusesBadNodeKeyOrName) {
  PublicKey small_order{};
  small_order[0] = 1;
  auto bad_key = sign_certificate(org_, small_order, "n", kNow, 0);
  ASSERT_FALSE(bad_key.ok());
  EXPECT_EQ(bad_key.error().message(), "node key is not a valid Ed25519 public key");
  auto bad_name = sign_certificate(org_, node_.public_key, "Node", kNow, 0);
  ASSERT_FALSE(bad_name.ok());
  const Delegation d = sign_delegation(org_, issuer_.public_key, 0);
  EXPECT_FALSE(sign_delegated_certificate(issuer_, d, node_.public_key, "", kNow, 0).ok());
  EXPECT_FALSE(sign_delegated_certificate(issuer_, d, small_order, "n", kNow, 0).ok());
}

TEST_F(CertificateTest, InvalidNameInMemoryNeverVerifies) {
  Certificate c = direct();
  c.name = "Bad Name";
  resign(c, org_);
  EXPECT_EQ(check(c), CertCheck::kBadSignature);
}

// Every byte of the encoding matters: changing any one makes decoding fail or verification
// report something other than kValid.
TEST_F(CertificateTest, EveryByteFlipIsDetected) {
  for (const Certificate& c : {direct(), delegated()}) {
    const std::vector<uint8_t> good = encode_certificate(c);
    ASSERT_EQ(check(*decode_certificate(good)), CertCheck::kValid);
    for (size_t i = 0; i < good.size(); ++i) {
      for (uint8_t mask : {0x01, 0x80}) {
        std::vector<uint8_t> bad = good;
        bad[i] ^= mask;
        auto d = decode_certificate(bad);
        if (d.ok()) {
          EXPECT_NE(check(*d), CertCheck::kValid) << "byte " << i << " mask " << int(mask);
        }
      }
    }
  }
}

TEST_F(CertificateTest, EncodeDecodeRoundTrip) {
  for (const Certificate& c : {direct(), delegated(), direct(-5, INT64_MAX)}) {
    const std::vector<uint8_t> bytes = encode_certificate(c);
    auto d = decode_certificate(bytes);
    ASSERT_TRUE(d.ok()) << d.error().message();
    expect_same(*d, c);
    EXPECT_EQ(encode_certificate(*d), bytes);
  }
}

TEST_F(CertificateTest, TextRoundTrip) {
  for (const Certificate& c : {direct(), delegated()}) {
    const std::string text = certificate_to_text(c);
    EXPECT_TRUE(text.starts_with("meshward-cert:"));
    EXPECT_EQ(text.find_first_of(" \n"), std::string::npos);
    auto d = certificate_from_text(text);
    ASSERT_TRUE(d.ok()) << d.error().message();
    expect_same(*d, c);
    auto padded = certificate_from_text("\n  " + text + " \r\n");
    ASSERT_TRUE(padded.ok());
    expect_same(*padded, c);
  }
}

TEST_F(CertificateTest, TextRejects) {
  const std::string text = certificate_to_text(direct());
  const std::string b64 = text.substr(14);
  EXPECT_FALSE(certificate_from_text(b64).ok());
  EXPECT_FALSE(certificate_from_text("meshward-vouch:" + b64).ok());
  EXPECT_FALSE(certificate_from_text("Meshward-cert:" + b64).ok());
  EXPECT_FALSE(certificate_from_text("meshward-cert: " + b64).ok());
  EXPECT_FALSE(certificate_from_text(text.substr(0, 40) + "\n" + text.substr(40)).ok());
  EXPECT_FALSE(certificate_from_text(text + "#").ok());
  EXPECT_FALSE(certificate_from_text(text + "AAAA").ok());  // 3 trailing bytes
  EXPECT_FALSE(certificate_from_text("meshward-cert:").ok());
  EXPECT_FALSE(certificate_from_text("").ok());
  auto too_long = certificate_from_text("meshward-cert:" + std::string(100000, 'A'));
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error().message(),
            "certificate text is too long: 100000 base64 characters, at most 468");
  auto prefix = certificate_from_text("hello");
  ASSERT_FALSE(prefix.ok());
  EXPECT_EQ(prefix.error().message(),
            "not a certificate: the text does not start with \"meshward-cert:\"");
}

TEST_F(CertificateTest, DecodeRejectsBadMagic) {
  std::vector<uint8_t> b = encode_certificate(direct());
  b[3] = '2';
  auto d = decode_certificate(b);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().message(), "not a meshward certificate (bad magic)");
  EXPECT_FALSE(decode_certificate(std::vector<uint8_t>{'M', 'W'}).ok());
  EXPECT_FALSE(decode_certificate({}).ok());
}

TEST_F(CertificateTest, DecodeRejectsUnknownFlags) {
  for (uint8_t flags : {0x02, 0x03, 0x80, 0xff}) {
    std::vector<uint8_t> b = encode_certificate(direct());
    b[4] = flags;
    auto d = decode_certificate(b);
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.error().message(), fmt::format("certificate has unknown flags 0x{:02x}", flags));
  }
}

TEST_F(CertificateTest, DecodeRejectsFlagsThatDisagreeWithLength) {
  std::vector<uint8_t> direct_bytes = encode_certificate(direct());
  direct_bytes[4] = 1;  // claims a delegation block it does not have
  EXPECT_FALSE(decode_certificate(direct_bytes).ok());
  std::vector<uint8_t> delegated_bytes = encode_certificate(delegated());
  delegated_bytes[4] = 0;
  auto d = decode_certificate(delegated_bytes);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().message(), "certificate has 104 trailing bytes");
}

TEST_F(CertificateTest, DecodeRejectsBadNames) {
  const std::vector<uint8_t> good = encode_certificate(direct());  // name "node-1" at 118..124
  for (const char* name : {"Node-1", "-node1", "node1-", "node 1", "node.1", "nöde1"}) {
    std::vector<uint8_t> b(good.begin(), good.begin() + 117);
    const std::string n(name);
    b.push_back(uint8_t(n.size()));
    b.insert(b.end(), n.begin(), n.end());
    b.insert(b.end(), good.end() - 64, good.end());
    auto d = decode_certificate(b);
    ASSERT_FALSE(d.ok()) << name;
    EXPECT_TRUE(d.error().message().starts_with("certificate name ")) << d.error().message();
  }
  // name_len 0 and 64 (both with a matching total length).
  std::vector<uint8_t> empty(good.begin(), good.begin() + 117);
  empty.push_back(0);
  empty.insert(empty.end(), good.end() - 64, good.end());
  auto e = decode_certificate(empty);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().message(), "certificate name is empty");
  std::vector<uint8_t> long_name(good.begin(), good.begin() + 117);
  long_name.push_back(64);
  long_name.insert(long_name.end(), 64, 'a');
  long_name.insert(long_name.end(), good.end() - 64, good.end());
  auto l = decode_certificate(long_name);
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.error().message(), "certificate name is 64 characters, at most 63");
}

TEST_F(CertificateTest, DecodeRejectsTruncation) {
  for (const Certificate& c : {direct(), delegated()}) {
    const std::vector<uint8_t> good = encode_certificate(c);
    for (size_t n = 0; n < good.size(); ++n) {
      EXPECT_FALSE(decode_certificate(base::Bytes(good.data(), n)).ok()) << n;
    }
  }
}

TEST_F(CertificateTest, DecodeRejectsTrailingBytes) {
  std::vector<uint8_t> b = encode_certificate(direct());
  b.push_back(0);
  auto d = decode_certificate(b);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().message(), "certificate has 1 trailing bytes");
}

TEST(CertificateNameTest, Rules) {
  EXPECT_TRUE(check_certificate_name("a").ok());
  EXPECT_TRUE(check_certificate_name("node-1").ok());
  EXPECT_TRUE(check_certificate_name("0-9").ok());
  EXPECT_TRUE(check_certificate_name(std::string(63, 'z')).ok());
  const std::pair<std::string, const char*> bad[] = {
      {"", "name is empty"},
      {std::string(64, 'a'), "name is 64 characters, at most 63"},
      {"Node", "name has a character other than a-z, 0-9 or '-' at position 1"},
      {"no_de", "name has a character other than a-z, 0-9 or '-' at position 3"},
      {std::string("a\0b", 3), "name has a character other than a-z, 0-9 or '-' at position 2"},
      {"-a", "name starts with '-'"},
      {"a-", "name ends with '-'"},
      {"-", "name starts with '-'"},
  };
  for (const auto& [name, error] : bad) {
    auto r = check_certificate_name(name);
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.error().message(), error);
  }
}

TEST(CertificateCheckTextTest, EveryValueHasText) {
  for (int i = 0; i <= int(CertCheck::kWrongWireguardKey); ++i) {
    EXPECT_STRNE(cert_check_text(CertCheck(i)), "unknown");
  }
  EXPECT_STREQ(cert_check_text(CertCheck::kValid), "valid");
  EXPECT_STREQ(cert_check_text(CertCheck::kExpired), "expired");
}

}  // namespace
}  // namespace mw::trust
