// SPDX-License-Identifier: Apache-2.0
// Coordinated hole punching: introductions (as requester, introducer and introduced), paced
// punch rounds toward a member's signed candidates, and their limits.
#include <gtest/gtest.h>

#include "discovery/membership.h"
#include "discovery/testing/membership_fixture.h"

namespace mw::swim {
namespace {

using base::Duration;
using testing::MembershipTest;
using testing::TestPeer;

class PunchTest : public MembershipTest {
 protected:
  // c_ is known only from b_'s gossip: we have never heard from it.
  void learn_c_second_hand() {
    introduce(b_);
    deliver(b_, b_.gossip(self_id(), {c_.alive(kInc)}));
    ASSERT_NE(m().find(c_.id()), nullptr);
    EXPECT_FALSE(m().find(c_.id())->direct);
    EXPECT_TRUE(m().find(b_.id())->direct);
    out_.take();
  }
};

TEST_F(PunchTest, IntroducerTellsBothSides) {
  introduce(b_);
  introduce(c_);
  out_.take();
  Message req;
  req.type = MessageType::kIntroReq;
  req.target = c_.id();
  deliver(b_, b_.seal(self_id(), req));
  auto to_c = out_.of_type(MessageType::kIntro, c_.endpoint());
  auto to_b = out_.of_type(MessageType::kIntro, b_.endpoint());
  ASSERT_EQ(to_c.size(), 1u);
  ASSERT_EQ(to_b.size(), 1u);
  EXPECT_EQ(to_c[0].message.target, b_.id());
  EXPECT_EQ(to_b[0].message.target, c_.id());
  EXPECT_EQ(m().stats().introductions_made, 1u);
}

TEST_F(PunchTest, NoIntroductionToAMemberWeDoNotReachOrToOneself) {
  learn_c_second_hand();
  Message req;
  req.type = MessageType::kIntroReq;
  req.target = c_.id();  // known, but never heard from
  deliver(b_, b_.seal(self_id(), req));
  req.target = b_.id();  // itself
  deliver(b_, b_.seal(self_id(), req));
  req.target = TestPeer(9).id();  // unknown
  deliver(b_, b_.seal(self_id(), req));
  EXPECT_TRUE(out_.of_type(MessageType::kIntro).empty());
  EXPECT_EQ(drops(DropReason::kUnknownSubject), 3u);
  EXPECT_EQ(m().stats().introductions_made, 0u);
}

TEST_F(PunchTest, IntroductionsAreRateLimited) {
  introduce(b_);
  introduce(c_);
  Message req;
  req.type = MessageType::kIntroReq;
  req.target = c_.id();
  for (int i = 0; i < 100; ++i) deliver(b_, b_.seal(self_id(), req));
  EXPECT_EQ(m().stats().introductions_made, uint64_t(config_.intro_burst));
  EXPECT_EQ(drops(DropReason::kOverBudget), uint64_t(100 - config_.intro_burst));
  advance(Duration::seconds(1));
  deliver(b_, b_.seal(self_id(), req));
  EXPECT_EQ(m().stats().introductions_made, uint64_t(config_.intro_burst) + 1);
}

TEST_F(PunchTest, IntroducedPeerIsPingedInPacedRoundsUntilItAnswers) {
  learn_c_second_hand();
  Message intro;
  intro.type = MessageType::kIntro;
  intro.target = c_.id();
  deliver(b_, b_.seal(self_id(), intro));
  EXPECT_EQ(m().stats().punches_started, 1u);
  EXPECT_EQ(m().punches_active(), 1u);
  // The first round at once, to the endpoint of c's signed claim.
  auto pings = out_.of_type(MessageType::kPing, c_.endpoint());
  ASSERT_EQ(pings.size(), 1u);
  EXPECT_EQ(pings[0].message.target, c_.id());
  out_.take();
  // A second introduction while punching starts nothing new.
  deliver(b_, b_.seal(self_id(), intro));
  EXPECT_EQ(m().stats().punches_started, 1u);
  advance(Duration::millis(200));
  tick();
  EXPECT_EQ(out_.of_type(MessageType::kPing, c_.endpoint()).size(), 1u);
  // c's own ping gets through (our rounds opened our NAT): direct, the session ends.
  advance(Duration::millis(50));
  deliver(c_, c_.ping(self_id(), 5));
  {
    const MemberView* v = m().find(c_.id());
    ASSERT_NE(v, nullptr);
    EXPECT_TRUE(v->endpoint);
    EXPECT_EQ(v->state, MemberState::kAlive);
  }
  advance(Duration::millis(150));
  out_.take();
  tick();
  EXPECT_EQ(m().punches_active(), 0u);
  EXPECT_EQ(m().stats().punches_succeeded, 1u);
  EXPECT_EQ(m().stats().punch_time_total, Duration::millis(250));
  EXPECT_TRUE(m().find(c_.id())->direct);
  EXPECT_EQ(m().find(c_.id())->punched, c_.endpoint()) << "where the punch first heard it";
}

TEST_F(PunchTest, PunchGivesUpAfterItsRounds) {
  learn_c_second_hand();
  Message intro;
  intro.type = MessageType::kIntro;
  intro.target = c_.id();
  deliver(b_, b_.seal(self_id(), intro));
  size_t pings = out_.of_type(MessageType::kPing, c_.endpoint()).size();
  for (int i = 0; i < 30; ++i) {
    out_.take();
    advance(Duration::millis(200));
    tick();
    for (const auto& s : out_.of_type(MessageType::kPing, c_.endpoint()))
      pings += s.message.target == c_.id();
  }
  EXPECT_EQ(m().punches_active(), 0u);
  EXPECT_EQ(m().stats().punches_succeeded, 0u);
  // punch_rounds pings, and whatever the regular probe sent on top.
  EXPECT_GE(pings, size_t(config_.punch_rounds));
  EXPECT_LE(pings, size_t(config_.punch_rounds) + 8);
}

TEST_F(PunchTest, IntroductionForAStrangerOrForOurselvesIsDropped) {
  introduce(b_);
  out_.take();
  Message intro;
  intro.type = MessageType::kIntro;
  intro.target = TestPeer(9).id();
  deliver(b_, b_.seal(self_id(), intro));
  intro.target = self_id();
  deliver(b_, b_.seal(self_id(), intro));
  EXPECT_EQ(m().stats().punches_started, 0u);
  EXPECT_TRUE(out_.of_type(MessageType::kPing).empty());
}

TEST_F(PunchTest, UnreachedMemberIsIntroducedThroughOneWeReachWithBackoff) {
  learn_c_second_hand();
  std::vector<base::Instant> asked;
  base::Instant start = now_;
  for (int i = 0; i < 400; ++i) {  // 20 s in 50 ms steps
    tick();
    for (const auto& s : out_.of_type(MessageType::kPing, b_.endpoint()))
      deliver(b_, b_.ack(self_id(), s.message.seq));
    for (const auto& s : out_.of_type(MessageType::kIntroReq)) {
      EXPECT_EQ(s.to, b_.endpoint());
      EXPECT_EQ(s.message.target, c_.id());
      asked.push_back(now_);
    }
    out_.take();
    // b_ answers every probe, so it stays alive; c_ never answers.
    advance(Duration::millis(50));
  }
  ASSERT_GE(asked.size(), 3u);
  // After the grace of the plain probe, then 3 s, then 6 s apart.
  EXPECT_LE(asked[0] - start, Duration::seconds(2));
  EXPECT_GE(asked[1] - asked[0], Duration::seconds(3));
  EXPECT_GE(asked[2] - asked[1], Duration::seconds(6));
  EXPECT_EQ(m().stats().intro_requests_sent, asked.size());
}

TEST_F(PunchTest, AntiEntropyComesOftenWhileSomeMemberIsIndirect) {
  learn_c_second_hand();
  int syncs = 0;
  for (int i = 0; i < 400; ++i) {  // 20 s in 50 ms steps; b_ answers, c_ never does
    tick();
    for (const auto& s : out_.of_type(MessageType::kPing, b_.endpoint()))
      deliver(b_, b_.ack(self_id(), s.message.seq));
    for (const auto& s : out_.of_type(MessageType::kSync)) syncs += s.to == b_.endpoint();
    out_.take();
    advance(Duration::millis(50));
  }
  // Every sync_interval_partial (5 s), not every sync_interval (30 s); always to b_, whom we
  // reach.
  EXPECT_GE(syncs, 3);
  EXPECT_LE(syncs, 5);
}

TEST_F(PunchTest, AntiEntropyKeepsItsPaceWhenEveryMemberIsDirect) {
  introduce(b_);
  int syncs = 0;
  for (int i = 0; i < 400; ++i) {
    tick();
    for (const auto& s : out_.of_type(MessageType::kPing, b_.endpoint()))
      deliver(b_, b_.ack(self_id(), s.message.seq));
    syncs += int(out_.of_type(MessageType::kSync).size());
    out_.take();
    advance(Duration::millis(50));
  }
  EXPECT_LE(syncs, 1);
}

}  // namespace
}  // namespace mw::swim
