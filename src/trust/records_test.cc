// SPDX-License-Identifier: Apache-2.0
// Tests for revocation and vouch records: layout, signatures, strict decoding and text forms.
#include "trust/records.h"

#include <gtest/gtest.h>

#include "base/encoding.h"
#include "trust/testing/identities.h"

namespace mw::trust {
namespace {

using testing::identity_from_byte;

class RecordsTest : public ::testing::Test {
 protected:
  Revocation revocation() {
    return sign_revocation(org_, node_.public_key, RevocationReason::kKeyCompromised, 7,
                           1'700'000'000);
  }
  Vouch vouch() { return sign_vouch(org_, node_.public_key, 9, 1'700'000'001); }

  const Identity org_ = identity_from_byte(1);
  const Identity node_ = identity_from_byte(2);
  const Identity other_ = identity_from_byte(3);
};

void expect_same(const Revocation& a, const Revocation& b) {
  EXPECT_EQ(a.org_key, b.org_key);
  EXPECT_EQ(a.node_key, b.node_key);
  EXPECT_EQ(a.reason, b.reason);
  EXPECT_EQ(a.counter, b.counter);
  EXPECT_EQ(a.issued_at, b.issued_at);
  EXPECT_EQ(a.signature, b.signature);
}

void expect_same(const Vouch& a, const Vouch& b) {
  EXPECT_EQ(a.org_key, b.org_key);
  EXPECT_EQ(a.node_key, b.node_key);
  EXPECT_EQ(a.counter, b.counter);
  EXPECT_EQ(a.issued_at, b.issued_at);
  EXPECT_EQ(a.signature, b.signature);
}

TEST_F(RecordsTest, SignAndVerify) {
  const Revocation r = revocation();
  EXPECT_EQ(r.org_key, org_.public_key);
  EXPECT_EQ(r.node_key, node_.public_key);
  EXPECT_TRUE(verify_revocation(r));
  const Vouch v = vouch();
  EXPECT_TRUE(verify_vouch(v));
}

TEST_F(RecordsTest, SignedByAnotherKeyFails) {
  Revocation r = revocation();
  r.org_key = other_.public_key;
  EXPECT_FALSE(verify_revocation(r));
  Vouch v = vouch();
  v.org_key = other_.public_key;
  EXPECT_FALSE(verify_vouch(v));
}

TEST_F(RecordsTest, FieldChangesFailVerification) {
  Revocation r = revocation();
  r.counter++;
  EXPECT_FALSE(verify_revocation(r));
  r = revocation();
  r.reason = RevocationReason::kAdminRemoved;
  EXPECT_FALSE(verify_revocation(r));
  r = revocation();
  r.reason = static_cast<RevocationReason>(3);
  EXPECT_FALSE(verify_revocation(r));
  Vouch v = vouch();
  v.issued_at--;
  EXPECT_FALSE(verify_vouch(v));
}

TEST_F(RecordsTest, RevocationLayout) {
  const Revocation r = sign_revocation(org_, node_.public_key, RevocationReason::kAdminRemoved,
                                       0x0102030405060708, -1);
  const std::vector<uint8_t> b = encode_revocation(r);
  ASSERT_EQ(b.size(), 149u);
  EXPECT_EQ(std::string(b.begin(), b.begin() + 4), "MWR1");
  EXPECT_TRUE(std::equal(r.org_key.begin(), r.org_key.end(), b.begin() + 4));
  EXPECT_TRUE(std::equal(r.node_key.begin(), r.node_key.end(), b.begin() + 36));
  EXPECT_EQ(b[68], 2);
  EXPECT_EQ(base::hex_encode(base::Bytes(b.data() + 69, 16)), "0807060504030201ffffffffffffffff");
  EXPECT_TRUE(crypto::ed25519_verify(org_.public_key, base::Bytes(b.data(), 85), r.signature));
}

TEST_F(RecordsTest, VouchLayout) {
  const Vouch v = sign_vouch(org_, node_.public_key, 0x0102030405060708, 2);
  const std::vector<uint8_t> b = encode_vouch(v);
  ASSERT_EQ(b.size(), 148u);
  EXPECT_EQ(std::string(b.begin(), b.begin() + 4), "MWV1");
  EXPECT_TRUE(std::equal(v.org_key.begin(), v.org_key.end(), b.begin() + 4));
  EXPECT_TRUE(std::equal(v.node_key.begin(), v.node_key.end(), b.begin() + 36));
  EXPECT_EQ(base::hex_encode(base::Bytes(b.data() + 68, 16)), "08070605040302010200000000000000");
  EXPECT_TRUE(crypto::ed25519_verify(org_.public_key, base::Bytes(b.data(), 84), v.signature));
}

TEST_F(RecordsTest, EveryByteFlipIsDetected) {
  const std::vector<uint8_t> rgood = encode_revocation(revocation());
  const std::vector<uint8_t> vgood = encode_vouch(vouch());
  for (uint8_t mask : {0x01, 0x80}) {
    for (size_t i = 0; i < rgood.size(); ++i) {
      std::vector<uint8_t> bad = rgood;
      bad[i] ^= mask;
      auto d = decode_revocation(bad);
      if (d.ok()) {
        EXPECT_FALSE(verify_revocation(*d)) << "byte " << i;
      }
    }
    for (size_t i = 0; i < vgood.size(); ++i) {
      std::vector<uint8_t> bad = vgood;
      bad[i] ^= mask;
      auto d = decode_vouch(bad);
      if (d.ok()) {
        EXPECT_FALSE(verify_vouch(*d)) << "byte " << i;
      }
    }
  }
}

TEST_F(RecordsTest, EncodeDecodeRoundTrip) {
  for (RevocationReason reason : {RevocationReason::kUnspecified, RevocationReason::kKeyCompromised,
                                  RevocationReason::kAdminRemoved}) {
    const Revocation r = sign_revocation(org_, node_.public_key, reason, UINT64_MAX, INT64_MIN);
    auto d = decode_revocation(encode_revocation(r));
    ASSERT_TRUE(d.ok()) << d.error().message();
    expect_same(*d, r);
    EXPECT_TRUE(verify_revocation(*d));
  }
  const Vouch v = vouch();
  auto d = decode_vouch(encode_vouch(v));
  ASSERT_TRUE(d.ok()) << d.error().message();
  expect_same(*d, v);
  EXPECT_TRUE(verify_vouch(*d));
}

TEST_F(RecordsTest, TextRoundTrip) {
  const Revocation r = revocation();
  const std::string rt = revocation_to_text(r);
  EXPECT_TRUE(rt.starts_with("meshward-revocation:"));
  auto rd = revocation_from_text(" " + rt + "\n");
  ASSERT_TRUE(rd.ok()) << rd.error().message();
  expect_same(*rd, r);
  const Vouch v = vouch();
  const std::string vt = vouch_to_text(v);
  EXPECT_TRUE(vt.starts_with("meshward-vouch:"));
  auto vd = vouch_from_text(vt + "\r\n");
  ASSERT_TRUE(vd.ok()) << vd.error().message();
  expect_same(*vd, v);
}

TEST_F(RecordsTest, TextRejects) {
  const std::string rt = revocation_to_text(revocation());
  const std::string vt = vouch_to_text(vouch());
  EXPECT_FALSE(vouch_from_text(rt).ok());
  EXPECT_FALSE(revocation_from_text(vt).ok());
  EXPECT_FALSE(revocation_from_text(rt.substr(0, rt.size() - 4)).ok());
  EXPECT_FALSE(revocation_from_text(rt + "AAAA").ok());
  EXPECT_FALSE(revocation_from_text(rt + "!").ok());
  EXPECT_FALSE(vouch_from_text("meshward-vouch:" + std::string(1000, 'A')).ok());
  // The right prefix in front of the other record's bytes: magic mismatch.
  auto swapped = revocation_from_text("meshward-revocation:" + vt.substr(15));
  ASSERT_FALSE(swapped.ok());
  EXPECT_EQ(swapped.error().message(), "not a meshward revocation (bad magic)");
}

TEST_F(RecordsTest, DecodeRejects) {
  const std::vector<uint8_t> r = encode_revocation(revocation());
  const std::vector<uint8_t> v = encode_vouch(vouch());
  auto magic = decode_revocation(v);
  ASSERT_FALSE(magic.ok());
  EXPECT_EQ(magic.error().message(), "not a meshward revocation (bad magic)");
  auto vmagic = decode_vouch(r);
  ASSERT_FALSE(vmagic.ok());
  EXPECT_EQ(vmagic.error().message(), "not a meshward vouch (bad magic)");
  for (size_t n = 0; n < r.size(); ++n) {
    EXPECT_FALSE(decode_revocation(base::Bytes(r.data(), n)).ok()) << n;
  }
  for (size_t n = 0; n < v.size(); ++n) {
    EXPECT_FALSE(decode_vouch(base::Bytes(v.data(), n)).ok()) << n;
  }
  auto truncated = decode_revocation(base::Bytes(r.data(), 100));
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.error().message(), "revocation is truncated");
  std::vector<uint8_t> longer = r;
  longer.push_back(0);
  auto trailing = decode_revocation(longer);
  ASSERT_FALSE(trailing.ok());
  EXPECT_EQ(trailing.error().message(), "revocation has 1 trailing bytes");
  std::vector<uint8_t> vlonger = v;
  vlonger.insert(vlonger.end(), 3, 0);
  auto vtrailing = decode_vouch(vlonger);
  ASSERT_FALSE(vtrailing.ok());
  EXPECT_EQ(vtrailing.error().message(), "vouch has 3 trailing bytes");
  for (uint8_t reason : {3, 0x80, 0xff}) {
    std::vector<uint8_t> bad = r;
    bad[68] = reason;
    auto d = decode_revocation(bad);
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.error().message(), fmt::format("revocation has unknown reason {}", reason));
  }
}

TEST(RecordsReasonTest, Parse) {
  const std::pair<const char*, RevocationReason> good[] = {
      {"unspecified", RevocationReason::kUnspecified},
      {"key-compromised", RevocationReason::kKeyCompromised},
      {"admin-removed", RevocationReason::kAdminRemoved},
      {"0", RevocationReason::kUnspecified},
      {"1", RevocationReason::kKeyCompromised},
      {"2", RevocationReason::kAdminRemoved},
  };
  for (const auto& [text, reason] : good) {
    auto r = parse_revocation_reason(text);
    ASSERT_TRUE(r.ok()) << text;
    EXPECT_EQ(*r, reason);
  }
  for (const char* text :
       {"", "3", "01", "Key-Compromised", "admin_removed", " 1", "unspecified ", "compromised"}) {
    auto r = parse_revocation_reason(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error().message(),
              "unknown revocation reason: want unspecified, key-compromised or admin-removed (or "
              "0..2)");
  }
}

TEST(RecordsReasonTest, Text) {
  EXPECT_STREQ(revocation_reason_text(RevocationReason::kUnspecified), "unspecified");
  EXPECT_STREQ(revocation_reason_text(RevocationReason::kKeyCompromised), "key-compromised");
  EXPECT_STREQ(revocation_reason_text(RevocationReason::kAdminRemoved), "admin-removed");
  EXPECT_STREQ(revocation_reason_text(static_cast<RevocationReason>(9)), "unknown");
}

}  // namespace
}  // namespace mw::trust
