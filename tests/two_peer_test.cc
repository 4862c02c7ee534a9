// SPDX-License-Identifier: Apache-2.0
// Two complete in-process WireGuard peers over a simulated link: handshake, thousands of packets
// over a link that loses, duplicates and reorders, rekey at 120 s, expiry at 180 s, retries of a
// lost response, and giving up after REKEY_ATTEMPT_TIME.
#include <gtest/gtest.h>

#include <set>

#include "wireguard/constants.h"
#include "wireguard/testing/packets.h"
#include "wireguard/testing/two_peer_sim.h"

namespace mw::wg::testing {
namespace {

using base::Duration;
using Side = TwoPeerSim::Side;

std::vector<uint64_t> tags(const std::vector<std::vector<uint8_t>>& packets) {
  std::vector<uint64_t> t;
  for (const auto& p : packets) t.push_back(packet_tag(p));
  return t;
}

TEST(TwoPeer, HandshakeThenTrafficBothWaysInOrder) {
  TwoPeerSim sim;
  for (uint64_t i = 0; i < 2000; ++i) {
    sim.send(Side::kA, 100 + i % 1300, i);
    sim.send(Side::kB, 60 + i % 700, 100000 + i);
    sim.run_for(Duration::micros(200));
  }
  sim.run_for(Duration::seconds(1));
  auto a_got = tags(sim.delivered(Side::kB));
  auto b_got = tags(sim.delivered(Side::kA));
  ASSERT_EQ(a_got.size(), 2000u);
  ASSERT_EQ(b_got.size(), 2000u);
  for (uint64_t i = 0; i < 2000; ++i) {
    EXPECT_EQ(a_got[i], i);
    EXPECT_EQ(b_got[i], 100000 + i);
  }
  // Each side completed its own session; the ones it answered were never confirmed, since
  // each side sends on its own.
  EXPECT_EQ(sim.device(Side::kA).stats().handshakes_completed, 1u);
  EXPECT_EQ(sim.device(Side::kB).stats().handshakes_completed, 1u);
  // Both sides initiated at the same instant and each answered the other: no retries.
  EXPECT_EQ(sim.sent_of_type(Side::kA, 1), 1u);
  EXPECT_EQ(sim.sent_of_type(Side::kB, 1), 1u);
  EXPECT_EQ(sim.sent_of_type(Side::kA, 2) + sim.sent_of_type(Side::kB, 2), 2u);
  EXPECT_EQ(sim.device(Side::kA).stats().drops(DropReason::kUnknownIndex), 0u);
}

TEST(TwoPeer, SimultaneousInitiationsResolveWithinOneRoundTrip) {
  // Were a consumed initiation to discard our own pending one (as in wireguard-go), both sides
  // would wait for responses that no longer match and retry in lock-step every REKEY_TIMEOUT.
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    TwoPeerSim sim({}, seed);
    sim.send(Side::kA, 100, 1);
    sim.send(Side::kB, 100, 2);
    sim.run_for(Duration::millis(10));
    EXPECT_EQ(tags(sim.delivered(Side::kB)), std::vector<uint64_t>{1}) << "seed " << seed;
    EXPECT_EQ(tags(sim.delivered(Side::kA)), std::vector<uint64_t>{2}) << "seed " << seed;
  }
}

TEST(TwoPeer, LostInitiationDuringSimultaneousStartCostsNoRetry) {
  TwoPeerSim sim;
  bool dropped = false;
  sim.set_filter([&](Side from, base::Bytes d) {
    return !(from == Side::kA && d[0] == 1 && !std::exchange(dropped, true));
  });
  sim.send(Side::kA, 100, 1);
  sim.send(Side::kB, 100, 2);
  sim.run_for(Duration::millis(10));
  EXPECT_EQ(tags(sim.delivered(Side::kB)), std::vector<uint64_t>{1});
  EXPECT_EQ(tags(sim.delivered(Side::kA)), std::vector<uint64_t>{2});
}

TEST(TwoPeer, DeliveredPacketsAreByteIdenticalAndPaddingTrimmed) {
  TwoPeerSim sim;
  std::vector<std::vector<uint8_t>> sent;
  for (size_t len : {29u, 40u, 41u, 1419u, 1420u}) {
    sent.push_back(make_ip_packet(sim.tunnel_ip(Side::kA), sim.tunnel_ip(Side::kB), len, len));
    sim.send_raw(Side::kA, sent.back());
    sim.run_for(Duration::millis(10));
  }
  EXPECT_EQ(sim.delivered(Side::kB), sent);
}

TEST(TwoPeer, PresharedKeySessionWorks) {
  TwoPeerSim sim({}, 3, /*with_psk=*/true);
  sim.send(Side::kA, 200, 7);
  sim.run_for(Duration::millis(50));
  ASSERT_EQ(tags(sim.delivered(Side::kB)), std::vector<uint64_t>{7});
}

TEST(TwoPeer, PresharedKeyMismatchNeverPassesAPacket) {
  TwoPeerSim sim({}, 4, /*with_psk=*/true);
  crypto::SymmetricKey other;
  other[0] = 1;
  sim.device(Side::kB).set_preshared_key(sim.peer_of(Side::kB), other);
  for (int i = 0; i < 20; ++i) {
    sim.send(Side::kA, 200, i);
    sim.run_for(Duration::seconds(1));
  }
  EXPECT_TRUE(sim.delivered(Side::kB).empty());
  EXPECT_TRUE(sim.delivered(Side::kA).empty());
  EXPECT_EQ(sim.device(Side::kA).stats().handshakes_completed, 0u);
  EXPECT_GT(sim.device(Side::kA).stats().drops(DropReason::kHandshakeInvalid), 0u);
}

TEST(TwoPeer, LossyDuplicatingReorderingLinkDeliversEachPacketAtMostOnce) {
  LinkConditions link;
  link.loss = 0.10;
  link.duplicate = 0.05;
  link.reorder = 0.10;
  TwoPeerSim sim(link, 42);
  const uint64_t n = 5000;
  for (uint64_t i = 0; i < n; ++i) {
    sim.send(Side::kA, 120, i);
    sim.send(Side::kB, 120, n + i);
    sim.run_for(Duration::micros(500));
  }
  sim.run_for(Duration::seconds(2));
  for (Side s : {Side::kA, Side::kB}) {
    auto got = tags(sim.delivered(s));
    std::set<uint64_t> unique(got.begin(), got.end());
    EXPECT_EQ(unique.size(), got.size()) << "a packet was delivered twice";
    // 10% loss on the data path plus the handshake's own losses: most still arrive.
    EXPECT_GT(got.size(), n * 80 / 100);
  }
  EXPECT_GT(sim.link_stats().duplicated, 0u);
  EXPECT_GT(sim.link_stats().reordered, 0u);
  EXPECT_GT(sim.device(Side::kA).stats().drops(DropReason::kReplayed) +
                sim.device(Side::kB).stats().drops(DropReason::kReplayed),
            0u);
}

TEST(TwoPeer, RekeysAfter120SecondsWithoutLosingTraffic) {
  TwoPeerSim sim;
  uint64_t tag = 0;
  for (int s = 0; s < 400; ++s) {  // 400 s of traffic, one packet each way per second
    sim.send(Side::kA, 100, tag++);
    sim.send(Side::kB, 100, tag++);
    sim.run_for(Duration::seconds(1));
  }
  EXPECT_EQ(sim.delivered(Side::kA).size(), 400u);
  EXPECT_EQ(sim.delivered(Side::kB).size(), 400u);
  // A new session at least every 120 s (plus jitter and round trips): 400 s needs >= 3 more.
  EXPECT_GE(sim.device(Side::kA).stats().handshakes_completed, 4u);
  EXPECT_LE(sim.device(Side::kA).stats().handshakes_completed, 8u);
  EXPECT_EQ(sim.device(Side::kA).stats().drops(DropReason::kKeypairExpired), 0u);
}

TEST(TwoPeer, NothingIsSentOnAKeypairOlderThan180Seconds) {
  TwoPeerSim sim;
  sim.send(Side::kA, 100, 1);
  sim.run_for(Duration::millis(100));
  ASSERT_EQ(sim.delivered(Side::kB).size(), 1u);
  // Cut the link; stay idle past REJECT_AFTER_TIME.
  sim.conditions().loss = 1.0;
  sim.run_for(kRejectAfterTime);
  uint64_t transports_before = sim.sent_of_type(Side::kA, 4);
  uint64_t initiations_before = sim.sent_of_type(Side::kA, 1);
  sim.send(Side::kA, 100, 2);
  sim.run_for(Duration::millis(10));
  EXPECT_EQ(sim.sent_of_type(Side::kA, 4), transports_before) << "sent on an expired keypair";
  EXPECT_EQ(sim.sent_of_type(Side::kA, 1), initiations_before + 1);
  // The link heals: the staged packet goes out under the new session.
  sim.conditions().loss = 0;
  sim.run_for(Duration::seconds(6));
  ASSERT_EQ(tags(sim.delivered(Side::kB)), (std::vector<uint64_t>{1, 2}));
}

TEST(TwoPeer, LostResponseIsRetriedAfterRekeyTimeout) {
  TwoPeerSim sim;
  int responses_dropped = 0;
  sim.set_filter([&](Side, base::Bytes d) {
    if (d[0] == 2 && responses_dropped == 0) {
      ++responses_dropped;
      return false;
    }
    return true;
  });
  base::Instant start = sim.now();
  sim.send(Side::kA, 100, 9);
  sim.run_for(Duration::seconds(4));
  EXPECT_TRUE(sim.delivered(Side::kB).empty());
  sim.run_for(Duration::seconds(2));  // 5 s + up to 334 ms jitter
  ASSERT_EQ(tags(sim.delivered(Side::kB)), std::vector<uint64_t>{9});
  EXPECT_EQ(sim.sent_of_type(Side::kA, 1), 2u);
  EXPECT_LT(sim.now() - start, Duration::seconds(7));
}

TEST(TwoPeer, GivesUpAfterRekeyAttemptTimeAndFlushesStagedPackets) {
  TwoPeerSim sim;
  sim.conditions().loss = 1.0;
  sim.send(Side::kA, 100, 1);
  sim.run_for(Duration::seconds(120));
  // The first initiation plus 18 retransmissions, then silence.
  EXPECT_EQ(sim.sent_of_type(Side::kA, 1), 1u + kMaxTimerHandshakes);
  EXPECT_EQ(sim.device(Side::kA).stats().drops(DropReason::kHandshakeGaveUp), 1u);
  EXPECT_TRUE(sim.peer_of(Side::kA).staged.empty());
}

}  // namespace
}  // namespace mw::wg::testing
