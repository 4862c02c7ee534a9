// SPDX-License-Identifier: Apache-2.0
// Transport data received in two phases (Device::admit_transport, opening anywhere, then
// Device::finish_transport), as the interface does when crypto workers open a batch: the outcome
// must be receive_datagram's, datagram for datagram: exact replay checks inside one batch and
// across batches, every drop counted under the same reason, and a peer removed mid-batch safe.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <tuple>
#include <vector>

#include "wireguard/constants.h"
#include "wireguard/device.h"
#include "wireguard/testing/packets.h"
#include "wireguard/testing/two_peer_sim.h"
#include "wireguard/transport.h"

namespace mw::wg {
namespace {

using base::Duration;
using testing::TwoPeerSim;
using Side = TwoPeerSim::Side;
using Datagram = std::vector<uint8_t>;

class Capture final : public DeviceOutput {
 public:
  void send_datagram(const base::Endpoint&, base::Bytes) override {}
  void deliver_packet(base::Bytes p) override {
    tags.push_back(testing::packet_tag(std::vector<uint8_t>(p.begin(), p.end())));
  }
  std::vector<uint64_t> tags;
};

// A session A -> B, then `count` data packets from A (tags 0..count-1) captured off the link
// instead of reaching B.
std::vector<Datagram> capture_from_a(TwoPeerSim& sim, size_t count) {
  sim.send(Side::kA, 100, 1000);
  sim.run_for(Duration::millis(50));
  EXPECT_EQ(sim.packet_count_delivered_tag(Side::kB, 1000), 1u);
  std::vector<Datagram> captured;
  sim.set_filter([&captured](Side from, base::Bytes d) {
    if (from == Side::kA && !d.empty() && d[0] == 4) {
      captured.emplace_back(d.begin(), d.end());
      return false;
    }
    return true;
  });
  for (size_t i = 0; i < count; ++i) sim.send(Side::kA, 60 + i % 700, i);
  sim.run_for(Duration::millis(1));
  sim.set_filter(nullptr);
  EXPECT_EQ(captured.size(), count);
  return captured;
}

// Receives `batch` on B in two phases; the opens run in a shuffled order, as on workers.
void receive_in_two_phases(TwoPeerSim& sim, std::vector<Datagram> batch, Capture& out,
                           std::mt19937_64& rng) {
  Device& b = sim.device(Side::kB);
  struct Admitted {
    size_t index;
    TransportTicket ticket;
    bool opened = false;
  };
  std::vector<Admitted> admitted;
  for (size_t i = 0; i < batch.size(); ++i)
    if (auto t = b.admit_transport(batch[i], sim.now())) admitted.push_back({i, *t});
  std::vector<size_t> order(admitted.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), rng);
  for (size_t k : order) {
    Admitted& a = admitted[k];
    a.opened = open_transport(a.ticket.key, a.ticket.counter, batch[a.index]).has_value();
  }
  for (const Admitted& a : admitted)
    b.finish_transport(a.ticket, batch[a.index], a.opened, sim.endpoint(Side::kA), sim.now(), out);
}

void receive_one_by_one(TwoPeerSim& sim, std::vector<Datagram> batch, Capture& out) {
  for (Datagram& d : batch)
    sim.device(Side::kB).receive_datagram(d, sim.endpoint(Side::kA), sim.now(), false, out);
}

TEST(BatchedReceive, InOrderBatchDeliversEverythingOnce) {
  TwoPeerSim sim;
  std::vector<Datagram> sent = capture_from_a(sim, 40);
  std::mt19937_64 rng(1);
  Capture out;
  receive_in_two_phases(sim, sent, out, rng);
  std::vector<uint64_t> want(40);
  for (size_t i = 0; i < want.size(); ++i) want[i] = i;
  EXPECT_EQ(out.tags, want);
  for (size_t r = 0; r < size_t(DropReason::kCount); ++r)
    EXPECT_EQ(sim.device(Side::kB).stats().drop_counts[r], 0u) << drop_reason_name(DropReason(r));
}

TEST(BatchedReceive, ReplaysInsideAndAcrossBatchesAreDroppedExactly) {
  TwoPeerSim sim;
  std::vector<Datagram> sent = capture_from_a(sim, 10);
  std::mt19937_64 rng(2);
  Capture out;
  // Two copies of 3 and of 7 in one batch: both copies open, only the first is accepted.
  std::vector<Datagram> batch = {sent[0], sent[3], sent[1], sent[3],
                                 sent[2], sent[7], sent[7], sent[4]};
  receive_in_two_phases(sim, batch, out, rng);
  EXPECT_EQ(out.tags, (std::vector<uint64_t>{0, 3, 1, 2, 7, 4}));
  EXPECT_EQ(sim.device(Side::kB).stats().drops(DropReason::kReplayed), 2u);
  // A later batch: old counters are replays, the rest arrive out of order but within the window.
  receive_in_two_phases(sim, {sent[9], sent[1], sent[5], sent[8], sent[6], sent[0]}, out, rng);
  EXPECT_EQ(out.tags, (std::vector<uint64_t>{0, 3, 1, 2, 7, 4, 9, 5, 8, 6}));
  EXPECT_EQ(sim.device(Side::kB).stats().drops(DropReason::kReplayed), 4u);
}

TEST(BatchedReceive, BadDatagramsAreCountedLikeReceiveDatagram) {
  TwoPeerSim sim;
  std::vector<Datagram> sent = capture_from_a(sim, 4);
  std::mt19937_64 rng(3);
  Datagram tampered = sent[1];
  tampered.back() ^= 1;
  Datagram unknown = sent[2];
  unknown[4] ^= 0xff;  // receiver index
  Datagram short_one(kTransportMinLen - 1, 4);
  Datagram not_transport = sent[3];
  not_transport[0] = 1;
  Capture out;
  receive_in_two_phases(sim, {sent[0], tampered, unknown, short_one, not_transport, sent[3]}, out,
                        rng);
  EXPECT_EQ(out.tags, (std::vector<uint64_t>{0, 3}));
  const DeviceStats& st = sim.device(Side::kB).stats();
  EXPECT_EQ(st.drops(DropReason::kDecryptFailed), 1u);
  EXPECT_EQ(st.drops(DropReason::kUnknownIndex), 1u);
  EXPECT_EQ(st.drops(DropReason::kMalformed), 2u);
  // The tampered message's counter was never accepted: the genuine one still gets in.
  receive_in_two_phases(sim, {sent[1]}, out, rng);
  EXPECT_EQ(out.tags, (std::vector<uint64_t>{0, 3, 1}));
}

// The checks before decryption refuse at admission, counted as receive_datagram counts them.
TEST(BatchedReceive, AdmissionRefusesExpiredKeypairsAndExhaustedCounters) {
  TwoPeerSim sim;
  std::vector<Datagram> sent = capture_from_a(sim, 2);
  Device& b = sim.device(Side::kB);
  EXPECT_FALSE(b.admit_transport(sent[0], sim.now() + kRejectAfterTime));
  EXPECT_EQ(b.stats().drops(DropReason::kKeypairExpired), 1u);
  Datagram exhausted(kTransportMinLen, 0);
  encode_transport_header(
      {sim.peer_of(Side::kB).keypairs.current->local_index, kRejectAfterMessages},
      exhausted.data());
  EXPECT_FALSE(b.admit_transport(exhausted, sim.now()));
  EXPECT_EQ(b.stats().drops(DropReason::kCounterExhausted), 1u);
  // Still admitted before the limit.
  EXPECT_TRUE(b.admit_transport(sent[1], sim.now() + kRejectAfterTime - Duration::seconds(1)));
}

TEST(BatchedReceive, PeerRemovedBetweenAdmitAndFinishIsSafe) {
  TwoPeerSim sim;
  std::vector<Datagram> sent = capture_from_a(sim, 3);
  Device& b = sim.device(Side::kB);
  auto ticket = b.admit_transport(sent[0], sim.now());
  ASSERT_TRUE(ticket);
  ASSERT_TRUE(open_transport(ticket->key, ticket->counter, sent[0]));
  b.remove_peer(sim.peer_of(Side::kB).keys.remote_static);
  Capture out;
  b.finish_transport(*ticket, sent[0], true, sim.endpoint(Side::kA), sim.now(), out);
  EXPECT_TRUE(out.tags.empty());
  EXPECT_EQ(b.stats().drops(DropReason::kUnknownIndex), 1u);
}

// The same random traffic (replays, reordering, tampering) given to two fresh pairs, one
// receiving one datagram at a time, the other in batches of random size: the same packets come
// out in the same order, with the same drops.
TEST(BatchedReceive, SameOutcomeAsOneByOne) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    std::mt19937_64 pattern(seed);
    std::vector<int> plan;  // index into the captured datagrams; negative: tampered copy
    for (int i = 0; i < 120; ++i) {
      int base = int(std::min<uint64_t>(pattern() % 100, uint64_t(i)));
      int pick = pattern() % 4 == 0 ? base : i % 100;  // a quarter replays or reorders
      plan.push_back(pattern() % 30 == 0 ? -1 - pick : pick);
    }
    std::vector<size_t> cuts;
    for (size_t at = 0; at < plan.size(); at += 1 + pattern() % 40) cuts.push_back(at);
    cuts.push_back(plan.size());

    auto run = [&](bool batched) {
      TwoPeerSim sim;
      std::vector<Datagram> sent = capture_from_a(sim, 100);
      std::vector<Datagram> traffic;
      for (int p : plan) {
        Datagram d = sent[size_t(p < 0 ? -1 - p : p)];
        if (p < 0) d[20] ^= 0x10;
        traffic.push_back(std::move(d));
      }
      Capture out;
      std::mt19937_64 rng(seed);
      for (size_t c = 0; c + 1 < cuts.size(); ++c) {
        std::vector<Datagram> part(traffic.begin() + long(cuts[c]),
                                   traffic.begin() + long(cuts[c + 1]));
        if (batched) {
          receive_in_two_phases(sim, part, out, rng);
        } else {
          receive_one_by_one(sim, part, out);
        }
      }
      return std::make_pair(out.tags, sim.device(Side::kB).stats().drop_counts);
    };
    auto one = run(false);
    auto two = run(true);
    EXPECT_EQ(two.first, one.first) << "seed " << seed;
    EXPECT_EQ(two.second, one.second) << "seed " << seed;
    EXPECT_GT(one.first.size(), 50u);
    EXPECT_GT(one.second[size_t(DropReason::kReplayed)], 0u);
  }
}

// Across key rotations: A's data is held back over three rekeys (every fourth datagram still
// gets through, so B confirms each new session), then a last rekey whose new session B has not
// seen used yet (`next`; even A's keepalive is held). One batch mixes messages of every session,
// newest first: the first message of the newest session confirms it in the middle of the
// batch, and messages of the session it replaces follow. The same packets must come out in the
// same order, with the same drops.
TEST(BatchedReceive, SameOutcomeAcrossKeyRotations) {
  auto run = [](bool batched) {
    TwoPeerSim sim;
    std::vector<Datagram> held;
    bool let_some_through = true;
    sim.set_filter([&](Side from, base::Bytes d) {
      if (from != Side::kA || d.empty() || d[0] != 4) return true;  // handshakes, B's traffic
      if (let_some_through && d.size() < kTransportMinLen + 20) return true;  // keepalives
      held.emplace_back(d.begin(), d.end());
      return let_some_through && held.size() % 4 == 1;
    });
    uint64_t tag = 0;
    auto burst = [&] {
      for (int i = 0; i < 5; ++i) sim.send(Side::kA, 200, tag++);
      sim.run_for(Duration::millis(100));
    };
    for (int round = 0; round < 4; ++round) {
      if (round == 3) let_some_through = false;
      // The first burst still goes under the old session and starts the rekey; the second
      // goes under the new one.
      burst();
      burst();
      if (round == 3) break;
      sim.run_for(kRekeyAfterTime - Duration::seconds(60));
      burst();
      sim.run_for(Duration::seconds(61));  // A rekeys on its next send
    }
    EXPECT_NE(sim.peer_of(Side::kB).keypairs.next, nullptr);
    std::vector<Datagram> batch(held.rbegin(), held.rend());
    for (size_t i = 0; i < held.size(); i += 3) batch.push_back(held[i]);
    Capture out;
    std::mt19937_64 rng(7);
    if (batched) {
      receive_in_two_phases(sim, batch, out, rng);
    } else {
      receive_one_by_one(sim, batch, out);
    }
    EXPECT_EQ(sim.peer_of(Side::kB).keypairs.next, nullptr) << "confirmed by the batch";
    return std::make_tuple(out.tags, sim.device(Side::kB).stats().drop_counts, held.size());
  };
  auto one = run(false);
  auto two = run(true);
  EXPECT_EQ(std::get<0>(two), std::get<0>(one)) << "delivered packets";
  EXPECT_EQ(std::get<1>(two), std::get<1>(one)) << "drop counters";
  EXPECT_EQ(std::get<2>(two), std::get<2>(one));
  // The scenario did what it is for: messages of the live sessions were accepted, older
  // sessions' refused, replays caught.
  const auto& drops = std::get<1>(one);
  EXPECT_GE(std::get<0>(one).size(), 10u);
  EXPECT_GT(drops[size_t(DropReason::kUnknownIndex)] + drops[size_t(DropReason::kKeypairExpired)],
            0u);
  EXPECT_GT(drops[size_t(DropReason::kReplayed)], 0u);
}

}  // namespace
}  // namespace mw::wg
