// SPDX-License-Identifier: Apache-2.0
// MembershipTest: a GoogleTest fixture with one Membership under test (identity 1) on a fake
// clock, hand-driven TestPeers 2..4 that its trust store authorizes, and a recording transport.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <random>

#include "discovery/membership.h"
#include "discovery/testing/test_peer.h"
#include "trust/testing/identities.h"

namespace mw::swim::testing {

class MembershipTest : public ::testing::Test {
 protected:
  static constexpr uint64_t kInc = 100;

  MembershipTest() : self_(trust::testing::identity_from_byte(1)), b_(2), c_(3), d_(4) {
    make(Config{});
  }

  // Authorizes peers 2..9 (peers from 10 up are strangers).
  trust::TrustStore default_trust() const {
    trust::TrustStore store(self_.public_key);
    for (uint8_t n = 2; n <= 9; ++n) {
      store.add_authorized_key(trust::testing::identity_from_byte(n).public_key);
    }
    return store;
  }

  void make(Config config, std::optional<trust::TrustStore> trust = std::nullopt) {
    config_ = config;
    m_ = std::make_unique<Membership>(self_, trust ? *trust : default_trust(), config,
                                      [this] { return rng_(); });
    m_->start(now_, wall_, kInc, {test_endpoint(1)}, std::nullopt, 1);
  }

  Membership& m() { return *m_; }
  const PublicKey& self_id() const { return self_.public_key; }

  void advance(base::Duration d) {
    now_ += d;
    wall_.unix_nanos += d.to_nanos();
  }
  void tick() { m_->tick(now_, wall_, out_); }
  void deliver(const TestPeer& from, const std::vector<uint8_t>& d) {
    m_->receive(d, from.endpoint(), now_, wall_, out_);
  }
  void deliver_from(const base::Endpoint& from, const std::vector<uint8_t>& d) {
    m_->receive(d, from, now_, wall_, out_);
  }
  // The peer makes itself known with its alive claim (an authenticated gossip datagram).
  void introduce(TestPeer& p, uint64_t inc = kInc) {
    deliver(p, p.gossip(self_id(), {p.alive(inc)}));
  }

  // Advances in small steps, ticking, until a datagram of type t is sent; returns the first.
  std::optional<RecordingTransport::Sent> run_until_sent(
      MessageType t, base::Duration limit = base::Duration::seconds(10)) {
    base::Duration step = base::Duration::millis(5);
    for (base::Duration waited; waited <= limit; waited += step) {
      tick();
      for (const auto& s : out_.sent()) {
        if (s.message.type == t) {
          RecordingTransport::Sent found = s;
          out_.take();
          return found;
        }
      }
      out_.take();
      advance(step);
    }
    return std::nullopt;
  }
  // Ticks until a probe ping goes to `target`, acking every other probe target's ping.
  std::optional<RecordingTransport::Sent> ping_to(TestPeer& target, std::vector<TestPeer*> others) {
    for (int i = 0; i < 40; ++i) {
      auto ping = run_until_sent(MessageType::kPing);
      if (!ping) return std::nullopt;
      if (ping->message.target == target.id()) return ping;
      for (TestPeer* p : others) {
        if (p->id() == ping->message.target) deliver(*p, p->ack(self_id(), ping->message.seq));
      }
    }
    return std::nullopt;
  }
  MemberState state(const TestPeer& p) {
    const MemberView* v = m_->find(p.id());
    EXPECT_NE(v, nullptr);
    return v ? v->state : MemberState::kLeft;
  }
  uint64_t drops(DropReason r) const { return m_->stats().drop_count(r); }

  trust::Identity self_;
  TestPeer b_, c_, d_;
  Config config_;
  std::mt19937_64 rng_{42};
  base::Instant now_ = base::Instant::from_nanos(1'000'000'000'000);
  base::WallTime wall_{1'700'000'000'000'000'000};
  RecordingTransport out_;
  std::unique_ptr<Membership> m_;
};

}  // namespace mw::swim::testing
