// SPDX-License-Identifier: Apache-2.0
// path_via: every label, from the member's signed candidate kinds, a punch and our NAT.
#include "node/path_label.h"

#include <gtest/gtest.h>

namespace mw::node {
namespace {

using base::Endpoint;
using swim::CandidateKind;

Endpoint ep(const char* s) { return *Endpoint::parse(s); }

swim::MemberView reached_at(const char* endpoint, CandidateKind kind) {
  swim::MemberView m;
  m.direct = true;
  m.endpoint = ep(endpoint);
  m.announced = {ep("192.0.2.9:1"), ep(endpoint)};
  m.announced_kinds = {CandidateKind::kHost, kind};
  return m;
}

constexpr OurSide kNoNat{true, false};
constexpr OurSide kBehindNat{false, true};

TEST(PathLabel, ByTheKindOfTheEndpointReached) {
  EXPECT_EQ(path_via(reached_at("198.51.100.7:51821", CandidateKind::kMapped), kBehindNat),
            "mapped");
  EXPECT_EQ(path_via(reached_at("198.51.100.7:51821", CandidateKind::kReflexive), kNoNat),
            "reflexive");
  EXPECT_EQ(path_via(reached_at("198.51.100.7:51821", CandidateKind::kUnknown), kNoNat), "");
}

TEST(PathLabel, ItsNatsAddressThroughOursIsPunched) {
  EXPECT_EQ(path_via(reached_at("198.51.100.7:51821", CandidateKind::kReflexive), kBehindNat),
            "punched");
  // Where its datagrams come from, in no claim (a symmetric NAT's port): peer-reflexive.
  swim::MemberView m = reached_at("198.51.100.7:51821", CandidateKind::kHost);
  m.endpoint = ep("198.51.100.7:7000");
  EXPECT_EQ(path_via(m, kNoNat), "reflexive");
  EXPECT_EQ(path_via(m, kBehindNat), "punched");
}

TEST(PathLabel, AHostAddressIsLanOnlyWhenPrivateAndNoNatIsOnOurSide) {
  EXPECT_EQ(path_via(reached_at("192.168.1.5:51821", CandidateKind::kHost), kNoNat), "lan");
  EXPECT_EQ(path_via(reached_at("[fd00::5]:51821", CandidateKind::kHost), kNoNat), "lan");
  EXPECT_EQ(path_via(reached_at("192.168.1.5:51821", CandidateKind::kHost), kBehindNat), "public")
      << "our NAT is in the way: it is not our network";
  EXPECT_EQ(path_via(reached_at("198.51.100.7:51821", CandidateKind::kHost), kNoNat), "public");
}

TEST(PathLabel, APunchedPathIsPunchedWhileItLasts) {
  swim::MemberView m = reached_at("198.51.100.7:40000", CandidateKind::kReflexive);
  m.punched = ep("198.51.100.7:40000");
  EXPECT_EQ(path_via(m, kNoNat), "punched");
  // A punch to a port mapping: the mapping let it in.
  swim::MemberView mapped = reached_at("198.51.100.7:40000", CandidateKind::kMapped);
  mapped.punched = ep("198.51.100.7:40000");
  EXPECT_EQ(path_via(mapped, kBehindNat), "mapped");
  // It roamed since: the label follows the endpoint in use.
  m.endpoint = ep("192.0.2.9:1");
  EXPECT_EQ(path_via(m, kNoNat), "public");
}

TEST(PathLabel, NothingForAnIndirectPathOrNoEndpoint) {
  swim::MemberView m = reached_at("198.51.100.7:51821", CandidateKind::kMapped);
  m.direct = false;
  EXPECT_EQ(path_via(m, kNoNat), "");
  m.direct = true;
  m.endpoint.reset();
  EXPECT_EQ(path_via(m, kNoNat), "");
}

TEST(PathLabel, PrivateRanges) {
  for (const char* a : {"10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.0.1", "100.64.0.1",
                        "169.254.1.1", "fd12::1", "fe80::1"})
    EXPECT_TRUE(is_private_address(*base::IpAddress::parse(a))) << a;
  for (const char* a : {"172.32.0.1", "100.128.0.1", "198.51.100.7", "2001:db8::1", "8.8.8.8"})
    EXPECT_FALSE(is_private_address(*base::IpAddress::parse(a))) << a;
}

}  // namespace
}  // namespace mw::node
