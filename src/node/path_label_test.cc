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

const OurSide kNoNat{{*base::IpAddress::parse("192.168.1.9"), *base::IpAddress::parse("fd00::9")},
                     false};
const OurSide kBehindNat{{*base::IpAddress::parse("192.168.1.9")}, true};

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

TEST(PathLabel, AHostAddressIsLanOnlyOnOneOfOurNetworks) {
  EXPECT_EQ(path_via(reached_at("192.168.1.5:51821", CandidateKind::kHost), kNoNat), "lan");
  EXPECT_EQ(path_via(reached_at("[fd00::5]:51821", CandidateKind::kHost), kNoNat), "lan");
  EXPECT_EQ(path_via(reached_at("192.168.2.5:51821", CandidateKind::kHost), kNoNat), "public")
      << "another /24";
  EXPECT_EQ(path_via(reached_at("[fd00:1::5]:51821", CandidateKind::kHost), kNoNat), "public")
      << "another /64";
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

TEST(PathLabel, SameNetwork) {
  std::vector<base::IpAddress> ours = {*base::IpAddress::parse("10.201.0.2"),
                                       *base::IpAddress::parse("fd00:202::2")};
  for (const char* a : {"10.201.0.3", "10.201.0.255", "fd00:202::99"})
    EXPECT_TRUE(same_network(*base::IpAddress::parse(a), ours)) << a;
  for (const char* a : {"10.201.1.3", "10.99.1.1", "fd00:203::2", "::ffff:10.201.0.3"})
    EXPECT_FALSE(same_network(*base::IpAddress::parse(a), ours)) << a;
  EXPECT_FALSE(same_network(*base::IpAddress::parse("10.201.0.3"), {}));
}

}  // namespace
}  // namespace mw::node
