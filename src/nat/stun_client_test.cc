// SPDX-License-Identifier: Apache-2.0
#include "nat/stun_client.h"

#include <gtest/gtest.h>

#include <vector>

namespace mw::nat {
namespace {

using base::Duration;
using base::Endpoint;
using base::Instant;

Endpoint ep(const char* s) { return *Endpoint::parse(s); }

struct Sent {
  Endpoint to;
  std::vector<uint8_t> bytes;
};

class StunClientTest : public ::testing::Test {
 protected:
  StunClientTest() : client_(StunClientConfig{}, [this] { return ++rng_; }) {}

  void tick() {
    client_.tick(now_, [this](const Endpoint& to, base::Bytes d) {
      sent_.push_back({to, std::vector<uint8_t>(d.begin(), d.end())});
    });
  }
  void advance(Duration d) {
    now_ += d;
    tick();
  }
  // The answer to the `i`th datagram sent, mapping us to `mapped`.
  StunMessage answer(size_t i, const char* mapped) {
    StunMessage m;
    m.type = kStunBindingSuccess;
    m.transaction = *parse_binding_request(sent_.at(i).bytes);
    m.mapped = ep(mapped);
    return m;
  }
  static StunServerState server(const char* name, const char* endpoint) {
    StunServerState s;
    s.name = name;
    s.endpoint = ep(endpoint);
    return s;
  }

  uint64_t rng_ = 0;
  Instant now_ = Instant::from_nanos(int64_t{1} << 40);
  StunClient client_;
  std::vector<Sent> sent_;
};

TEST_F(StunClientTest, NoServersNoTraffic) {
  tick();
  EXPECT_TRUE(sent_.empty());
  EXPECT_EQ(client_.next_deadline(), Instant::max());
}

TEST_F(StunClientTest, AsksEveryServerAndTakesTheAnswers) {
  client_.set_servers({server("a", "10.99.0.2:3478"), server("b", "10.99.0.3:3478")});
  tick();
  ASSERT_EQ(sent_.size(), 2u);
  EXPECT_EQ(sent_[0].to, ep("10.99.0.2:3478"));
  EXPECT_EQ(sent_[1].to, ep("10.99.0.3:3478"));
  EXPECT_NE(*parse_binding_request(sent_[0].bytes), *parse_binding_request(sent_[1].bytes));
  now_ += Duration::millis(30);
  EXPECT_TRUE(client_.on_response(answer(0, "10.99.1.1:51821"), ep("10.99.0.2:3478"), now_));
  const StunServerState& a = client_.servers()[0];
  EXPECT_EQ(a.status, StunServerState::Status::kOk);
  EXPECT_EQ(a.mapped, ep("10.99.1.1:51821"));
  EXPECT_EQ(a.rtt, Duration::millis(30));
  EXPECT_FALSE(client_.idle());
  EXPECT_TRUE(client_.on_response(answer(1, "10.99.1.1:51821"), ep("10.99.0.3:3478"), now_));
  EXPECT_TRUE(client_.idle());
  // The next round at the refresh interval (the mapping's keepalive).
  EXPECT_EQ(client_.next_deadline(), now_ - Duration::millis(30) + Duration::seconds(25));
}

TEST_F(StunClientTest, AnswerFromElsewhereOrForAnotherTransactionIsNotTaken) {
  client_.set_servers({server("a", "10.99.0.2:3478")});
  tick();
  // The right transaction from another address: someone who saw our request.
  EXPECT_FALSE(client_.on_response(answer(0, "10.99.1.1:1"), ep("10.99.0.9:3478"), now_));
  StunMessage other = answer(0, "10.99.1.1:1");
  other.transaction[0] ^= 1;
  EXPECT_FALSE(client_.on_response(other, ep("10.99.0.2:3478"), now_));
  EXPECT_EQ(client_.servers()[0].status, StunServerState::Status::kPending);
  // The answer counts once.
  EXPECT_TRUE(client_.on_response(answer(0, "10.99.1.1:1"), ep("10.99.0.2:3478"), now_));
  EXPECT_FALSE(client_.on_response(answer(0, "10.99.1.1:1"), ep("10.99.0.2:3478"), now_));
}

TEST_F(StunClientTest, RetransmitsWithBackoffThenTimesOut) {
  client_.set_servers({server("a", "10.99.0.2:3478")});
  Instant start = now_;
  tick();
  std::vector<int64_t> at_ms;
  for (int i = 0; i < 200; ++i) {
    size_t before = sent_.size();
    Instant next = client_.next_deadline();
    if (next > start + Duration::seconds(20)) break;
    now_ = next;
    tick();
    if (sent_.size() > before) at_ms.push_back((now_ - start).to_millis());
  }
  // The first at 0, then RTO 500 ms doubling: 0.5, 1.5, 3.5, 7.5 s.
  EXPECT_EQ(at_ms, (std::vector<int64_t>{500, 1500, 3500, 7500}));
  const StunServerState& s = client_.servers()[0];
  EXPECT_EQ(s.status, StunServerState::Status::kTimeout);
  EXPECT_EQ(s.requests, 5u);
  EXPECT_EQ(s.timeouts, 1u);
  EXPECT_TRUE(client_.idle());
  // Every retransmission is the same transaction.
  for (const Sent& x : sent_) EXPECT_EQ(x.bytes, sent_[0].bytes);
}

TEST_F(StunClientTest, AnswerToARetransmissionMeasuresNoRtt) {
  client_.set_servers({server("a", "10.99.0.2:3478")});
  tick();
  advance(Duration::millis(500));
  ASSERT_EQ(sent_.size(), 2u);
  EXPECT_TRUE(client_.on_response(answer(1, "10.99.1.1:5"), ep("10.99.0.2:3478"), now_));
  EXPECT_FALSE(client_.servers()[0].rtt);
  EXPECT_TRUE(client_.servers()[0].mapped);
}

TEST_F(StunClientTest, ErrorResponseEndsTheTransaction) {
  client_.set_servers({server("a", "10.99.0.2:3478")});
  tick();
  StunMessage m = answer(0, "10.99.1.1:5");
  m.type = kStunBindingError;
  m.error_code = 400;
  EXPECT_TRUE(client_.on_response(m, ep("10.99.0.2:3478"), now_));
  EXPECT_EQ(client_.servers()[0].status, StunServerState::Status::kError);
  EXPECT_EQ(client_.servers()[0].error_code, 400);
  EXPECT_FALSE(client_.servers()[0].mapped);
}

TEST_F(StunClientTest, RefreshStartsARoundAtOnce) {
  client_.set_servers({server("a", "10.99.0.2:3478")});
  tick();
  ASSERT_TRUE(client_.on_response(answer(0, "10.99.1.1:5"), ep("10.99.0.2:3478"), now_));
  advance(Duration::seconds(1));
  EXPECT_EQ(sent_.size(), 1u);
  client_.refresh();
  tick();
  EXPECT_EQ(sent_.size(), 2u);
  EXPECT_EQ(client_.rounds(), 2u);
}

TEST_F(StunClientTest, NewServerListKeepsWhatAKeptServerSaid) {
  client_.set_servers({server("a", "10.99.0.2:3478")});
  tick();
  ASSERT_TRUE(client_.on_response(answer(0, "10.99.1.1:5"), ep("10.99.0.2:3478"), now_));
  client_.set_servers({server("b", "10.99.0.3:3478"), server("a", "10.99.0.2:3478")});
  EXPECT_EQ(client_.servers()[1].mapped, ep("10.99.1.1:5"));
  EXPECT_FALSE(client_.servers()[0].mapped);
}

TEST_F(StunClientTest, GivingUpTimesOutWhatIsInFlightOnly) {
  client_.set_servers({server("a", "10.99.0.2:3478"), server("b", "10.99.0.3:3478")});
  tick();
  ASSERT_TRUE(client_.on_response(answer(0, "10.99.1.1:1"), ep("10.99.0.2:3478"), now_));
  client_.give_up();
  EXPECT_TRUE(client_.idle());
  EXPECT_EQ(client_.servers()[0].status, StunServerState::Status::kOk);
  EXPECT_EQ(client_.servers()[1].status, StunServerState::Status::kTimeout);
  EXPECT_EQ(client_.servers()[1].timeouts, 1u);
  // Its late answer is no longer taken.
  EXPECT_FALSE(client_.on_response(answer(1, "10.99.1.1:1"), ep("10.99.0.3:3478"), now_));
}

TEST_F(StunClientTest, AnAnswerKeepsTheServersOtherAddress) {
  client_.set_servers({server("a", "10.99.0.2:3478")});
  tick();
  StunMessage m = answer(0, "10.99.1.1:1");
  m.other = ep("10.99.0.3:3479");
  ASSERT_TRUE(client_.on_response(m, ep("10.99.0.2:3478"), now_));
  EXPECT_EQ(client_.servers()[0].other, ep("10.99.0.3:3479"));
}

}  // namespace
}  // namespace mw::nat
