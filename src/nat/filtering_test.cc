// SPDX-License-Identifier: Apache-2.0
// The filtering test (RFC 5780 §4.4): each verdict from which probes are answered, the
// retransmission schedule, and every way it stays unknown.
#include "nat/filtering.h"

#include <gtest/gtest.h>

#include <vector>

namespace mw::nat {
namespace {

using base::Duration;
using base::Endpoint;
using base::Instant;

Endpoint ep(const char* s) { return *Endpoint::parse(s); }

const Endpoint kServer = ep("10.99.0.10:3478");
const Endpoint kOther = ep("10.99.0.11:3479");

struct Sent {
  Endpoint to;
  TransactionId id;
  uint32_t flags;
  Instant at;
};

class FilteringTestTest : public ::testing::Test {
 protected:
  void tick() {
    test_.tick(now_, [&](const Endpoint& to, base::Bytes d) {
      ASSERT_EQ(d.size(), kStunChangeRequestLen);
      auto id = parse_binding_request(d);
      ASSERT_TRUE(id) << "a valid Binding request with its FINGERPRINT";
      ASSERT_EQ(base::load_u16be(d.data() + 20), kStunAttrChangeRequest);
      sent_.push_back({to, *id, base::load_u32be(d.data() + 24), now_});
    });
  }
  // Runs the clock until the test is over (at most 10 s), ticking at every deadline.
  void run_out() {
    for (int i = 0; i < 20 && test_.running(); ++i) {
      now_ = std::max(now_, test_.next_deadline());
      tick();
    }
  }
  const Sent& probe(uint32_t flags) const {
    for (const Sent& s : sent_)
      if (s.flags == flags) return s;
    ADD_FAILURE() << "no probe with flags " << flags;
    return sent_.front();
  }
  bool answer(uint32_t flags, const Endpoint& from, uint16_t type = kStunBindingSuccess) {
    StunMessage m;
    m.type = type;
    m.transaction = probe(flags).id;
    m.mapped = ep("10.99.1.1:40000");
    return test_.on_response(m, from, now_);
  }

  uint64_t n_ = 0;
  FilteringTest test_{FilteringConfig{}, [this] { return ++n_; }};
  Instant now_ = Instant::from_nanos(int64_t{1} << 40);
  std::vector<Sent> sent_;
};

constexpr uint32_t kBoth = kStunChangeIp | kStunChangePort;

TEST_F(FilteringTestTest, SendsBothProbesToTheServerItReached) {
  ASSERT_TRUE(test_.start(kServer, kOther, now_));
  EXPECT_TRUE(test_.running());
  tick();
  ASSERT_EQ(sent_.size(), 2u);
  EXPECT_EQ(sent_[0].to, kServer);
  EXPECT_EQ(sent_[1].to, kServer);
  EXPECT_EQ(sent_[0].flags, kBoth);
  EXPECT_EQ(sent_[1].flags, kStunChangePort);
  EXPECT_NE(sent_[0].id, sent_[1].id);
  EXPECT_FALSE(test_.start(kServer, kOther, now_)) << "one test at a time";
}

TEST_F(FilteringTestTest, AnAnswerFromTheOtherAddressMeansEndpointIndependent) {
  ASSERT_TRUE(test_.start(kServer, kOther, now_));
  tick();
  EXPECT_TRUE(answer(kBoth, kOther));
  EXPECT_FALSE(test_.running());
  EXPECT_EQ(test_.result(), Filtering::kEndpointIndependent);
  EXPECT_EQ(test_.server(), kServer);
}

TEST_F(FilteringTestTest, OnlyTheOtherPortGettingInMeansAddressDependent) {
  ASSERT_TRUE(test_.start(kServer, kOther, now_));
  tick();
  EXPECT_TRUE(answer(kStunChangePort, ep("10.99.0.10:3479")));
  EXPECT_TRUE(test_.running()) << "test II may still be answered";
  run_out();
  EXPECT_EQ(test_.result(), Filtering::kAddressDependent);
}

TEST_F(FilteringTestTest, NothingGettingInMeansAddressAndPortDependent) {
  Instant started = now_;
  ASSERT_TRUE(test_.start(kServer, kOther, now_));
  run_out();
  EXPECT_FALSE(test_.running());
  EXPECT_EQ(test_.result(), Filtering::kAddressAndPortDependent);
  // Three transmissions of each, at 0, 0.5 and 1.5 s; the verdict 2 s after the last.
  std::vector<Duration> at;
  for (const Sent& s : sent_)
    if (s.flags == kBoth) at.push_back(s.at - started);
  EXPECT_EQ(
      at, (std::vector<Duration>{Duration::zero(), Duration::millis(500), Duration::millis(1500)}));
  EXPECT_EQ(now_ - started, Duration::millis(3500));
  EXPECT_EQ(test_.tests(), 1u);
}

TEST_F(FilteringTestTest, AServerThatIgnoresTheChangeLeavesItUnknown) {
  ASSERT_TRUE(test_.start(kServer, kOther, now_));
  tick();
  EXPECT_TRUE(answer(kBoth, kServer)) << "taken, but it proves nothing";
  EXPECT_FALSE(test_.running());
  EXPECT_EQ(test_.result(), Filtering::kUnknown);
}

TEST_F(FilteringTestTest, AnErrorAnswerLeavesItUnknown) {
  ASSERT_TRUE(test_.start(kServer, kOther, now_));
  tick();
  EXPECT_TRUE(answer(kStunChangePort, ep("10.99.0.10:3479"), kStunBindingError));
  EXPECT_FALSE(test_.running());
  EXPECT_EQ(test_.result(), Filtering::kUnknown);
}

TEST_F(FilteringTestTest, StrangersAnswersAndLateDuplicatesAreNotVerdicts) {
  EXPECT_FALSE(test_.on_response(StunMessage{}, kOther, now_)) << "no test running";
  ASSERT_TRUE(test_.start(kServer, kOther, now_));
  tick();
  StunMessage stranger;
  stranger.type = kStunBindingSuccess;
  stranger.transaction = make_transaction_id(999, 999);
  EXPECT_FALSE(test_.on_response(stranger, kOther, now_));
  EXPECT_TRUE(test_.running());
  EXPECT_TRUE(answer(kStunChangePort, ep("10.99.0.10:3479")));
  EXPECT_TRUE(answer(kStunChangePort, ep("10.99.0.10:3479"))) << "a duplicate, still ours";
  EXPECT_TRUE(test_.running());
}

TEST_F(FilteringTestTest, AnOtherAddressThatCannotTellIsRefused) {
  EXPECT_FALSE(test_.start(kServer, ep("10.99.0.10:3479"), now_)) << "same IP address";
  EXPECT_FALSE(test_.start(kServer, ep("10.99.0.11:3478"), now_)) << "same port";
  EXPECT_FALSE(test_.start(kServer, ep("[fd00::1]:3479"), now_)) << "another family";
  EXPECT_FALSE(test_.running());
  EXPECT_EQ(test_.next_deadline(), Instant::max());
  EXPECT_EQ(test_.result(), Filtering::kUnknown);
}

TEST_F(FilteringTestTest, ALaterTestReplacesTheVerdict) {
  ASSERT_TRUE(test_.start(kServer, kOther, now_));
  tick();
  answer(kBoth, kOther);
  ASSERT_EQ(test_.result(), Filtering::kEndpointIndependent);
  sent_.clear();
  ASSERT_TRUE(test_.start(kServer, kOther, now_));
  EXPECT_EQ(test_.result(), Filtering::kEndpointIndependent) << "the old verdict until decided";
  run_out();
  EXPECT_EQ(test_.result(), Filtering::kAddressAndPortDependent);
  EXPECT_EQ(test_.tests(), 2u);
}

TEST(FilteringName, EveryValue) {
  EXPECT_STREQ(filtering_name(Filtering::kUnknown), "unknown");
  EXPECT_STREQ(filtering_name(Filtering::kEndpointIndependent), "endpoint-independent");
  EXPECT_STREQ(filtering_name(Filtering::kAddressDependent), "address-dependent");
  EXPECT_STREQ(filtering_name(Filtering::kAddressAndPortDependent), "address-and-port-dependent");
}

}  // namespace
}  // namespace mw::nat
