// SPDX-License-Identifier: Apache-2.0
// Failure detection scenarios after memberlist state_test.go: probe ok, probe failing into
// suspicion, indirect probes (both as requester and as intermediary), Lifeguard awareness and
// the buddy system.
#include <gtest/gtest.h>

#include "discovery/membership.h"
#include "discovery/statement.h"
#include "discovery/testing/membership_fixture.h"

namespace mw::swim {
namespace {

using base::Duration;
using testing::MembershipTest;
using testing::TestPeer;

class ProbeTest : public MembershipTest {};

TEST_F(ProbeTest, ProbeNode) {
  introduce(b_);
  EXPECT_EQ(m().take_events(), (std::vector<Event>{{EventKind::kJoined, b_.id()}}));
  auto ping = run_until_sent(MessageType::kPing);
  ASSERT_TRUE(ping);
  EXPECT_EQ(ping->to, b_.endpoint());
  EXPECT_EQ(ping->message.target, b_.id());
  advance(Duration::millis(30));
  deliver(b_, b_.ack(self_id(), ping->message.seq));
  EXPECT_EQ(m().stats().acks_received, 1u);
  ASSERT_TRUE(m().find(b_.id())->rtt);
  EXPECT_EQ(*m().find(b_.id())->rtt, Duration::millis(30));
  advance(Duration::seconds(1));
  tick();
  EXPECT_EQ(state(b_), MemberState::kAlive);
  EXPECT_EQ(m().awareness_score(), 0);
  EXPECT_EQ(m().stats().suspicions, 0u);
}

TEST_F(ProbeTest, AckTellsThePingerWhereItsPingCameFrom) {
  introduce(b_);
  out_.take();
  base::Endpoint nat = *base::Endpoint::parse("10.99.1.1:40001");
  deliver_from(nat, b_.ping(self_id(), 41));
  auto acks = out_.of_type(MessageType::kAck);
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].to, nat);
  EXPECT_EQ(acks[0].message.observed, nat);
}

TEST_F(ProbeTest, AcksReportWhatMembersSawOfUs) {
  introduce(b_);
  auto ping = run_until_sent(MessageType::kPing);
  ASSERT_TRUE(ping);
  m().take_observed();
  Message ack;
  ack.type = MessageType::kAck;
  ack.seq = ping->message.seq;
  ack.observed = *base::Endpoint::parse("10.99.1.1:40001");
  deliver(b_, b_.seal(self_id(), ack));
  auto seen = m().take_observed();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].observer, b_.id());
  EXPECT_EQ(seen[0].observer_endpoint, b_.endpoint());
  EXPECT_EQ(seen[0].mapped, ack.observed);
  EXPECT_TRUE(m().take_observed().empty());
  // An ack whose mac fails reports nothing.
  auto forged = b_.seal(self_id(), ack);
  forged[forged.size() - 1] ^= 1;
  deliver(b_, forged);
  EXPECT_TRUE(m().take_observed().empty());
}

TEST_F(ProbeTest, ProbeNode_Suspect) {
  introduce(b_);
  introduce(c_);
  introduce(d_);
  auto ping = ping_to(b_, {&c_, &d_});
  ASSERT_TRUE(ping);
  // No ack: after the probe timeout, ping_req goes to both other members.
  advance(Duration::millis(500));
  tick();
  auto reqs = out_.of_type(MessageType::kPingReq);
  ASSERT_EQ(reqs.size(), 2u);
  for (const auto& r : reqs) {
    EXPECT_EQ(r.message.target, b_.id());
    EXPECT_EQ(r.message.target_endpoint, b_.endpoint());
    EXPECT_EQ(r.message.seq, ping->message.seq);
  }
  advance(Duration::millis(500));
  tick();
  EXPECT_EQ(state(b_), MemberState::kSuspect);
  EXPECT_EQ(m().stats().suspicions, 1u);
  EXPECT_EQ(m().stats().indirect_probes_sent, 2u);
  // Lifeguard: two expected nacks never came.
  EXPECT_EQ(m().awareness_score(), 2);
  EXPECT_EQ(m().probe_interval_now(), Duration::seconds(3));
}

TEST_F(ProbeTest, IndirectProbeRescuesLossyDirectPath) {
  introduce(b_);
  introduce(c_);
  introduce(d_);
  auto ping = ping_to(b_, {&c_, &d_});
  ASSERT_TRUE(ping);
  out_.take();
  advance(Duration::millis(500));
  tick();
  auto reqs = out_.of_type(MessageType::kPingReq);
  ASSERT_EQ(reqs.size(), 2u);
  // The intermediary's ack reaches the requester: the probe succeeds.
  TestPeer& helper = reqs[0].to == c_.endpoint() ? c_ : d_;
  uint64_t acks = m().stats().acks_received;
  deliver(helper, helper.ack(self_id(), ping->message.seq));
  advance(Duration::millis(500));
  tick();
  EXPECT_EQ(state(b_), MemberState::kAlive);
  EXPECT_EQ(m().stats().suspicions, 0u);
  EXPECT_EQ(m().stats().acks_received, acks + 1);
  EXPECT_EQ(m().awareness_score(), 0);
}

// Beside the ping_reqs, the direct ping goes out once more with the same seq; the target's ack
// to it ends the probe without a suspicion (a lost first ping or ack alone costs nothing).
TEST_F(ProbeTest, DirectPingRetriedBesideIndirectProbes) {
  introduce(b_);
  introduce(c_);
  introduce(d_);
  auto ping = ping_to(b_, {&c_, &d_});
  ASSERT_TRUE(ping);
  out_.take();
  advance(Duration::millis(500));
  tick();
  auto pings = out_.of_type(MessageType::kPing);
  ASSERT_EQ(pings.size(), 1u);
  EXPECT_EQ(pings[0].to, b_.endpoint());
  EXPECT_EQ(pings[0].message.target, b_.id());
  EXPECT_EQ(pings[0].message.seq, ping->message.seq);
  EXPECT_EQ(out_.of_type(MessageType::kPingReq).size(), 2u);
  deliver(b_, b_.ack(self_id(), ping->message.seq));
  advance(Duration::millis(500));
  tick();
  EXPECT_EQ(state(b_), MemberState::kAlive);
  EXPECT_EQ(m().stats().suspicions, 0u);
}

// Its reject path: an ack from the target with another seq does not end the probe.
TEST_F(ProbeTest, RetriedDirectPingNeedsTheProbeSeq) {
  introduce(b_);
  introduce(c_);
  introduce(d_);
  auto ping = ping_to(b_, {&c_, &d_});
  ASSERT_TRUE(ping);
  advance(Duration::millis(500));
  tick();
  deliver(b_, b_.ack(self_id(), ping->message.seq + 1));
  advance(Duration::millis(500));
  tick();
  EXPECT_EQ(state(b_), MemberState::kSuspect);
  EXPECT_EQ(m().stats().suspicions, 1u);
}

// A member learned second-hand with no announced endpoint and no hint has nowhere to be
// pinged: it is not probed, so our ignorance of its address never becomes a suspicion of it.
TEST_F(ProbeTest, MemberWithoutAddressIsNotProbed) {
  introduce(c_);
  Statement nowhere = make_alive(b_.identity(), kInc, {}, {});
  deliver(c_, c_.gossip(self_id(), {nowhere}));
  ASSERT_EQ(state(b_), MemberState::kAlive);
  out_.take();
  for (int i = 0; i < 10; ++i) {
    advance(Duration::seconds(1));
    tick();
  }
  for (const auto& sent : out_.sent()) {
    EXPECT_FALSE(sent.message.type == MessageType::kPing && sent.message.target == b_.id());
  }
  EXPECT_EQ(state(b_), MemberState::kAlive);  // (c, which never answers, is suspected)
  EXPECT_FALSE(m().suspicion_deadline(b_.id()).has_value());
}

// A claim learned with a hint is gossiped on with that hint (while we have no authenticated
// address of our own), so the next node can ping the member too.
TEST_F(ProbeTest, ClaimIsGossipedOnWithItsHint) {
  introduce(c_);
  introduce(d_);
  Statement nowhere = make_alive(b_.identity(), kInc, {}, {});
  Message g;
  g.gossip.push_back(GossipItem{nowhere, b_.endpoint()});
  deliver(c_, c_.seal(self_id(), g));
  ASSERT_EQ(m().find(b_.id())->endpoint, b_.endpoint());
  bool forwarded = false;
  for (int i = 0; i < 5 && !forwarded; ++i) {
    out_.take();
    advance(Duration::millis(200));
    tick();
    for (const auto& sent : out_.sent()) {
      for (const GossipItem& item : sent.message.gossip) {
        if (item.statement == nowhere) {
          EXPECT_EQ(item.hint, b_.endpoint());
          forwarded = true;
        }
      }
    }
  }
  EXPECT_TRUE(forwarded);
}

TEST_F(ProbeTest, PingReqAsIntermediaryForwardsAckAndNack) {
  introduce(b_);
  introduce(c_);
  out_.take();
  Message req;
  req.type = MessageType::kPingReq;
  req.seq = 777;
  req.target = b_.id();
  req.target_endpoint = b_.endpoint();
  deliver(c_, c_.seal(self_id(), req));
  auto pings = out_.of_type(MessageType::kPing, b_.endpoint());
  ASSERT_EQ(pings.size(), 1u);
  EXPECT_EQ(pings[0].message.target, b_.id());
  out_.take();
  deliver(b_, b_.ack(self_id(), pings[0].message.seq));
  auto acks = out_.of_type(MessageType::kAck, c_.endpoint());
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].message.seq, 777u);
  // The forwarded ack tells the requester where its ping_req came from.
  EXPECT_EQ(acks[0].message.observed, c_.endpoint());

  // Silent target: a nack comes back before the requester's probe ends.
  out_.take();
  req.seq = 778;
  deliver(c_, c_.seal(self_id(), req));
  advance(Duration::millis(400));
  tick();
  auto nacks = out_.of_type(MessageType::kNack, c_.endpoint());
  ASSERT_EQ(nacks.size(), 1u);
  EXPECT_EQ(nacks[0].message.seq, 778u);

  // Unknown target: nack at once.
  out_.take();
  req.seq = 779;
  req.target = d_.id();
  deliver(c_, c_.seal(self_id(), req));
  ASSERT_EQ(out_.of_type(MessageType::kNack, c_.endpoint()).size(), 1u);
}

TEST_F(ProbeTest, Awareness_MissedNack) {
  introduce(b_);
  introduce(c_);
  introduce(d_);
  auto ping = ping_to(b_, {&c_, &d_});
  ASSERT_TRUE(ping);
  advance(Duration::millis(500));
  tick();
  // One helper nacks, the other stays silent: one point.
  deliver(c_, c_.nack(self_id(), ping->message.seq));
  advance(Duration::millis(500));
  tick();
  EXPECT_EQ(state(b_), MemberState::kSuspect);
  EXPECT_EQ(m().awareness_score(), 1);
}

TEST_F(ProbeTest, Awareness_DegradedThenImproved) {
  introduce(b_);
  // No helpers: a failed probe costs one point each.
  auto ping = ping_to(b_, {});
  ASSERT_TRUE(ping);
  advance(Duration::seconds(1));
  tick();
  EXPECT_EQ(m().awareness_score(), 1);
  EXPECT_EQ(m().probe_interval_now(), Duration::seconds(2));
  // Successful direct probes lower it again.
  for (int i = 0; i < 3; ++i) {
    auto p = run_until_sent(MessageType::kPing);
    ASSERT_TRUE(p);
    deliver(b_, b_.ack(self_id(), p->message.seq, {b_.alive(kInc + 1)}));
  }
  EXPECT_EQ(m().awareness_score(), 0);
}

TEST_F(ProbeTest, Awareness_IndirectNacksDoNotPenalise) {
  introduce(b_);
  introduce(c_);
  introduce(d_);
  auto ping = ping_to(b_, {&c_, &d_});
  ASSERT_TRUE(ping);
  advance(Duration::millis(500));
  tick();
  deliver(c_, c_.nack(self_id(), ping->message.seq));
  deliver(d_, d_.nack(self_id(), ping->message.seq));
  advance(Duration::millis(500));
  tick();
  EXPECT_EQ(state(b_), MemberState::kSuspect);
  EXPECT_EQ(m().awareness_score(), 0);
}

TEST_F(ProbeTest, Buddy) {
  introduce(b_);
  introduce(c_);
  introduce(d_);
  Statement accusation = c_.accuse(StatementKind::kSuspect, b_.id(), kInc);
  deliver(c_, c_.gossip(self_id(), {accusation}));
  ASSERT_EQ(state(b_), MemberState::kSuspect);
  auto ping = ping_to(b_, {&c_, &d_});
  ASSERT_TRUE(ping);
  // The suspicion rides first on the ping to the suspect itself.
  ASSERT_FALSE(ping->message.gossip.empty());
  EXPECT_EQ(ping->message.gossip[0].statement, accusation);
  // B refutes in its ack.
  deliver(b_, b_.ack(self_id(), ping->message.seq, {b_.alive(kInc + 1)}));
  EXPECT_EQ(state(b_), MemberState::kAlive);
  EXPECT_EQ(m().find(b_.id())->incarnation, kInc + 1);
}

TEST_F(ProbeTest, SuspicionExpiresIntoDeath) {
  introduce(b_);
  auto ping = ping_to(b_, {});
  ASSERT_TRUE(ping);
  m().take_events();
  advance(Duration::seconds(1));
  tick();
  ASSERT_EQ(state(b_), MemberState::kSuspect);
  // n = 2 members: no confirmations expected, so the minimum: 3 * 1 * 1 s (suspicion_mult 3).
  ASSERT_EQ(m().suspicion_deadline(b_.id()), now_ + Duration::seconds(3));
  advance(Duration::seconds(3));
  tick();
  EXPECT_EQ(state(b_), MemberState::kDead);
  EXPECT_EQ(m().stats().members_failed, 1u);
  EXPECT_EQ(m().take_events(), (std::vector<Event>{{EventKind::kFailed, b_.id()}}));
  EXPECT_EQ(m().alive_count(), 0u);
}

// A member revived by a reordered (not newest) datagram has no authenticated address; with no
// announced endpoints and no hint it has nowhere to be sent to. It is not confirmed, so it is
// never chosen as a ping_req helper (which used to index its empty destinations()).
TEST_F(ProbeTest, RevivedMemberWithoutAddressIsNeverAHelper) {
  introduce(b_);
  introduce(c_);
  deliver(b_, b_.gossip(self_id(), {b_.accuse(StatementKind::kDead, c_.id(), kInc)}));
  ASSERT_EQ(state(c_), MemberState::kDead);
  m().take_events();
  Message g;
  g.type = MessageType::kGossip;
  g.gossip = testing::items({make_alive(c_.identity(), kInc + 1, {}, {})});
  deliver(c_, c_.seal_with_counter(self_id(), g, c_.counter - 10));  // fresh, not newest
  ASSERT_EQ(state(c_), MemberState::kAlive);
  EXPECT_FALSE(m().find(c_.id())->endpoint.has_value());
  EXPECT_TRUE(m().take_events().empty());  // not confirmed: no kJoined/kUpdated
  auto ping = ping_to(b_, {});
  ASSERT_TRUE(ping);
  advance(Duration::millis(500));
  tick();
  EXPECT_TRUE(out_.of_type(MessageType::kPingReq).empty());
  EXPECT_EQ(m().stats().indirect_probes_sent, 0u);
}

}  // namespace
}  // namespace mw::swim
