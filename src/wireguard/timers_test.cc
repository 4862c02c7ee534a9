// SPDX-License-Identifier: Apache-2.0
// The device's timer queue: entries come out earliest first, a peer's armed deadlines are
// queued only when they are earlier than what is queued for it, and a device with thousands of
// peers runs exactly the timers that are due, its next deadline never later than the earliest.
#include "wireguard/timers.h"

#include <gtest/gtest.h>

#include "crypto/x25519.h"
#include "wireguard/constants.h"
#include "wireguard/device.h"
#include "wireguard/testing/packets.h"

namespace mw::wg {

class DeviceTestPeer {
 public:
  static size_t queued(const Device& d) { return d.timer_queue_.size(); }
};

namespace {

using base::Duration;
using base::Instant;

const Instant kT0 = Instant::from_nanos(1'000'000'000'000);

TEST(TimerQueue, EarliestFirst) {
  TimerQueue q;
  for (int s : {5, 1, 4, 2, 3}) q.push(kT0 + Duration::seconds(s), uint32_t(s));
  for (int s = 1; s <= 5; ++s) {
    ASSERT_FALSE(q.empty());
    EXPECT_EQ(q.top().at, kT0 + Duration::seconds(s));
    EXPECT_EQ(q.top().peer, uint32_t(s));
    q.pop();
  }
  EXPECT_TRUE(q.empty());
}

TEST(PeerTimers, QueuesOnlyWhatIsEarlierThanWhatIsQueued) {
  TimerQueue q;
  PeerTimers t;
  t.attach(&q, 7);
  t.on_data_received(kT0);  // keepalive at +10 s: queued
  ASSERT_EQ(q.size(), 1u);
  t.on_data_sent(kT0, Duration::zero());  // new handshake at +15 s: later, not queued
  EXPECT_EQ(q.size(), 1u);
  t.on_handshake_initiated(kT0, Duration::zero());  // retransmit at +5 s: earlier, queued
  EXPECT_EQ(q.size(), 2u);
  EXPECT_EQ(q.top().at, kT0 + kRekeyTimeout);
  // The +5 s entry comes due: it is the live one; the +10 s entry is not any more.
  EXPECT_TRUE(t.take_queued(kT0 + kRekeyTimeout));
  EXPECT_FALSE(t.take_queued(kT0 + kKeepaliveTimeout));
  EXPECT_EQ(t.pop_expired(kT0 + kRekeyTimeout), TimerEvent::kRetransmitHandshake);
  t.requeue();  // the remaining earliest (+10 s) goes in again
  EXPECT_EQ(q.size(), 3u);
  t.requeue();  // nothing earlier: no duplicate
  EXPECT_EQ(q.size(), 3u);
}

// 3,000 peers, a third of them with a handshake under way: tick runs the retransmissions of
// exactly those, when due, and nothing for the others.
TEST(DeviceTimerQueue, ThousandsOfPeersRunOnlyWhatIsDue) {
  Device d;
  d.set_private_key(crypto::x25519_generate());
  struct Out final : DeviceOutput {
    void send_datagram(const base::Endpoint&, base::Bytes b) override {
      if (!b.empty() && b[0] == 1) ++initiations;
    }
    void deliver_packet(base::Bytes) override {}
    int initiations = 0;
  } out;
  std::vector<Peer*> peers;
  for (int i = 0; i < 3000; ++i) {
    Peer& p = d.add_peer(crypto::x25519_public(crypto::x25519_generate()));
    d.set_endpoint(p, *base::Endpoint::parse("192.0.2.1:" + std::to_string(1000 + i)));
    peers.push_back(&p);
  }
  EXPECT_EQ(d.next_deadline(), Instant::max()) << "no timer armed: nothing to do, ever";
  for (int i = 0; i < 3000; i += 3)
    d.initiate_handshake(*peers[size_t(i)], kT0 + Duration::millis(i), out);
  EXPECT_EQ(out.initiations, 1000);
  EXPECT_EQ(DeviceTestPeer::queued(d), 1000u) << "one entry per peer with a timer";
  // Never later than the earliest armed deadline.
  Instant earliest = Instant::max();
  d.for_each_peer([&](const Peer& p) { earliest = std::min(earliest, p.timers.next_deadline()); });
  EXPECT_LE(d.next_deadline(), earliest);
  EXPECT_GE(d.next_deadline(), kT0 + kRekeyTimeout);
  // Just before the first retransmission nothing is due; then they come in order.
  d.tick(kT0 + kRekeyTimeout - Duration::millis(1), out);
  EXPECT_EQ(out.initiations, 1000);
  d.tick(kT0 + kRekeyTimeout + kRekeyTimeoutJitterMax + Duration::millis(1500), out);
  int retried = out.initiations - 1000;
  EXPECT_GT(retried, 0);
  EXPECT_LT(retried, 1000) << "only those whose deadline came";
  d.tick(kT0 + kRekeyTimeout + kRekeyTimeoutJitterMax + Duration::seconds(3), out);
  EXPECT_EQ(out.initiations, 2000) << "each retried once";
  // Removed peers leave stale entries, which neither run nor pile up.
  for (int i = 0; i < 3000; i += 3) d.remove_peer(peers[size_t(i)]->keys.remote_static);
  d.tick(kT0 + Duration::seconds(100), out);
  EXPECT_EQ(out.initiations, 2000);
  EXPECT_LE(DeviceTestPeer::queued(d), 2 * d.peer_count() + 64);
}

}  // namespace
}  // namespace mw::wg
