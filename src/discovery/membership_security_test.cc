// SPDX-License-Identifier: Apache-2.0
// Nothing unauthenticated is acted upon: forged macs, statements by non-members, bad
// signatures, replays, wrong targets, strangers, rate limits, trust reloads, certificate
// admission, roaming only on fresh counters, and the member cap.
#include <gtest/gtest.h>

#include "discovery/membership.h"
#include "discovery/testing/membership_fixture.h"
#include "trust/certificate.h"

namespace mw::swim {
namespace {

using base::Duration;
using testing::MembershipTest;
using testing::TestPeer;

class SecurityTest : public MembershipTest {};

TEST_F(SecurityTest, ForgedMacChangesNothing) {
  introduce(b_);
  m().take_events();
  std::vector<uint8_t> d = b_.gossip(self_id(), {b_.leave(kInc)});
  d.back() ^= 1;
  deliver(b_, d);
  EXPECT_EQ(drops(DropReason::kBadMac), 1u);
  EXPECT_EQ(state(b_), MemberState::kAlive);
  // An unknown but authorized sender with a bad mac is not admitted either.
  std::vector<uint8_t> c = c_.gossip(self_id(), {c_.alive(kInc)});
  c[c.size() - 3] ^= 1;
  deliver(c_, c);
  EXPECT_EQ(m().find(c_.id()), nullptr);
  EXPECT_EQ(drops(DropReason::kBadMac), 2u);
  EXPECT_TRUE(m().take_events().empty());
}

TEST_F(SecurityTest, StatementsByNonMembersAreDropped) {
  introduce(b_);
  introduce(c_);
  TestPeer stranger(20);
  // A member relays a suspicion signed by a stranger, and the stranger's own claim.
  deliver(c_, c_.gossip(self_id(), {stranger.accuse(StatementKind::kDead, b_.id(), kInc),
                                    stranger.alive(kInc)}));
  EXPECT_EQ(state(b_), MemberState::kAlive);
  EXPECT_EQ(m().find(stranger.id()), nullptr);
  EXPECT_EQ(drops(DropReason::kNotTrusted), 2u);
}

TEST_F(SecurityTest, BadSignatureChangesNothing) {
  introduce(b_);
  introduce(c_);
  Statement s = c_.accuse(StatementKind::kDead, b_.id(), kInc);
  s.signature[3] ^= 1;
  Statement forged_alive = b_.alive(kInc + 1);
  forged_alive.incarnation = kInc + 2;  // signature no longer matches
  deliver(c_, c_.gossip(self_id(), {s, forged_alive}));
  EXPECT_EQ(state(b_), MemberState::kAlive);
  EXPECT_EQ(m().find(b_.id())->incarnation, kInc);
  EXPECT_EQ(drops(DropReason::kBadSignature), 2u);
  // A member cannot speak for another: a claim about B signed by C does not even decode.
  Statement claim = make_alive(c_.identity(), kInc + 5, {}, {});
  claim.subject = b_.id();
  deliver(c_, c_.gossip(self_id(), {claim}));
  EXPECT_EQ(drops(DropReason::kMalformed), 1u);
}

TEST_F(SecurityTest, ReplayedDatagramIsDropped) {
  introduce(b_);
  std::vector<uint8_t> ping = b_.ping(self_id(), 1);
  deliver(b_, ping);
  out_.take();
  deliver(b_, ping);
  EXPECT_EQ(drops(DropReason::kReplayed), 1u);
  EXPECT_TRUE(out_.sent().empty());  // not acked twice
  // Reordered (older but unseen) counters inside the window are fine.
  uint64_t c = b_.counter;
  std::vector<uint8_t> later = b_.seal_with_counter(self_id(), Message{}, c + 10);
  std::vector<uint8_t> earlier = b_.seal_with_counter(self_id(), Message{}, c + 5);
  deliver(b_, later);
  deliver(b_, earlier);
  EXPECT_EQ(drops(DropReason::kReplayed), 1u);
}

TEST_F(SecurityTest, PingForSomeoneElseIsDropped) {
  introduce(b_);
  out_.take();
  Message ping;
  ping.type = MessageType::kPing;
  ping.seq = 3;
  ping.target = c_.id();
  deliver(b_, b_.seal(self_id(), ping));
  EXPECT_EQ(drops(DropReason::kWrongTarget), 1u);
  EXPECT_TRUE(out_.sent().empty());
}

TEST_F(SecurityTest, UntrustedNodeCannotJoin) {
  TestPeer stranger(20);
  deliver(stranger, stranger.join(stranger.alive(kInc)));
  deliver(stranger, stranger.gossip(self_id(), {stranger.alive(kInc)}));
  EXPECT_EQ(m().find(stranger.id()), nullptr);
  EXPECT_EQ(drops(DropReason::kNotTrusted), 2u);
  EXPECT_TRUE(out_.sent().empty());
  EXPECT_TRUE(m().take_events().empty());
}

// The node's operator learns who knocked: a join it refused as not trusted is reported once a
// minute per sender, only when the join's signature proves the key, from a budget of its own.
TEST_F(SecurityTest, ARefusedJoinIsReportedOncePerSenderAMinute) {
  TestPeer stranger(20);
  deliver(stranger, stranger.join(stranger.alive(kInc)));
  auto refused = m().take_refused_joins();
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].sender, stranger.id());
  EXPECT_EQ(refused[0].from, stranger.endpoint());
  // Again within the minute: dropped, not reported.
  advance(Duration::seconds(30));
  deliver(stranger, stranger.join(stranger.alive(kInc)));
  EXPECT_TRUE(m().take_refused_joins().empty());
  EXPECT_EQ(drops(DropReason::kNotTrusted), 2u);
  advance(Duration::seconds(31));
  deliver(stranger, stranger.join(stranger.alive(kInc)));
  EXPECT_EQ(m().take_refused_joins().size(), 1u);
  // Only joins: other datagrams of a stranger are not reported.
  TestPeer other(21);
  deliver(other, other.gossip(self_id(), {other.alive(kInc)}));
  EXPECT_TRUE(m().take_refused_joins().empty());
  // A forged join (someone else's key, a signature that does not verify) is not reported.
  std::vector<uint8_t> d = other.join(other.alive(kInc));
  d[d.size() - kDatagramMacLen - 1] ^= 1;
  seal_join(d);
  deliver(other, d);
  EXPECT_TRUE(m().take_refused_joins().empty());
  EXPECT_TRUE(out_.sent().empty()) << "a refused join is never answered";
}

TEST_F(SecurityTest, RefusedJoinReportsHaveABudgetOfTheirOwn) {
  // A flood of validly signed joins from many untrusted keys: at most the burst is checked
  // and reported at once; a trusted member's join still gets in.
  for (int i = 0; i < 20; ++i) {
    TestPeer stranger(100 + i);
    deliver(stranger, stranger.join(stranger.alive(kInc)));
  }
  EXPECT_EQ(m().take_refused_joins().size(), size_t(Config{}.refused_join_burst));
  EXPECT_EQ(drops(DropReason::kOverBudget), 0u) << "the admission budget is untouched";
  deliver(d_, d_.join(d_.alive(kInc)));
  EXPECT_NE(m().find(d_.id()), nullptr);
}

TEST_F(SecurityTest, ExpensiveChecksAreRateLimitedPerSource) {
  // Open trust: anyone may join, and a stranger's key is not known in advance. Its joins with
  // bad signatures from one /24: only the burst gets the Ed25519 check.
  trust::TrustStore open = default_trust();
  open.set_open(true);
  make(Config{}, open);
  TestPeer stranger(77);
  for (int i = 0; i < 30; ++i) {
    std::vector<uint8_t> d = stranger.join(stranger.alive(kInc));
    d[d.size() - kDatagramMacLen - 1] ^= 1;  // the signature's last byte; the mac made anew
    seal_join(d);
    deliver(stranger, d);
  }
  EXPECT_EQ(drops(DropReason::kBadSignature), static_cast<uint64_t>(Config{}.unknown_sender_burst));
  EXPECT_EQ(drops(DropReason::kRateLimited), 30u - Config{}.unknown_sender_burst);
  // Another source prefix is unaffected.
  deliver(d_, d_.gossip(self_id(), {d_.alive(kInc)}));
  EXPECT_NE(m().find(d_.id()), nullptr);
}

// Authorized keys' pair keys are computed at the trust load, so their datagrams cost a MAC
// check before anything else and are not held to the per-prefix limit: many nodes of one LAN
// /24 meeting at once all get in at once.
TEST_F(SecurityTest, AuthorizedSendersOfOnePrefixAreNotRateLimited) {
  std::vector<TestPeer> lan;
  trust::TrustStore store = default_trust();
  for (uint8_t n = 20; n < 60; ++n) {
    lan.emplace_back(n);
    store.add_authorized_key(lan.back().id());
  }
  make(Config{}, store);
  uint8_t host = 1;
  for (TestPeer& p : lan) {
    base::Endpoint same_prefix{base::IpAddress::v4({10, 0, 9, host++}), 51820};
    deliver_from(same_prefix, p.gossip(self_id(), {p.alive(kInc)}));
  }
  EXPECT_EQ(drops(DropReason::kRateLimited), 0u);
  EXPECT_EQ(m().members().size(), lan.size());
}

// Reproduced: pings claiming a trusted but offline identity, from sources rotated over many
// /24s, slipped past the per-source limiter and cost one X25519 each. Its pair key is now
// computed once: the flood costs only macs, and leaves the node's budget for real joiners.
TEST_F(SecurityTest, AFloodClaimingATrustedIdentityFromRotatingSourcesCostsOneX25519) {
  const int kFlood = 2000;
  for (int i = 0; i < kFlood; ++i) {
    std::vector<uint8_t> d = c_.ping(self_id(), uint32_t(i));
    d.back() ^= 1;  // an attacker without c's key cannot make the mac
    base::Endpoint from{base::IpAddress::v4(0x0b000000u + (uint32_t(i) << 8)), 4000};
    deliver_from(from, d);
  }
  EXPECT_EQ(drops(DropReason::kBadMac), uint64_t(kFlood));
  EXPECT_EQ(drops(DropReason::kRateLimited), 0u) << "each from a new /24";
  EXPECT_EQ(drops(DropReason::kOverBudget), 0u) << "one X25519, not one per datagram";
  deliver(d_, d_.gossip(self_id(), {d_.alive(kInc)}));
  EXPECT_NE(m().find(d_.id()), nullptr) << "a real newcomer still gets in";
}

// Expensive checks that cannot be cached (the Ed25519 of a join) come from one budget for all
// sources together: rotating sources cannot multiply it.
TEST_F(SecurityTest, RotatingSourcesShareOneBudgetForExpensiveChecks) {
  const int kFlood = Config{}.expensive_checks_burst + 100;
  Statement claim = c_.alive(kInc);
  claim.signature[0] ^= 1;  // a join whose mac is right but whose signature is not
  for (int i = 0; i < kFlood; ++i) {
    base::Endpoint from{base::IpAddress::v4(0x0b000000u + (uint32_t(i) << 8)), 4000};
    deliver_from(from, c_.join(claim));
  }
  // Each join costs two checks (its own signature, then its claim's): the burst pays for half
  // as many joins, the rest are refused before any Ed25519, at the same instant.
  const uint64_t paid = uint64_t(Config{}.expensive_checks_burst) / 2;
  EXPECT_EQ(drops(DropReason::kRateLimited), 0u);
  EXPECT_EQ(drops(DropReason::kBadSignature), paid);
  EXPECT_EQ(drops(DropReason::kOverBudget), uint64_t(kFlood) - paid);
}

TEST_F(SecurityTest, AdmittedSenderWithoutClaimIsAskedForIt) {
  deliver(b_, b_.ping(self_id(), 4));
  EXPECT_EQ(m().find(b_.id()), nullptr);
  EXPECT_EQ(drops(DropReason::kUnknownSender), 1u);
  auto syncs = out_.of_type(MessageType::kSync, b_.endpoint());
  ASSERT_EQ(syncs.size(), 1u);
  EXPECT_EQ(syncs[0].message.sync_flags, kSyncReplyWanted);
  EXPECT_EQ(syncs[0].message.gossip[0].statement.subject, self_id());
}

TEST_F(SecurityTest, SetTrustRemovesDeauthorizedMembers) {
  introduce(b_);
  introduce(c_);
  m().take_events();
  trust::TrustStore only_c(self_id());
  only_c.add_authorized_key(c_.id());
  m().set_trust(only_c, wall_);
  EXPECT_EQ(m().find(b_.id()), nullptr);
  EXPECT_EQ(state(c_), MemberState::kAlive);
  EXPECT_EQ(m().take_events(), (std::vector<Event>{{EventKind::kRemoved, b_.id()}}));
  // Its datagrams and claims are now refused.
  deliver(b_, b_.gossip(self_id(), {b_.alive(kInc + 1)}));
  deliver(c_, c_.gossip(self_id(), {b_.alive(kInc + 2)}));
  EXPECT_EQ(m().find(b_.id()), nullptr);
}

TEST_F(SecurityTest, CertificateOfTrustedOrgAdmits) {
  trust::Identity org = trust::testing::identity_from_byte(200);
  trust::TrustStore store(self_id());
  store.add_trusted_org(org.public_key);
  make(Config{}, store);
  TestPeer member(30);
  auto cert = trust::sign_certificate(org, member.id(), "node-30", 1'600'000'000, 0);
  ASSERT_TRUE(cert.ok());
  std::vector<uint8_t> cert_bytes = trust::encode_certificate(*cert);
  deliver(member, member.join(member.alive(kInc, cert_bytes)));
  const MemberView* v = m().find(member.id());
  ASSERT_NE(v, nullptr);
  EXPECT_NE(v->admitted_by.find("certificate"), std::string::npos) << v->admitted_by;
  ASSERT_TRUE(v->certificate);
  EXPECT_EQ(v->certificate->name, "node-30");
  // The same claim without the certificate would not have been admitted.
  TestPeer other(31);
  deliver(other, other.join(other.alive(kInc)));
  EXPECT_EQ(m().find(other.id()), nullptr);
}

TEST_F(SecurityTest, RoamingOnlyOnFreshCounters) {
  introduce(b_);
  m().take_events();
  base::Endpoint roamed = testing::test_endpoint(77);
  std::vector<uint8_t> older = b_.gossip(self_id(), {});
  std::vector<uint8_t> newer = b_.gossip(self_id(), {});
  deliver_from(roamed, newer);
  EXPECT_EQ(m().find(b_.id())->endpoint, roamed);
  EXPECT_EQ(m().take_events(), (std::vector<Event>{{EventKind::kUpdated, b_.id()}}));
  // An older (reordered or replayed-from-elsewhere) datagram does not move it back.
  deliver_from(b_.endpoint(), older);
  EXPECT_EQ(m().find(b_.id())->endpoint, roamed);
  EXPECT_TRUE(m().take_events().empty());
}

TEST_F(SecurityTest, MemberCap) {
  Config c;
  c.max_members = 2;
  make(c);
  introduce(b_);
  introduce(c_);
  introduce(d_);
  EXPECT_EQ(m().find(d_.id()), nullptr);
  EXPECT_EQ(drops(DropReason::kTableFull), 1u);
  // A dead member makes room.
  deliver(c_, c_.gossip(self_id(), {c_.accuse(StatementKind::kDead, b_.id(), kInc)}));
  introduce(d_);
  EXPECT_NE(m().find(d_.id()), nullptr);
  EXPECT_EQ(m().find(b_.id()), nullptr);
}

TEST_F(SecurityTest, MalformedAndWrongVersionAreCounted) {
  const uint8_t junk[] = {0xED, 1, 9, 0};
  deliver_from(b_.endpoint(), std::vector<uint8_t>(std::begin(junk), std::end(junk)));
  std::vector<uint8_t> d = b_.ping(self_id(), 1);
  d[1] = 2;
  deliver(b_, d);
  EXPECT_EQ(drops(DropReason::kMalformed), 1u);
  EXPECT_EQ(drops(DropReason::kBadVersion), 1u);
  EXPECT_STREQ(drop_reason_name(DropReason::kBadVersion), "bad_version");
  EXPECT_STREQ(member_state_name(MemberState::kSuspect), "suspect");
  EXPECT_STREQ(event_kind_name(EventKind::kRemoved), "removed");
}

// A join is not bound to its receiver: replayed (from anywhere) it is dropped, and it never
// moves a known member's endpoint; its answer is one sync chunk.
TEST_F(SecurityTest, JoinFromKnownMemberIsNotReplayableAndDoesNotMoveIt) {
  introduce(b_);
  introduce(c_);
  m().take_events();
  out_.take();
  std::vector<uint8_t> join = b_.join(b_.alive(kInc));
  base::Endpoint spoofed = testing::test_endpoint(60);
  deliver_from(spoofed, join);
  EXPECT_EQ(m().find(b_.id())->endpoint, b_.endpoint());
  EXPECT_TRUE(m().take_events().empty());
  auto syncs = out_.of_type(MessageType::kSync);
  ASSERT_EQ(syncs.size(), 1u);
  EXPECT_EQ(syncs[0].to, spoofed);
  EXPECT_TRUE(syncs[0].message.sync_flags & kSyncReplyWanted);
  out_.take();
  uint64_t replayed = drops(DropReason::kReplayed);
  deliver_from(testing::test_endpoint(61), join);
  EXPECT_EQ(drops(DropReason::kReplayed), replayed + 1);
  EXPECT_TRUE(out_.sent().empty());
  EXPECT_EQ(m().find(b_.id())->endpoint, b_.endpoint());
}

}  // namespace
}  // namespace mw::swim
