// SPDX-License-Identifier: Apache-2.0
// NatService on a real loop over FakeIo: STUN answers from a fake server on the fake network,
// members' reports, the hairpin check, drops, and the netcheck report.
#include "node/nat_service.h"

#include <gtest/gtest.h>

#include "nat/stun_message.h"
#include "node/testing/loop_rig.h"

namespace mw::node {
namespace {

using base::Duration;
using base::Endpoint;
using base::Instant;

Endpoint ep(const char* s) { return *Endpoint::parse(s); }

// A STUN answer: success mapping `mapped` to the request's transaction; with the server's
// `other` address (OTHER-ADDRESS) when given.
std::vector<uint8_t> answer(const nat::TransactionId& id, const Endpoint& mapped,
                            std::optional<Endpoint> other = std::nullopt) {
  std::vector<uint8_t> d(32);
  base::store_u16be(d.data(), nat::kStunBindingSuccess);
  base::store_u16be(d.data() + 2, other ? 24 : 12);
  base::store_u32be(d.data() + 4, nat::kStunMagicCookie);
  std::copy(id.begin(), id.end(), d.begin() + 8);
  base::store_u16be(d.data() + 20, nat::kStunAttrXorMappedAddress);
  base::store_u16be(d.data() + 22, 8);
  d[25] = 1;
  base::store_u16be(d.data() + 26, mapped.port ^ uint16_t(nat::kStunMagicCookie >> 16));
  for (size_t i = 0; i < 4; ++i) d[28 + i] = mapped.address.data()[i] ^ d[4 + i];
  if (other) {
    d.resize(44);
    base::store_u16be(d.data() + 32, nat::kStunAttrOtherAddress);
    base::store_u16be(d.data() + 34, 8);
    d[37] = 1;
    base::store_u16be(d.data() + 38, other->port);
    for (size_t i = 0; i < 4; ++i) d[40 + i] = other->address.data()[i];
  }
  return d;
}

// A Binding request that reached the server, with its CHANGE-REQUEST flags (0 without).
struct Request {
  nat::TransactionId id;
  uint32_t change = 0;
};

class NatServiceTest : public ::testing::Test {
 protected:
  NatServiceTest() {
    dp::testing::FakeIoOptions o;
    o.address = ep("10.99.0.2:3478");
    o.tun = false;
    server_ = std::make_unique<dp::testing::FakeIo>(rig_.network(), o);
  }

  void start(std::vector<std::string> stun) {
    NatOptions options;
    options.stun = std::move(stun);
    nat_ = std::make_unique<NatService>(
        options, [this] { return ++rng_; },
        [](std::string_view, uint16_t) -> base::Result<std::vector<Endpoint>> {
          return base::make_error("no names in this test");
        },
        [] { return std::vector<base::IpAddress>{*base::IpAddress::parse("10.9.0.1")}; });
    ASSERT_TRUE(nat_->start(rig_.loop(), now_).ok());
    ASSERT_TRUE(rig_.settle(now_));
  }
  // One STUN server, which answers the first request naming its second address 10.99.0.3:3479.
  void start_with_second_address() {
    start({"10.99.0.2:3478"});
    auto ids = requests();
    ASSERT_EQ(ids.size(), 1u);
    rig_.io().inject_udp(ep("10.99.0.2:3478"),
                         answer(ids[0], ep("10.99.1.1:51820"), ep("10.99.0.3:3479")));
    ASSERT_TRUE(rig_.settle(now_));
  }
  // The requests that reached the server since the last call.
  std::vector<Request> drain() {
    std::vector<Request> out;
    std::array<uint8_t, 2048> buffer;
    os::DatagramSlot slot{buffer.data(), buffer.size(), 0, {}, 0};
    while (server_->recv_udp(dp::Family::kV4, std::span(&slot, 1)).value() == 1) {
      base::Bytes d(buffer.data(), slot.length);
      auto id = nat::parse_binding_request(d);
      if (!id) continue;
      bool change = d.size() == nat::kStunChangeRequestLen &&
                    base::load_u16be(d.data() + 20) == nat::kStunAttrChangeRequest;
      out.push_back({*id, change ? base::load_u32be(d.data() + 24) : 0});
    }
    return out;
  }
  // The plain Binding requests among them.
  std::vector<nat::TransactionId> requests() {
    std::vector<nat::TransactionId> out;
    for (const Request& r : drain())
      if (r.change == 0) out.push_back(r.id);
    return out;
  }

  testing::LoopRig rig_;
  std::unique_ptr<dp::testing::FakeIo> server_;
  std::unique_ptr<NatService> nat_;
  uint64_t rng_ = 0;
  Instant now_ = Instant::from_nanos(int64_t{1} << 40);
};

TEST_F(NatServiceTest, LearnsTheReflexiveAddressFromStun) {
  start({"10.99.0.2:3478"});
  auto ids = requests();
  ASSERT_EQ(ids.size(), 1u);
  now_ += Duration::millis(20);
  rig_.io().inject_udp(ep("10.99.0.2:3478"), answer(ids[0], ep("10.99.1.1:51820")));
  ASSERT_TRUE(rig_.settle(now_));
  control::NetcheckReport r = nat_->report(now_);
  EXPECT_EQ(r.source, "daemon");
  EXPECT_EQ(r.port, 51820);
  EXPECT_EQ(r.reflexive_v4, std::vector<std::string>{"10.99.1.1:51820"});
  EXPECT_EQ(r.mapping_v4, "unknown");  // one observer
  EXPECT_EQ(r.local, std::vector<std::string>{"10.9.0.1:51820"});
  ASSERT_EQ(r.stun.size(), 1u);
  EXPECT_EQ(r.stun[0].status, "ok");
  EXPECT_EQ(r.stun[0].mapped, "10.99.1.1:51820");
  ASSERT_TRUE(r.stun[0].rtt_ms);
  EXPECT_DOUBLE_EQ(*r.stun[0].rtt_ms, 20.0);
  // A member at another address sees the same: endpoint-independent.
  nat_->observed_by_member("member-b", ep("10.99.0.3:51821"), ep("10.99.1.1:51820"), now_);
  EXPECT_EQ(nat_->report(now_).mapping_v4, "endpoint-independent");
  ASSERT_EQ(nat_->report(now_).observers.size(), 2u);
}

TEST_F(NatServiceTest, RetransmitsUntilAnsweredAndRefreshesLater) {
  start({"10.99.0.2:3478"});
  EXPECT_EQ(requests().size(), 1u);
  now_ += Duration::millis(500);
  ASSERT_TRUE(rig_.settle(now_));
  auto again = requests();
  ASSERT_EQ(again.size(), 1u);
  rig_.io().inject_udp(ep("10.99.0.2:3478"), answer(again[0], ep("10.99.1.1:51820")));
  ASSERT_TRUE(rig_.settle(now_));
  EXPECT_TRUE(nat_->stun().idle());
  // The next round by the refresh interval (25 s), the mapping's keepalive.
  now_ += Duration::seconds(25);
  ASSERT_TRUE(rig_.settle(now_));
  EXPECT_EQ(requests().size(), 1u);
}

TEST_F(NatServiceTest, StrangersAnswersAndRequestsAreDroppedAndCounted) {
  start({"10.99.0.2:3478"});
  auto ids = requests();
  ASSERT_EQ(ids.size(), 1u);
  // The right transaction from another address: not taken.
  rig_.io().inject_udp(ep("10.99.0.66:3478"), answer(ids[0], ep("6.6.6.6:1")));
  // Someone's Binding request: we are not a STUN server.
  nat::TransactionId other{};
  auto request = nat::encode_binding_request(other);
  rig_.io().inject_udp(ep("10.99.0.66:1"), std::vector<uint8_t>(request.begin(), request.end()));
  // STUN-looking garbage and a first byte of 0x01 without the cookie.
  auto bad = answer(ids[0], ep("6.6.6.6:1"));
  bad[25] = 9;  // address family 9
  rig_.io().inject_udp(ep("10.99.0.2:3478"), bad);
  rig_.io().inject_udp(ep("10.99.0.66:1"), std::vector<uint8_t>(40, 0x01));
  ASSERT_TRUE(rig_.settle(now_));
  EXPECT_EQ(nat_->drops().unmatched, 1u);
  EXPECT_EQ(nat_->drops().requests, 1u);
  EXPECT_EQ(nat_->drops().malformed, 1u);
  EXPECT_EQ(nat_->drops().not_stun, 1u);
  EXPECT_TRUE(nat_->report(now_).reflexive_v4.empty());
}

TEST_F(NatServiceTest, HairpinCheckSendsToOurOwnReflexiveAddress) {
  start({});
  // Two members at different addresses see one mapping: endpoint-independent.
  nat_->observed_by_member("a", ep("10.99.0.3:51821"), ep("10.99.0.2:3478"), now_);
  nat_->observed_by_member("b", ep("10.99.0.4:51821"), ep("10.99.0.2:3478"), now_);
  // (The "server" FakeIo stands at our reflexive address: what reaches it is our probe.)
  now_ += Duration::seconds(5);
  ASSERT_TRUE(rig_.settle(now_));
  auto probes = requests();
  ASSERT_EQ(probes.size(), 1u);
  EXPECT_EQ(nat_->report(now_).hairpin, "unknown");
  // The NAT hairpins it back to us.
  auto back = nat::encode_binding_request(probes[0]);
  rig_.io().inject_udp(ep("10.99.0.2:3478"), std::vector<uint8_t>(back.begin(), back.end()));
  ASSERT_TRUE(rig_.settle(now_));
  EXPECT_EQ(nat_->report(now_).hairpin, "yes");
  EXPECT_EQ(nat_->drops().requests, 0u);
}

TEST_F(NatServiceTest, NoHairpinWhenTheProbeNeverComesBack) {
  start({});
  nat_->observed_by_member("a", ep("10.99.0.3:51821"), ep("10.99.0.2:3478"), now_);
  nat_->observed_by_member("b", ep("10.99.0.4:51821"), ep("10.99.0.2:3478"), now_);
  now_ += Duration::seconds(5);
  ASSERT_TRUE(rig_.settle(now_));
  ASSERT_EQ(requests().size(), 1u);
  now_ += Duration::seconds(3);
  ASSERT_TRUE(rig_.settle(now_));
  EXPECT_EQ(nat_->report(now_).hairpin, "no");
}

TEST_F(NatServiceTest, UnresolvedServersAreReported) {
  start({"stun.invalid"});
  control::NetcheckReport r = nat_->report(now_);
  ASSERT_TRUE(rig_.settle(now_ + Duration::millis(100)));
  r = nat_->report(now_);
  ASSERT_EQ(r.stun.size(), 1u);
  EXPECT_EQ(r.stun[0].status, "unresolved");
}

TEST_F(NatServiceTest, FilteringTestThroughAServerWithASecondAddress) {
  start_with_second_address();
  EXPECT_EQ(nat_->report(now_).filtering_v4, "unknown");
  // Once the first answers are in, both probes go to the server we reached.
  now_ += Duration::seconds(2);
  ASSERT_TRUE(rig_.settle(now_));
  auto probes = drain();
  ASSERT_EQ(probes.size(), 2u);
  EXPECT_EQ(probes[0].change, nat::kStunChangeIp | nat::kStunChangePort);
  EXPECT_EQ(probes[1].change, nat::kStunChangePort);
  // The answer from the other address and port gets in: endpoint-independent filtering.
  rig_.io().inject_udp(ep("10.99.0.3:3479"), answer(probes[0].id, ep("10.99.1.1:51820")));
  ASSERT_TRUE(rig_.settle(now_));
  control::NetcheckReport r = nat_->report(now_);
  EXPECT_EQ(r.filtering_v4, "endpoint-independent");
  EXPECT_EQ(r.filtering_v6, "unknown");
  EXPECT_EQ(nat_->drops().unmatched, 0u) << "the filtering answer is the test's, not a stranger's";
  // The test is repeated by its interval (300 s after it started), while the server answers
  // the STUN refreshes.
  Instant tested = now_;
  std::vector<Duration> again;
  for (int i = 0; i < 310; ++i) {
    now_ += Duration::seconds(1);
    ASSERT_TRUE(rig_.settle(now_));
    for (const Request& q : drain()) {
      if (q.change != 0) again.push_back(now_ - tested);
      if (q.change == 0)
        rig_.io().inject_udp(ep("10.99.0.2:3478"),
                             answer(q.id, ep("10.99.1.1:51820"), ep("10.99.0.3:3479")));
    }
    ASSERT_TRUE(rig_.settle(now_));
  }
  ASSERT_GE(again.size(), 2u);
  EXPECT_EQ(again[0], Duration::seconds(300));
}

TEST_F(NatServiceTest, NoAnswerToEitherProbeIsAddressAndPortDependent) {
  start_with_second_address();
  for (int i = 0; i < 12; ++i) {
    now_ += Duration::millis(500);
    ASSERT_TRUE(rig_.settle(now_));
  }
  EXPECT_EQ(nat_->report(now_).filtering_v4, "address-and-port-dependent");
}

TEST_F(NatServiceTest, NoFilteringTestWithoutASecondAddress) {
  start({"10.99.0.2:3478"});
  auto ids = requests();
  ASSERT_EQ(ids.size(), 1u);
  rig_.io().inject_udp(ep("10.99.0.2:3478"), answer(ids[0], ep("10.99.1.1:51820")));
  ASSERT_TRUE(rig_.settle(now_));
  for (int i = 0; i < 10; ++i) {
    now_ += Duration::seconds(1);
    ASSERT_TRUE(rig_.settle(now_));
    for (const Request& q : drain()) EXPECT_EQ(q.change, 0u);
  }
  EXPECT_EQ(nat_->report(now_).filtering_v4, "unknown");
}

}  // namespace
}  // namespace mw::node
