// SPDX-License-Identifier: Apache-2.0
#include "nat/reflexive.h"

#include <gtest/gtest.h>

namespace mw::nat {
namespace {

using base::Duration;
using base::Endpoint;
using base::Instant;
using Family = base::IpAddress::Family;

Endpoint ep(const char* s) { return *Endpoint::parse(s); }

Observation seen(const char* observer, const char* at, const char* mapped, Instant when = {}) {
  return Observation{Observation::Source::kMember, observer, ep(at), ep(mapped), when};
}

TEST(Reflexive, UnknownUntilTwoObserversAgree) {
  ReflexiveAddresses r;
  EXPECT_EQ(r.mapping(Family::kV4), Mapping::kUnknown);
  EXPECT_TRUE(r.observe(seen("a", "10.99.0.2:51821", "10.99.1.1:51821")));
  EXPECT_EQ(r.mapping(Family::kV4), Mapping::kUnknown);
  EXPECT_EQ(r.addresses(Family::kV4), std::vector<Endpoint>{ep("10.99.1.1:51821")});
  // A second observer at the same address does not tell the mapping apart.
  EXPECT_FALSE(r.observe(seen("b", "10.99.0.2:3478", "10.99.1.1:51821")));
  EXPECT_EQ(r.mapping(Family::kV4), Mapping::kUnknown);
  EXPECT_FALSE(r.observe(seen("c", "10.99.0.3:51821", "10.99.1.1:51821")));
  EXPECT_EQ(r.mapping(Family::kV4), Mapping::kEndpointIndependent);
  EXPECT_EQ(r.mapping(Family::kV6), Mapping::kUnknown);
}

TEST(Reflexive, DifferentMappingsAreEndpointDependent) {
  ReflexiveAddresses r;
  r.observe(seen("a", "10.99.0.2:51821", "10.99.1.1:40001"));
  EXPECT_TRUE(r.observe(seen("b", "10.99.0.3:51821", "10.99.1.1:40002")));
  EXPECT_EQ(r.mapping(Family::kV4), Mapping::kEndpointDependent);
  EXPECT_EQ(r.addresses(Family::kV4).size(), 2u);
}

TEST(Reflexive, OwnEndpointSeenMeansNoNat) {
  ReflexiveAddresses r;
  r.set_local({ep("10.99.0.5:51821")});
  r.observe(seen("a", "10.99.0.2:51821", "10.99.0.5:51821"));
  EXPECT_EQ(r.mapping(Family::kV4), Mapping::kNone);
  EXPECT_TRUE(r.addresses(Family::kV4).empty());
  // The same address with another port is a NAT (or a firewall that rewrites ports) toward b;
  // a reached us without one (the same network). How that NAT maps takes a second observer.
  r.observe(seen("b", "10.99.0.3:51821", "10.99.0.5:1024"));
  EXPECT_EQ(r.mapping(Family::kV4), Mapping::kUnknown);
  r.observe(seen("c", "10.99.0.4:51821", "10.99.0.5:1025"));
  EXPECT_EQ(r.mapping(Family::kV4), Mapping::kEndpointDependent);
}

// A member on our LAN sees our own address; the world sees the NAT's. The LAN member must not
// make an endpoint-independent NAT look endpoint-dependent.
TEST(Reflexive, ALanObserverDoesNotChangeTheNatsMapping) {
  ReflexiveAddresses r;
  r.set_local({ep("10.201.0.2:51821")});
  r.observe(seen("lan", "10.201.0.3:51821", "10.201.0.2:51821"));
  r.observe(seen("a", "10.99.0.20:51821", "10.99.1.1:51821"));
  r.observe(seen("b", "10.99.1.2:51821", "10.99.1.1:51821"));
  EXPECT_EQ(r.mapping(Family::kV4), Mapping::kEndpointIndependent);
  EXPECT_EQ(r.addresses(Family::kV4), std::vector<Endpoint>{ep("10.99.1.1:51821")});
}

TEST(Reflexive, LatestObservationOfAnObserverWins) {
  ReflexiveAddresses r;
  r.observe(seen("a", "10.99.0.2:51821", "10.99.1.1:40001"));
  r.observe(seen("b", "10.99.0.3:51821", "10.99.1.1:40001"));
  // The NAT rebooted and gave us a new port; both observers see it in time.
  EXPECT_TRUE(r.observe(seen("a", "10.99.0.2:51821", "10.99.1.1:40009")));
  EXPECT_EQ(r.mapping(Family::kV4), Mapping::kEndpointDependent);
  r.observe(seen("b", "10.99.0.3:51821", "10.99.1.1:40009"));
  EXPECT_EQ(r.mapping(Family::kV4), Mapping::kEndpointIndependent);
  EXPECT_EQ(r.observations().size(), 2u);
}

TEST(Reflexive, OldObservationsExpire) {
  ReflexiveAddresses r(Duration::seconds(120));
  Instant t0 = Instant::from_nanos(int64_t{1} << 40);
  r.observe(seen("a", "10.99.0.2:51821", "10.99.1.1:40001", t0));
  r.observe(seen("b", "10.99.0.3:51821", "10.99.1.1:40001", t0 + Duration::seconds(60)));
  EXPECT_FALSE(r.expire(t0 + Duration::seconds(120)));
  EXPECT_EQ(r.observations().size(), 2u);
  EXPECT_FALSE(r.expire(t0 + Duration::seconds(121)));  // one left: same address
  EXPECT_EQ(r.observations().size(), 1u);
  EXPECT_TRUE(r.expire(t0 + Duration::seconds(181)));
  EXPECT_TRUE(r.addresses(Family::kV4).empty());
}

TEST(Reflexive, BoundedTheOldestGoes) {
  ReflexiveAddresses r(Duration::seconds(120), 3);
  Instant t0 = Instant::from_nanos(int64_t{1} << 40);
  r.observe(seen("a", "10.99.0.2:1", "10.99.1.1:1", t0 + Duration::seconds(1)));
  r.observe(seen("b", "10.99.0.3:1", "10.99.1.1:1", t0));
  r.observe(seen("c", "10.99.0.4:1", "10.99.1.1:1", t0 + Duration::seconds(2)));
  r.observe(seen("d", "10.99.0.5:1", "10.99.1.1:1", t0 + Duration::seconds(3)));
  ASSERT_EQ(r.observations().size(), 3u);
  for (const Observation& o : r.observations()) EXPECT_NE(o.observer, "b");
}

TEST(Reflexive, MostObservedFirst) {
  ReflexiveAddresses r;
  r.observe(seen("a", "10.99.0.2:1", "10.99.1.1:7"));
  r.observe(seen("b", "10.99.0.3:1", "10.99.1.1:9"));
  r.observe(seen("c", "10.99.0.4:1", "10.99.1.1:9"));
  EXPECT_EQ(r.addresses(Family::kV4),
            (std::vector<Endpoint>{ep("10.99.1.1:9"), ep("10.99.1.1:7")}));
}

}  // namespace
}  // namespace mw::nat
