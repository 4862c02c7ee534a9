// SPDX-License-Identifier: Apache-2.0
// Joining: the seed join with retry and backoff, the seed's answer (its claim and a sync of
// known members), the joiner learning members, spreading a new member's claim by gossip, and
// anti-entropy sync over a table larger than one datagram.
#include <gtest/gtest.h>

#include "discovery/membership.h"
#include "discovery/testing/membership_fixture.h"

namespace mw::swim {
namespace {

using base::Duration;
using testing::MembershipTest;
using testing::TestPeer;

class JoinTest : public MembershipTest {};

TEST_F(JoinTest, SeedJoinIsRetriedWithBackoffUntilAMemberIsAlive) {
  base::Endpoint seed = b_.endpoint();
  m().add_seed(seed, now_);
  EXPECT_LE(m().next_deadline(), now_);
  std::vector<base::Instant> sent;
  for (int i = 0; i < 2000 && sent.size() < 4; ++i) {
    tick();
    for (const auto& s : out_.take()) {
      if (s.message.type != MessageType::kJoin) continue;
      EXPECT_EQ(s.to, seed);
      EXPECT_TRUE(check_join_mac(s.bytes));
      EXPECT_TRUE(verify_join_signature(s.bytes, self_id()));
      EXPECT_EQ(s.message.gossip[0].statement,
                make_alive(self_, kInc, {testing::test_endpoint(1)}, {}));
      sent.push_back(now_);
    }
    advance(Duration::millis(50));
  }
  ASSERT_EQ(sent.size(), 4u);
  EXPECT_EQ(sent[1] - sent[0], Duration::seconds(2));
  EXPECT_EQ(sent[2] - sent[1], Duration::seconds(4));
  EXPECT_EQ(sent[3] - sent[2], Duration::seconds(8));
  // The seed answers with a sync: no more joins.
  Message sync;
  sync.type = MessageType::kSync;
  sync.gossip = testing::items({b_.alive(kInc), c_.alive(kInc)});
  deliver(b_, b_.seal(self_id(), sync));
  EXPECT_EQ(state(b_), MemberState::kAlive);
  EXPECT_EQ(state(c_), MemberState::kAlive);
  out_.take();
  bool joined_again = false;
  for (int i = 0; i < 1000; ++i) {
    advance(Duration::millis(50));
    tick();
    for (const auto& s : out_.take()) {
      joined_again |= s.message.type == MessageType::kJoin;
      if (s.message.type != MessageType::kPing) continue;
      TestPeer& p = s.message.target == b_.id() ? b_ : c_;
      deliver(p, p.ack(self_id(), s.message.seq));
    }
  }
  EXPECT_FALSE(joined_again);
}

TEST_F(JoinTest, SeedAnswersJoinWithItsClaimAndMembers) {
  introduce(c_);
  introduce(d_);
  m().take_events();
  out_.take();
  deliver(b_, b_.join(b_.alive(kInc)));
  EXPECT_EQ(state(b_), MemberState::kAlive);
  EXPECT_EQ(m().take_events(), (std::vector<Event>{{EventKind::kJoined, b_.id()}}));
  auto syncs = out_.of_type(MessageType::kSync, b_.endpoint());
  ASSERT_EQ(syncs.size(), 1u);
  const auto& g = syncs[0].message.gossip;
  ASSERT_GE(g.size(), 3u);
  EXPECT_EQ(g[0].statement.subject, self_id());
  std::set<PublicKey> subjects;
  for (const GossipItem& item : g) subjects.insert(item.statement.subject);
  EXPECT_TRUE(subjects.count(c_.id()));
  EXPECT_TRUE(subjects.count(d_.id()));
  // The joiner's claim spreads by gossip.
  out_.take();
  advance(Duration::millis(200));
  tick();
  bool spread = false;
  for (const auto& s : out_.sent()) {
    for (const GossipItem& item : s.message.gossip) spread |= item.statement == b_.alive(kInc);
  }
  EXPECT_TRUE(spread);
  // A replayed join is dropped.
  uint64_t replayed = drops(DropReason::kReplayed);
  std::vector<uint8_t> j = b_.join(b_.alive(kInc));
  deliver(b_, j);
  deliver(b_, j);
  EXPECT_EQ(drops(DropReason::kReplayed), replayed + 1);
}

TEST_F(JoinTest, MemberLearnedByGossipIsPingedBeforeItCounts) {
  introduce(c_);
  m().take_events();
  out_.take();
  deliver(c_, c_.gossip(self_id(), {b_.alive(kInc)}));
  const MemberView* v = m().find(b_.id());
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->state, MemberState::kAlive);
  EXPECT_TRUE(m().take_events().empty());  // not reachable yet
  auto pings = out_.of_type(MessageType::kPing, b_.endpoint());
  ASSERT_EQ(pings.size(), 1u);
  // Our own claim rides along so that B can admit us.
  EXPECT_EQ(pings[0].message.gossip[0].statement.subject, self_id());
  deliver(b_, b_.ack(self_id(), pings[0].message.seq));
  EXPECT_EQ(m().take_events(), (std::vector<Event>{{EventKind::kJoined, b_.id()}}));
  EXPECT_EQ(m().find(b_.id())->endpoint, b_.endpoint());
}

TEST_F(JoinTest, RelayHintIsOnlyAPlaceToPing) {
  introduce(c_);
  out_.take();
  base::Endpoint hint = testing::test_endpoint(99);
  Message g;
  g.type = MessageType::kGossip;
  g.gossip.push_back(GossipItem{make_alive(b_.identity(), kInc, {}, {}), hint});
  deliver(c_, c_.seal(self_id(), g));
  EXPECT_EQ(m().find(b_.id())->endpoint, hint);
  EXPECT_EQ(out_.of_type(MessageType::kPing, hint).size(), 1u);
  // The authenticated source replaces it.
  deliver(b_, b_.gossip(self_id(), {}));
  EXPECT_EQ(m().find(b_.id())->endpoint, b_.endpoint());
}

// A join into a table of many datagrams' worth: each authenticated sync from the joiner brings
// the next chunk until the whole table went out; the last chunk asks for no reply, and the
// joiner's syncs after it get no more chunks.
TEST_F(JoinTest, JoinAnswerCoversTheWholeTableThenStops) {
  std::vector<TestPeer> peers;
  trust::TrustStore open(self_id());
  open.set_open(true);
  make(Config{}, open);
  for (uint8_t n = 10; n < 70; ++n) peers.emplace_back(n);
  for (TestPeer& p : peers) introduce(p);
  out_.take();
  TestPeer joiner(90);
  deliver(joiner, joiner.join(joiner.alive(kInc)));
  std::set<PublicKey> seen;
  int chunks = 0;
  bool last_wanted_reply = true;
  for (int round = 0; round < 40 && last_wanted_reply; ++round) {
    auto syncs = out_.of_type(MessageType::kSync, joiner.endpoint());
    ASSERT_EQ(syncs.size(), 1u) << "round " << round;
    ++chunks;
    for (const GossipItem& g : syncs[0].message.gossip) seen.insert(g.statement.subject);
    last_wanted_reply = syncs[0].message.sync_flags & kSyncReplyWanted;
    out_.take();
    deliver(joiner,
            joiner.seal(self_id(), Message{MessageType::kSync, {}, 0, 0, {}, {}, 0, {}, {}}));
  }
  EXPECT_FALSE(last_wanted_reply);
  EXPECT_GT(chunks, 2);                      // 61 claims do not fit in two datagrams
  EXPECT_EQ(seen.size(), peers.size() + 2);  // every member, ourselves and the joiner
  // Done: the joiner's next sync (no reply wanted) is not answered with another chunk.
  EXPECT_TRUE(out_.of_type(MessageType::kSync, joiner.endpoint()).empty());
}

TEST_F(JoinTest, AntiEntropySyncCoversALargeTableInChunks) {
  // 40 members: more than one datagram's worth of claims.
  std::vector<TestPeer> peers;
  trust::TrustStore open(self_id());
  open.set_open(true);
  make(Config{}, open);
  for (uint8_t n = 10; n < 50; ++n) peers.emplace_back(n);
  for (TestPeer& p : peers) introduce(p);
  std::set<PublicKey> seen;
  for (int round = 0; round < 10; ++round) {
    out_.take();
    deliver(peers[0],
            peers[0].seal(self_id(),
                          Message{MessageType::kSync, {}, 0, 0, {}, {}, kSyncReplyWanted, {}, {}}));
    auto replies = out_.of_type(MessageType::kSync, peers[0].endpoint());
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(replies[0].message.sync_flags, 0);
    EXPECT_LE(replies[0].bytes.size(), kMaxDatagramLen);
    for (const GossipItem& g : replies[0].message.gossip) seen.insert(g.statement.subject);
  }
  EXPECT_EQ(seen.size(), peers.size() + 1);  // every member and ourselves
}

}  // namespace
}  // namespace mw::swim
