// SPDX-License-Identifier: Apache-2.0
// Tests for statements: round trips, signatures, and every reject path of the strict decoder.
#include "discovery/statement.h"

#include <gtest/gtest.h>

#include "discovery/testing/test_peer.h"
#include "trust/certificate.h"
#include "trust/testing/identities.h"

namespace mw::swim {
namespace {

using testing::test_endpoint;

std::vector<uint8_t> encode(const Statement& s) {
  std::vector<uint8_t> buf(statement_len(s));
  base::Writer w(buf);
  encode_statement(w, s);
  EXPECT_TRUE(w.ok());
  EXPECT_EQ(w.length(), buf.size());
  return buf;
}

DecodeError decode(base::Bytes b, Statement* out) {
  base::Reader r(b);
  DecodeError e = decode_statement(r, out);
  if (e == DecodeError::kOk && !r.at_end()) return DecodeError::kTrailing;
  return e;
}

std::vector<uint8_t> a_certificate(const trust::Identity& node) {
  trust::Identity org = trust::testing::identity_from_byte(200);
  auto cert = trust::sign_certificate(org, node.public_key, "node-a", 1'700'000'000, 0);
  EXPECT_TRUE(cert.ok());
  return trust::encode_certificate(*cert);
}

TEST(Statement, AliveRoundTripsAndVerifies) {
  trust::Identity a = trust::testing::identity_from_byte(1);
  base::Endpoint v6{*base::IpAddress::parse("fd00::1"), 4242};
  Statement s = make_alive(a, 77, {test_endpoint(1), v6}, a_certificate(a));
  EXPECT_TRUE(verify_statement(s));
  std::vector<uint8_t> bytes = encode(s);
  Statement back;
  ASSERT_EQ(decode(bytes, &back), DecodeError::kOk);
  EXPECT_EQ(back, s);
  EXPECT_TRUE(verify_statement(back));
}

TEST(Statement, AccusationsRoundTrip) {
  trust::Identity a = trust::testing::identity_from_byte(1);
  trust::Identity b = trust::testing::identity_from_byte(2);
  for (StatementKind k : {StatementKind::kSuspect, StatementKind::kDead}) {
    Statement s = make_accusation(a, k, b.public_key, 9);
    EXPECT_EQ(statement_len(s), kStatementFixedLen);
    Statement back;
    ASSERT_EQ(decode(encode(s), &back), DecodeError::kOk);
    EXPECT_EQ(back, s);
    EXPECT_TRUE(verify_statement(back)) << statement_kind_name(k);
  }
  Statement leave = make_accusation(b, StatementKind::kLeave, b.public_key, 3);
  Statement back;
  ASSERT_EQ(decode(encode(leave), &back), DecodeError::kOk);
  EXPECT_TRUE(verify_statement(back));
}

TEST(Statement, AnyChangedByteBreaksTheSignature) {
  trust::Identity a = trust::testing::identity_from_byte(1);
  Statement s = make_alive(a, 5, {test_endpoint(1)}, {});
  std::vector<uint8_t> bytes = encode(s);
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::vector<uint8_t> bad = bytes;
    bad[i] ^= 0x01;
    Statement back;
    if (decode(bad, &back) != DecodeError::kOk) continue;
    EXPECT_FALSE(verify_statement(back)) << "byte " << i;
  }
}

TEST(Statement, TruncationAtEveryByteIsRejected) {
  trust::Identity a = trust::testing::identity_from_byte(1);
  Statement s = make_alive(a, 5, {test_endpoint(1)}, a_certificate(a));
  std::vector<uint8_t> bytes = encode(s);
  for (size_t n = 0; n < bytes.size(); ++n) {
    Statement back;
    EXPECT_NE(decode(base::Bytes(bytes.data(), n), &back), DecodeError::kOk) << n;
  }
}

TEST(Statement, RejectPaths) {
  trust::Identity a = trust::testing::identity_from_byte(1);
  trust::Identity b = trust::testing::identity_from_byte(2);
  Statement back;

  std::vector<uint8_t> bytes = encode(make_alive(a, 5, {test_endpoint(1)}, {}));
  std::vector<uint8_t> bad = bytes;
  bad[0] = 0;
  EXPECT_EQ(decode(bad, &back), DecodeError::kBadKind);
  bad[0] = 5;
  EXPECT_EQ(decode(bad, &back), DecodeError::kBadKind);

  // An alive or leave claim about someone else.
  Statement forged = make_alive(a, 5, {}, {});
  forged.subject = b.public_key;
  EXPECT_EQ(decode(encode(forged), &back), DecodeError::kBadAuthor);
  Statement leave = make_accusation(a, StatementKind::kLeave, b.public_key, 1);
  EXPECT_EQ(decode(encode(leave), &back), DecodeError::kBadAuthor);

  // Endpoint count above 4, a bad family, port 0.
  const size_t count_at = 1 + 32 + 32 + 8;
  bad = bytes;
  bad[count_at] = 5;
  EXPECT_EQ(decode(bad, &back), DecodeError::kBadCount);
  bad = bytes;
  bad[count_at + 1] = 5;
  EXPECT_EQ(decode(bad, &back), DecodeError::kBadEndpoint);
  bad = bytes;
  bad[count_at + 1 + 1 + 4] = 0;
  bad[count_at + 1 + 1 + 4 + 1] = 0;
  EXPECT_EQ(decode(bad, &back), DecodeError::kBadEndpoint);

  // Certificate bytes that do not decode, and a length above the maximum.
  Statement junk_cert = make_alive(a, 5, {}, std::vector<uint8_t>(40, 0xAB));
  EXPECT_EQ(decode(encode(junk_cert), &back), DecodeError::kBadCertificate);
  bad = bytes;
  const size_t cert_len_at = count_at + 1 + 7;
  bad[cert_len_at] = 0xFF;
  bad[cert_len_at + 1] = 0x7F;
  EXPECT_EQ(decode(bad, &back), DecodeError::kBadCertificate);

  // Trailing bytes.
  bad = bytes;
  bad.push_back(0);
  EXPECT_EQ(decode(bad, &back), DecodeError::kTrailing);
}

TEST(Statement, GossipItemHint) {
  trust::Identity a = trust::testing::identity_from_byte(1);
  GossipItem g{make_alive(a, 5, {}, {}), test_endpoint(9)};
  std::vector<uint8_t> buf(gossip_item_len(g));
  base::Writer w(buf);
  encode_gossip_item(w, g);
  base::Reader r(buf);
  GossipItem back;
  ASSERT_EQ(decode_gossip_item(r, &back), DecodeError::kOk);
  EXPECT_TRUE(r.at_end());
  EXPECT_EQ(back, g);
  buf[statement_len(g.statement)] = 2;  // hint flag must be 0 or 1
  base::Reader r2(buf);
  EXPECT_EQ(decode_gossip_item(r2, &back), DecodeError::kBadReserved);
}

TEST(Statement, CandidateKindsRideInTheEndpointFamilyByte) {
  trust::Identity a = trust::testing::identity_from_byte(1);
  base::Endpoint v6{*base::IpAddress::parse("fd00::1"), 4242};
  Statement s = make_alive(a, 77, {test_endpoint(1), v6, test_endpoint(3)}, {},
                           {CandidateKind::kMapped, CandidateKind::kHost});
  ASSERT_EQ(s.kinds.size(), 3u) << "a missing kind is unknown";
  EXPECT_EQ(s.kinds[2], CandidateKind::kUnknown);
  std::vector<uint8_t> bytes = encode(s);
  // kind u8 | author | subject | incarnation | count, then the first endpoint's kind_family.
  size_t first = 1 + 32 + 32 + 8 + 1;
  EXPECT_EQ(bytes[first], 0x34) << "mapped (3) << 4 | IPv4";
  EXPECT_EQ(bytes[first + 7], 0x16) << "host (1) << 4 | IPv6";
  EXPECT_EQ(bytes[first + 7 + 19], 0x04) << "unknown: the plain family byte";
  Statement back;
  ASSERT_EQ(decode(bytes, &back), DecodeError::kOk);
  EXPECT_EQ(back.kinds, s.kinds);
  EXPECT_TRUE(verify_statement(back));
  // The kind is signed: another kind is another statement.
  bytes[first] = 0x24;
  ASSERT_EQ(decode(bytes, &back), DecodeError::kOk);
  EXPECT_EQ(back.kinds[0], CandidateKind::kReflexive);
  EXPECT_FALSE(verify_statement(back));
  // No kind above mapped.
  bytes[first] = 0x44;
  EXPECT_EQ(decode(bytes, &back), DecodeError::kBadEndpoint);
}

TEST(Statement, AHintCarriesNoKind) {
  trust::Identity a = trust::testing::identity_from_byte(1);
  GossipItem g{make_alive(a, 1, {}, {}), test_endpoint(2)};
  std::vector<uint8_t> buf(gossip_item_len(g));
  base::Writer w(buf);
  encode_gossip_item(w, g);
  ASSERT_EQ(buf[buf.size() - 7], 0x04);
  buf[buf.size() - 7] = 0x14;
  base::Reader r(buf);
  GossipItem back;
  EXPECT_EQ(decode_gossip_item(r, &back), DecodeError::kBadEndpoint);
}

TEST(CandidateKind, Names) {
  EXPECT_STREQ(candidate_kind_name(CandidateKind::kUnknown), "unknown");
  EXPECT_STREQ(candidate_kind_name(CandidateKind::kHost), "host");
  EXPECT_STREQ(candidate_kind_name(CandidateKind::kReflexive), "reflexive");
  EXPECT_STREQ(candidate_kind_name(CandidateKind::kMapped), "mapped");
}

}  // namespace
}  // namespace mw::swim
