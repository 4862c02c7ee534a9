// SPDX-License-Identifier: Apache-2.0
// Tests for mesh datagrams: every type round trips, the mac and the join signature, and the
// strict decoder's reject paths (truncation at each byte, magic, version, type, counts, size).
#include "discovery/messages.h"

#include <gtest/gtest.h>

#include "discovery/membership.h"
#include "discovery/testing/test_peer.h"
#include "trust/testing/identities.h"

namespace mw::swim {
namespace {

using testing::test_endpoint;

Message sample(MessageType t) {
  trust::Identity a = trust::testing::identity_from_byte(1);
  trust::Identity b = trust::testing::identity_from_byte(2);
  Message m;
  m.type = t;
  m.sender = a.public_key;
  m.counter = 0x0102030405060708;
  if (t == MessageType::kPing || t == MessageType::kAck || t == MessageType::kPingReq ||
      t == MessageType::kNack) {
    m.seq = 0xA1B2C3D4;
  }
  if (t == MessageType::kPing || t == MessageType::kPingReq || t == MessageType::kIntroReq ||
      t == MessageType::kIntro)
    m.target = b.public_key;
  if (t == MessageType::kPingReq) m.target_endpoint = test_endpoint(2);
  if (t == MessageType::kAck) m.observed = test_endpoint(3);
  if (t == MessageType::kSync) m.sync_flags = kSyncReplyWanted;
  m.gossip.push_back(GossipItem{make_alive(a, 3, {test_endpoint(1)}, {}), std::nullopt});
  m.gossip.push_back(
      GossipItem{make_accusation(a, StatementKind::kSuspect, b.public_key, 2), test_endpoint(2)});
  return m;
}

const MessageType kAllTypes[] = {
    MessageType::kPing,   MessageType::kAck,      MessageType::kPingReq,
    MessageType::kNack,   MessageType::kSync,     MessageType::kJoin,
    MessageType::kGossip, MessageType::kIntroReq, MessageType::kIntro};

TEST(Messages, EveryTypeRoundTrips) {
  for (MessageType t : kAllTypes) {
    Message m = sample(t);
    std::vector<uint8_t> d = encode_message(m);
    EXPECT_EQ(d.size(), message_len(m));
    EXPECT_EQ(d[0], kMeshMagic);
    EXPECT_TRUE(Membership::is_mesh_datagram(d));
    Message back;
    ASSERT_EQ(decode_message(d, &back), DecodeError::kOk) << message_type_name(t);
    EXPECT_EQ(back, m) << message_type_name(t);
    Header h;
    ASSERT_EQ(decode_header(d, &h), DecodeError::kOk);
    EXPECT_EQ(h.type, t);
    EXPECT_EQ(h.sender, m.sender);
    EXPECT_EQ(h.counter, m.counter);
  }
}

TEST(Messages, NeverWireGuardNorStun) {
  // WireGuard's first byte is 1..4 and STUN's top two bits are 00.
  EXPECT_GT(kMeshMagic, 4);
  EXPECT_NE(kMeshMagic & 0xC0, 0);
  EXPECT_FALSE(Membership::is_mesh_datagram({}));
  const uint8_t wg[] = {1, 0, 0, 0};
  EXPECT_FALSE(Membership::is_mesh_datagram(wg));
}

TEST(Messages, TruncationAtEveryByteIsRejected) {
  for (MessageType t : kAllTypes) {
    std::vector<uint8_t> d = encode_message(sample(t));
    for (size_t n = 0; n < d.size(); ++n) {
      Message back;
      EXPECT_NE(decode_message(base::Bytes(d.data(), n), &back), DecodeError::kOk)
          << message_type_name(t) << " cut at " << n;
    }
  }
}

TEST(Messages, HeaderRejects) {
  std::vector<uint8_t> d = encode_message(sample(MessageType::kPing));
  Message back;
  auto with = [&](size_t at, uint8_t v) {
    std::vector<uint8_t> b = d;
    b[at] = v;
    return decode_message(b, &back);
  };
  EXPECT_EQ(with(0, 0x01), DecodeError::kBadMagic);
  EXPECT_EQ(with(1, 2), DecodeError::kBadVersion);
  EXPECT_EQ(with(1, 0), DecodeError::kBadVersion);
  EXPECT_EQ(with(2, 0), DecodeError::kBadType);
  EXPECT_EQ(with(2, 10), DecodeError::kBadType);
  EXPECT_EQ(with(3, 1), DecodeError::kBadReserved);
  std::vector<uint8_t> longer = d;
  longer.insert(longer.end() - kDatagramMacLen, 0);
  EXPECT_EQ(decode_message(longer, &back), DecodeError::kTrailing);
  std::vector<uint8_t> huge(kMaxDatagramLen + 1, 0);
  huge[0] = kMeshMagic;
  EXPECT_EQ(decode_message(huge, &back), DecodeError::kOversize);
}

TEST(Messages, BodyRejects) {
  Message back;
  // Gossip count above the bound.
  Message m = sample(MessageType::kGossip);
  std::vector<uint8_t> d = encode_message(m);
  d[kHeaderLen] = kMaxGossipItems + 1;
  EXPECT_EQ(decode_message(d, &back), DecodeError::kBadCount);
  // Unknown sync flag bits.
  d = encode_message(sample(MessageType::kSync));
  d[kHeaderLen] = 0x02;
  EXPECT_EQ(decode_message(d, &back), DecodeError::kBadReserved);
  // ping_req target endpoint with a bad family.
  d = encode_message(sample(MessageType::kPingReq));
  d[kHeaderLen + 4 + 32] = 7;
  EXPECT_EQ(decode_message(d, &back), DecodeError::kBadEndpoint);
  // A join must start with the sender's own alive claim.
  Message join = sample(MessageType::kJoin);
  std::swap(join.gossip[0], join.gossip[1]);
  EXPECT_EQ(decode_message(encode_message(join), &back), DecodeError::kBadJoin);
  join.gossip.clear();
  EXPECT_EQ(decode_message(encode_message(join), &back), DecodeError::kBadJoin);
}

TEST(Messages, MacNeedsThePairKey) {
  trust::Identity a = trust::testing::identity_from_byte(1);
  trust::Identity b = trust::testing::identity_from_byte(2);
  trust::Identity c = trust::testing::identity_from_byte(3);
  auto ab = derive_pair_key(trust::wireguard_private_key(a), a.public_key, b.public_key);
  auto ba = derive_pair_key(trust::wireguard_private_key(b), b.public_key, a.public_key);
  auto ac = derive_pair_key(trust::wireguard_private_key(a), a.public_key, c.public_key);
  ASSERT_TRUE(ab && ba && ac);
  EXPECT_EQ(std::vector<uint8_t>(ab->data(), ab->data() + 32),
            std::vector<uint8_t>(ba->data(), ba->data() + 32));
  std::vector<uint8_t> d = encode_message(sample(MessageType::kAck));
  seal_mac(d, *ab);
  EXPECT_TRUE(check_mac(d, *ba));
  EXPECT_FALSE(check_mac(d, *ac));
  d[10] ^= 1;
  EXPECT_FALSE(check_mac(d, *ba));
  EXPECT_FALSE(derive_pair_key(trust::wireguard_private_key(a), a.public_key, PublicKey{}));
}

TEST(Messages, JoinIsSignedBySender) {
  trust::Identity a = trust::testing::identity_from_byte(1);
  trust::Identity b = trust::testing::identity_from_byte(2);
  std::vector<uint8_t> d = encode_message(sample(MessageType::kJoin));
  sign_join(d, a);
  seal_join(d);
  EXPECT_TRUE(check_join_mac(d));
  EXPECT_TRUE(verify_join_signature(d, a.public_key));
  EXPECT_FALSE(verify_join_signature(d, b.public_key));
  std::vector<uint8_t> bad = d;
  bad[kHeaderLen - 1] ^= 1;  // the counter
  EXPECT_FALSE(verify_join_signature(bad, a.public_key));
  EXPECT_FALSE(check_join_mac(bad));
}

}  // namespace
}  // namespace mw::swim
