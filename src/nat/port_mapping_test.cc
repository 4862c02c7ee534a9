// SPDX-License-Identifier: Apache-2.0
#include "nat/port_mapping.h"

#include <gtest/gtest.h>

namespace mw::nat {
namespace {

using base::Duration;
using base::Instant;

const Instant kStart = Instant::from_nanos(int64_t{1} << 40);

TEST(LeaseSchedule, FirstAttemptAtOnceThenRenewsAtHalfLife) {
  LeaseSchedule s;
  EXPECT_TRUE(s.due(kStart));
  s.on_attempt();
  EXPECT_FALSE(s.due(kStart));
  EXPECT_EQ(s.next_deadline(), Instant::max());
  s.on_granted(kStart, Duration::seconds(7200));
  EXPECT_TRUE(s.held());
  EXPECT_FALSE(s.due(kStart + Duration::seconds(3599)));
  EXPECT_TRUE(s.due(kStart + Duration::seconds(3600)));
  EXPECT_EQ(s.next_deadline(), kStart + Duration::seconds(3600));
  EXPECT_EQ(s.expires(), kStart + Duration::seconds(7200));
}

TEST(LeaseSchedule, ShortLeasesAreNotRenewedInATightLoop) {
  LeaseSchedule s;
  s.on_attempt();
  s.on_granted(kStart, Duration::seconds(4));
  EXPECT_FALSE(s.due(kStart + Duration::seconds(9)));
  EXPECT_TRUE(s.due(kStart + Duration::seconds(10)));
}

TEST(LeaseSchedule, FailuresBackOffDoublingToTheCap) {
  LeaseSchedule s;
  Instant now = kStart;
  std::vector<int64_t> waits;
  for (int i = 0; i < 7; ++i) {
    s.on_attempt();
    s.on_failed(now);
    waits.push_back((s.next_deadline() - now).to_millis() / 1000);
    now = s.next_deadline();
    EXPECT_TRUE(s.due(now));
  }
  EXPECT_EQ(waits, (std::vector<int64_t>{30, 60, 120, 240, 480, 600, 600}));
  // A grant resets the back-off.
  s.on_attempt();
  s.on_granted(now, Duration::seconds(100));
  s.on_attempt();
  s.on_failed(now);
  EXPECT_EQ(s.next_deadline(), now + Duration::seconds(30));
}

TEST(LeaseSchedule, AFailedRenewalKeepsTheLeaseUntilItExpires) {
  LeaseSchedule s;
  s.on_attempt();
  s.on_granted(kStart, Duration::seconds(100));
  Instant renew = kStart + Duration::seconds(50);
  s.on_attempt();
  s.on_failed(renew);
  EXPECT_TRUE(s.held());
  s.on_attempt();
  // The expiry is a deadline even while an attempt is in flight.
  EXPECT_EQ(s.next_deadline(), kStart + Duration::seconds(100));
  EXPECT_FALSE(s.expire(kStart + Duration::seconds(99)));
  EXPECT_TRUE(s.expire(kStart + Duration::seconds(100)));
  EXPECT_FALSE(s.held());
  EXPECT_FALSE(s.expire(kStart + Duration::seconds(101)));
}

TEST(MappingCheck, TheMappedIpMustBeOneTheWorldSees) {
  auto ep = [](const char* s) { return *base::Endpoint::parse(s); };
  EXPECT_EQ(check_mapping(ep("10.99.1.6:51821"), {}), MappingCheck::kUnknown);
  EXPECT_EQ(check_mapping(ep("10.99.1.6:51821"), {ep("[2001:db8::1]:1")}), MappingCheck::kUnknown);
  // The port may differ (the mapping is a new one), the address may not.
  EXPECT_EQ(check_mapping(ep("10.99.1.6:40000"), {ep("10.99.1.6:51821")}), MappingCheck::kVerified);
  EXPECT_EQ(check_mapping(ep("100.64.1.2:51821"), {ep("10.99.1.6:51821")}),
            MappingCheck::kMismatch);
  EXPECT_STREQ(mapping_check_name(MappingCheck::kMismatch), "mismatch");
}

TEST(MappingProtocol, NamesRoundTrip) {
  for (auto p : {MappingProtocol::kNone, MappingProtocol::kUpnp, MappingProtocol::kNatPmp,
                 MappingProtocol::kPcp})
    EXPECT_EQ(parse_mapping_protocol(mapping_protocol_name(p)), p);
  EXPECT_FALSE(parse_mapping_protocol("igd"));
}

}  // namespace
}  // namespace mw::nat
