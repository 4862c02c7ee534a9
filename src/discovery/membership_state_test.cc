// SPDX-License-Identifier: Apache-2.0
// Precedence scenarios after memberlist state_test.go: refutation, idempotent alive, double and
// old suspicions, the dogpile of confirmations, alive replay against dead, leave, retention.
#include <gtest/gtest.h>

#include "discovery/membership.h"
#include "discovery/testing/membership_fixture.h"

namespace mw::swim {
namespace {

using base::Duration;
using testing::MembershipTest;
using testing::TestPeer;

class StateTest : public MembershipTest {
 protected:
  void SetUp() override {
    introduce(b_);
    introduce(c_);
    introduce(d_);
    m().take_events();
  }
  bool queued_self_alive(uint64_t inc) {
    // The refutation goes out on the next gossip datagram.
    out_.take();
    advance(Duration::millis(200));
    tick();
    for (const auto& s : out_.sent()) {
      for (const GossipItem& g : s.message.gossip) {
        if (g.statement.kind == StatementKind::kAlive && g.statement.subject == self_id() &&
            g.statement.incarnation == inc && verify_statement(g.statement)) {
          return true;
        }
      }
    }
    return false;
  }
};

TEST_F(StateTest, AliveNode_Refute) {
  deliver(c_, c_.gossip(self_id(), {c_.accuse(StatementKind::kSuspect, self_id(), kInc)}));
  EXPECT_EQ(m().incarnation(), kInc + 1);
  EXPECT_EQ(m().stats().refutations, 1u);
  EXPECT_EQ(m().awareness_score(), 1);
  EXPECT_TRUE(queued_self_alive(kInc + 1));
  // An accusation at an older incarnation is stale.
  deliver(d_, d_.gossip(self_id(), {d_.accuse(StatementKind::kDead, self_id(), kInc)}));
  EXPECT_EQ(m().incarnation(), kInc + 1);
  EXPECT_EQ(m().stats().refutations, 1u);
}

TEST_F(StateTest, NewCandidatesAreANewSignedClaim) {
  std::vector<base::Endpoint> candidates = {*base::Endpoint::parse("10.99.1.1:51821"),
                                            *base::Endpoint::parse("192.168.1.5:51821")};
  uint64_t before = m().incarnation();
  EXPECT_TRUE(m().set_announced(candidates));
  EXPECT_EQ(m().incarnation(), before + 1);
  EXPECT_EQ(m().announced(), candidates);
  EXPECT_TRUE(queued_self_alive(before + 1));
  // The same again changes nothing and sends nothing.
  EXPECT_FALSE(m().set_announced(candidates));
  EXPECT_EQ(m().incarnation(), before + 1);
  // Gossiped claims carry the candidates, signed.
  out_.take();
  advance(Duration::seconds(40));
  tick();
  bool seen = false;
  for (const auto& sent : out_.sent())
    for (const GossipItem& g : sent.message.gossip)
      if (g.statement.kind == StatementKind::kAlive && g.statement.subject == self_id() &&
          g.statement.incarnation == before + 1)
        seen |= g.statement.endpoints == candidates && verify_statement(g.statement);
  EXPECT_TRUE(seen);
  // At most four are kept.
  std::vector<base::Endpoint> many;
  for (int i = 1; i <= 6; ++i)
    many.push_back(*base::Endpoint::parse("10.99.1." + std::to_string(i) + ":51821"));
  EXPECT_TRUE(m().set_announced(many));
  EXPECT_EQ(m().announced().size(), 4u);
}

TEST_F(StateTest, ANewKindOfTheSameEndpointsIsANewClaim) {
  std::vector<base::Endpoint> candidates = {*base::Endpoint::parse("10.99.1.1:51821")};
  ASSERT_TRUE(m().set_announced(candidates, {CandidateKind::kReflexive}));
  uint64_t before = m().incarnation();
  EXPECT_FALSE(m().set_announced(candidates, {CandidateKind::kReflexive}));
  // The gateway's mapping turns out to be the same address: now said to be mapped.
  EXPECT_TRUE(m().set_announced(candidates, {CandidateKind::kMapped}));
  EXPECT_EQ(m().incarnation(), before + 1);
  EXPECT_TRUE(queued_self_alive(before + 1));
}

TEST_F(StateTest, AMembersKindsComeFromItsClaim) {
  Statement claim =
      make_alive(b_.identity(), kInc + 5, {b_.endpoint()}, {}, {CandidateKind::kHost});
  deliver(c_, c_.gossip(self_id(), {claim}));
  const MemberView* v = m().find(b_.id());
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->announced, std::vector<base::Endpoint>{b_.endpoint()});
  EXPECT_EQ(v->announced_kinds, std::vector<CandidateKind>{CandidateKind::kHost});
}

// A claim we hold already is no drop: syncs and retransmissions repeat every claim by design
// (on an idle, healthy pair they made `stale` drops grow for no fault). Older ones are stale.
TEST_F(StateTest, AliveNode_Idempotent) {
  uint64_t stale = drops(DropReason::kStale);
  size_t queued = m().queued_broadcasts();
  deliver(c_, c_.gossip(self_id(), {b_.alive(kInc)}));
  EXPECT_EQ(drops(DropReason::kStale), stale);
  EXPECT_EQ(m().stats().statements_known, 1u);
  TestPeer self_as_peer(1);  // the node under test's identity, to make its own claim
  deliver(c_, c_.gossip(self_id(), {self_as_peer.alive(m().incarnation())}));  // gossiped back
  EXPECT_EQ(drops(DropReason::kStale), stale);
  EXPECT_EQ(m().stats().statements_known, 2u);
  deliver(c_, c_.gossip(self_id(), {b_.alive(kInc - 1)}));
  EXPECT_EQ(drops(DropReason::kStale), stale + 1) << "older than what we hold";
  EXPECT_EQ(m().queued_broadcasts(), queued);
  EXPECT_TRUE(m().take_events().empty());
  EXPECT_EQ(state(b_), MemberState::kAlive);
}

TEST_F(StateTest, AliveNode_NewerClaimUpdates) {
  base::Endpoint moved = testing::test_endpoint(50);
  Statement claim = make_alive(b_.identity(), kInc + 5, {moved}, {});
  deliver(c_, c_.gossip(self_id(), {claim}));
  const MemberView* v = m().find(b_.id());
  EXPECT_EQ(v->incarnation, kInc + 5);
  EXPECT_EQ(v->announced, std::vector<base::Endpoint>{moved});
  EXPECT_EQ(v->endpoint, b_.endpoint());  // still the authenticated source
  EXPECT_EQ(m().take_events(), (std::vector<Event>{{EventKind::kUpdated, b_.id()}}));
}

TEST_F(StateTest, SuspectNode_DoubleSuspect) {
  deliver(c_, c_.gossip(self_id(), {c_.accuse(StatementKind::kSuspect, b_.id(), kInc)}));
  ASSERT_EQ(state(b_), MemberState::kSuspect);
  EXPECT_EQ(m().suspicion_confirmations(b_.id()), 0);
  // The same accuser again: nothing.
  deliver(c_, c_.gossip(self_id(), {c_.accuse(StatementKind::kSuspect, b_.id(), kInc)}));
  EXPECT_EQ(m().suspicion_confirmations(b_.id()), 0);
  // A different accuser confirms.
  deliver(d_, d_.gossip(self_id(), {d_.accuse(StatementKind::kSuspect, b_.id(), kInc)}));
  EXPECT_EQ(m().suspicion_confirmations(b_.id()), 1);
}

TEST_F(StateTest, SuspectNode_OldSuspect) {
  deliver(b_, b_.gossip(self_id(), {b_.alive(kInc + 10)}));
  deliver(c_, c_.gossip(self_id(), {c_.accuse(StatementKind::kSuspect, b_.id(), kInc + 9)}));
  EXPECT_EQ(state(b_), MemberState::kAlive);
  EXPECT_EQ(m().find(b_.id())->incarnation, kInc + 10);
}

TEST_F(StateTest, SuspectNode_Refute) {
  deliver(c_, c_.gossip(self_id(), {c_.accuse(StatementKind::kSuspect, b_.id(), kInc)}));
  ASSERT_EQ(state(b_), MemberState::kSuspect);
  // alive at the same incarnation does not beat suspect; one above does.
  deliver(d_, d_.gossip(self_id(), {b_.alive(kInc)}));
  EXPECT_EQ(state(b_), MemberState::kSuspect);
  deliver(b_, b_.gossip(self_id(), {b_.alive(kInc + 1)}));
  EXPECT_EQ(state(b_), MemberState::kAlive);
  EXPECT_EQ(m().suspicion_confirmations(b_.id()), -1);
}

TEST_F(StateTest, Suspect_Dogpile) {
  // memberlist's LAN suspicion_mult of 4 (ours is 3), so its figures can be checked here:
  // n = 4 (self, B, C, D): k = suspicion_mult - 2 = 2 confirmations expected;
  // min = 4 * max(1, log10(4)) * 1 s = 4 s, max = 6 * min = 24 s.
  Config memberlist_lan;
  memberlist_lan.suspicion_mult = 4;
  make(memberlist_lan);
  introduce(b_);
  introduce(c_);
  introduce(d_);
  m().take_events();
  const base::Instant t0 = now_;
  TestPeer e(5);
  introduce(e);
  m().take_events();
  // With E, n = 5: min stays 4 s.
  deliver(c_, c_.gossip(self_id(), {c_.accuse(StatementKind::kSuspect, b_.id(), kInc)}));
  EXPECT_EQ(m().suspicion_deadline(b_.id()), t0 + Duration::seconds(24));
  advance(Duration::seconds(1));
  deliver(d_, d_.gossip(self_id(), {d_.accuse(StatementKind::kSuspect, b_.id(), kInc)}));
  // 24 - log(2)/log(3) * 20 = 11.381 s from the start.
  EXPECT_EQ(m().suspicion_deadline(b_.id()), t0 + Duration::millis(11381));
  deliver(e, e.gossip(self_id(), {e.accuse(StatementKind::kSuspect, b_.id(), kInc)}));
  EXPECT_EQ(m().suspicion_deadline(b_.id()), t0 + Duration::seconds(4));
  advance(Duration::seconds(3));
  tick();
  EXPECT_EQ(state(b_), MemberState::kDead);
  EXPECT_EQ(m().take_events(), (std::vector<Event>{{EventKind::kFailed, b_.id()}}));
}

TEST_F(StateTest, DeadNode_AliveReplay) {
  deliver(c_, c_.gossip(self_id(), {c_.accuse(StatementKind::kDead, b_.id(), kInc)}));
  ASSERT_EQ(state(b_), MemberState::kDead);
  EXPECT_EQ(m().take_events(), (std::vector<Event>{{EventKind::kFailed, b_.id()}}));
  // B's old claim, replayed by anyone, never revives it.
  deliver(d_, d_.gossip(self_id(), {b_.alive(kInc)}));
  EXPECT_EQ(state(b_), MemberState::kDead);
  // Not even carried on a fresh datagram from B itself.
  deliver(b_, b_.gossip(self_id(), {b_.alive(kInc)}));
  EXPECT_EQ(state(b_), MemberState::kDead);
  EXPECT_TRUE(m().take_events().empty());
  // And a second death changes nothing.
  deliver(d_, d_.gossip(self_id(), {d_.accuse(StatementKind::kDead, b_.id(), kInc)}));
  EXPECT_EQ(m().stats().members_failed, 1u);
}

TEST_F(StateTest, DeadNode_Refute) {
  deliver(c_, c_.gossip(self_id(), {c_.accuse(StatementKind::kDead, b_.id(), kInc)}));
  m().take_events();
  out_.take();
  // B restarted: a larger incarnation brings it back, pinged before it counts as reachable.
  deliver(c_, c_.gossip(self_id(), {b_.alive(kInc + 1000)}));
  EXPECT_EQ(state(b_), MemberState::kAlive);
  EXPECT_TRUE(m().take_events().empty());
  auto pings = out_.of_type(MessageType::kPing, b_.endpoint());
  ASSERT_EQ(pings.size(), 1u);
  deliver(b_, b_.ack(self_id(), pings[0].message.seq));
  EXPECT_EQ(m().take_events(), (std::vector<Event>{{EventKind::kUpdated, b_.id()}}));
}

TEST_F(StateTest, DeadNode_DeadAboutSelfIsRefuted) {
  deliver(c_, c_.gossip(self_id(), {c_.accuse(StatementKind::kDead, self_id(), kInc)}));
  EXPECT_EQ(m().incarnation(), kInc + 1);
  EXPECT_TRUE(queued_self_alive(kInc + 1));
}

TEST_F(StateTest, DeadMemberStillTalkingIsToldOfItsDeath) {
  Statement death = c_.accuse(StatementKind::kDead, b_.id(), kInc);
  deliver(c_, c_.gossip(self_id(), {death}));
  out_.take();
  deliver(b_, b_.ping(self_id(), 5));
  bool told = false;
  for (const auto& s : out_.sent()) {
    if (s.to != b_.endpoint()) continue;
    for (const GossipItem& g : s.message.gossip) told |= g.statement == death;
  }
  EXPECT_TRUE(told);
}

TEST_F(StateTest, LeaveIsFinalForItsIncarnation) {
  deliver(b_, b_.gossip(self_id(), {b_.leave(kInc)}));
  EXPECT_EQ(state(b_), MemberState::kLeft);
  EXPECT_EQ(m().take_events(), (std::vector<Event>{{EventKind::kLeft, b_.id()}}));
  deliver(c_, c_.gossip(self_id(), {b_.alive(kInc)}));
  deliver(c_, c_.gossip(self_id(), {c_.accuse(StatementKind::kDead, b_.id(), kInc)}));
  EXPECT_EQ(state(b_), MemberState::kLeft);
  deliver(c_, c_.gossip(self_id(), {b_.alive(kInc + 1)}));
  EXPECT_EQ(state(b_), MemberState::kAlive);
}

TEST_F(StateTest, OwnLeaveReachesMembersAndGoesQuiet) {
  out_.take();
  m().leave(now_, out_);
  size_t told = 0;
  for (const auto& s : out_.sent()) {
    for (const GossipItem& g : s.message.gossip) {
      if (g.statement.kind == StatementKind::kLeave && g.statement.subject == self_id() &&
          verify_statement(g.statement)) {
        ++told;
      }
    }
  }
  EXPECT_EQ(told, 3u);
  EXPECT_EQ(m().next_deadline(), base::Instant::max());
  out_.take();
  deliver(b_, b_.ping(self_id(), 1));
  tick();
  EXPECT_TRUE(out_.sent().empty());
}

TEST_F(StateTest, DeadMembersAreForgottenAfterRetention) {
  deliver(c_, c_.gossip(self_id(), {c_.accuse(StatementKind::kDead, b_.id(), kInc)}));
  m().take_events();
  std::vector<uint8_t> old = b_.ping(self_id(), 9);
  deliver(b_, old);
  advance(config_.dead_retention);
  tick();
  EXPECT_EQ(m().find(b_.id()), nullptr);
  EXPECT_EQ(m().take_events(), (std::vector<Event>{{EventKind::kRemoved, b_.id()}}));
  // Its old datagrams stay replays (tombstone), even though the window was forgotten.
  uint64_t replayed = drops(DropReason::kReplayed);
  deliver(b_, old);
  EXPECT_EQ(drops(DropReason::kReplayed), replayed + 1);
  // It can come back with a new claim.
  introduce(b_, kInc + 700);
  EXPECT_EQ(state(b_), MemberState::kAlive);
}

// dead(V, 2^64-1) signed by an admitted member must not exclude V forever: an accusation above
// the known incarnation is stale, about us as about others; normal ones still work.
TEST_F(StateTest, AccusationAboveKnownIncarnationIsStale) {
  constexpr uint64_t kMax = UINT64_MAX;
  uint64_t stale = drops(DropReason::kStale);
  deliver(c_, c_.gossip(self_id(), {c_.accuse(StatementKind::kDead, self_id(), kMax)}));
  deliver(c_, c_.gossip(self_id(), {c_.accuse(StatementKind::kSuspect, self_id(), kInc + 1)}));
  EXPECT_EQ(m().incarnation(), kInc);
  EXPECT_EQ(m().stats().refutations, 0u);
  deliver(c_, c_.gossip(self_id(), {c_.accuse(StatementKind::kDead, b_.id(), kMax)}));
  deliver(c_, c_.gossip(self_id(), {c_.accuse(StatementKind::kSuspect, b_.id(), kInc + 1)}));
  EXPECT_EQ(state(b_), MemberState::kAlive);
  EXPECT_EQ(m().find(b_.id())->incarnation, kInc);
  EXPECT_EQ(drops(DropReason::kStale), stale + 4);
  EXPECT_TRUE(m().take_events().empty());
  // A normal accusation about us is still refuted.
  deliver(d_, d_.gossip(self_id(), {d_.accuse(StatementKind::kDead, self_id(), kInc)}));
  EXPECT_EQ(m().incarnation(), kInc + 1);
  EXPECT_EQ(m().stats().refutations, 1u);
}

// Refutation saturates: our own claim at 2^64-1 (an old life's) never wraps to 0.
TEST_F(StateTest, RefutationSaturates) {
  deliver(c_, c_.gossip(self_id(), {make_alive(self_, UINT64_MAX, {}, {})}));
  EXPECT_EQ(m().incarnation(), UINT64_MAX);
}

// Every newer claim of a joined member is an update, even with nothing else changed.
TEST_F(StateTest, NewerClaimWithSameEndpointsIsAnUpdate) {
  deliver(c_, c_.gossip(self_id(), {b_.alive(kInc + 1)}));
  EXPECT_EQ(m().find(b_.id())->incarnation, kInc + 1);
  EXPECT_EQ(m().take_events(), (std::vector<Event>{{EventKind::kUpdated, b_.id()}}));
}

}  // namespace
}  // namespace mw::swim
