// SPDX-License-Identifier: Apache-2.0
// Tests for mesh address derivation, prefix checks, IPv4 collision detection and org domains.
#include "trust/address.h"

#include <gtest/gtest.h>

#include <array>
#include <map>
#include <set>

#include "base/encoding.h"
#include "crypto/blake2b.h"
#include "trust/testing/identities.h"

namespace mw::trust {
namespace {

using base::IpAddress;
using base::IpPrefix;

IpPrefix prefix(const char* text) {
  auto p = IpPrefix::parse(text);
  EXPECT_TRUE(p.has_value()) << text;
  return p.value_or(IpPrefix{});
}

MeshPrefixes prefixes(const char* v6, const char* v4) {
  auto p = MeshPrefixes::make(prefix(v6), prefix(v4));
  EXPECT_TRUE(p.ok()) << p.error().message();
  return p.ok() ? *p : MeshPrefixes::defaults();
}

std::array<uint8_t, 32> hash_of(const PublicKey& key) {
  std::array<uint8_t, 32> h{};
  EXPECT_TRUE(crypto::blake2b(key, h));
  return h;
}

// Key number n: the counter in the first 8 bytes, the rest fixed (addresses do not need a
// valid point, so grinding is cheap and deterministic).
PublicKey counter_key(uint64_t n) {
  PublicKey k{};
  k.fill(0x5a);
  for (int i = 0; i < 8; ++i) k[size_t(i)] = uint8_t(n >> (8 * i));
  return k;
}

// The first counter key whose hash satisfies `pred`.
template <typename Pred>
PublicKey grind(Pred pred) {
  for (uint64_t n = 0; n < 100000; ++n) {
    const PublicKey k = counter_key(n);
    if (pred(hash_of(k))) return k;
  }
  ADD_FAILURE() << "no key found";
  return {};
}

unsigned __int128 be128(const uint8_t* p) {
  unsigned __int128 v = 0;
  for (int i = 0; i < 16; ++i) v = v << 8 | p[i];
  return v;
}

// An independent model of the rules: the address as an integer, host bits = hash >> length.
IpAddress model_ipv6(const PublicKey& key, const IpPrefix& p) {
  const auto h = hash_of(key);
  unsigned __int128 host = be128(h.data()) >> p.length;
  if (host == 0) host = 1;
  const unsigned __int128 v = be128(p.address.data()) | host;
  std::array<uint8_t, 16> b{};
  for (int i = 0; i < 16; ++i) b[size_t(i)] = uint8_t(v >> (8 * (15 - i)));
  return IpAddress::v6(b);
}

IpAddress model_ipv4(const PublicKey& key, const IpPrefix& p) {
  const auto h = hash_of(key);
  const uint32_t hv = uint32_t(h[0]) << 24 | uint32_t(h[1]) << 16 | uint32_t(h[2]) << 8 | h[3];
  uint32_t v = p.address.v4_host_order() | (hv >> p.length);
  if ((v & 0xff) == 0) v |= 1;
  if ((v & 0xff) == 0xff) v &= ~1u;
  return IpAddress::v4(v);
}

TEST(AddressTest, DefaultsMatchTheOriginalLayout) {
  const MeshPrefixes d = MeshPrefixes::defaults();
  EXPECT_EQ(d.v6.to_string(), "fd99:6d67::/64");
  EXPECT_EQ(d.v4.to_string(), "10.99.0.0/16");
  const PublicKey key = testing::identity_from_byte(1).public_key;
  const auto h = hash_of(key);
  const IpAddress v6 = mesh_ipv6(key, d);
  ASSERT_TRUE(v6.is_v6());
  EXPECT_TRUE(d.v6.contains(v6));
  for (int i = 0; i < 8; ++i) EXPECT_EQ(v6.data()[8 + i], h[size_t(i)]);
  const IpAddress v4 = mesh_ipv4(key, d);
  ASSERT_TRUE(v4.is_v4());
  EXPECT_TRUE(d.v4.contains(v4));
  EXPECT_EQ(v4.data()[2], h[0]);
  if (h[1] != 0 && h[1] != 255) {
    EXPECT_EQ(v4.data()[3], h[1]);
  }
}

TEST(AddressTest, Deterministic) {
  const MeshPrefixes d = MeshPrefixes::defaults();
  const PublicKey a = testing::identity_from_byte(1).public_key;
  const PublicKey b = testing::identity_from_byte(2).public_key;
  EXPECT_EQ(mesh_ipv6(a, d), mesh_ipv6(a, d));
  EXPECT_EQ(mesh_ipv4(a, d), mesh_ipv4(a, d));
  EXPECT_NE(mesh_ipv6(a, d), mesh_ipv6(b, d));
}

TEST(AddressTest, MatchesModelForManyKeysAndPrefixes) {
  const std::array<std::pair<const char*, const char*>, 5> cases = {{
      {"fd99:6d67::/64", "10.99.0.0/16"},
      {"fd00:1234:5600::/40", "172.16.0.0/12"},
      {"fdff::/8", "10.0.0.0/8"},
      {"fd12:3456:789a:bcde:f012:3456:789a:bc00/120", "192.168.7.0/24"},
      {"2001:db8::/33", "100.64.0.0/10"},
  }};
  for (const auto& [v6, v4] : cases) {
    const MeshPrefixes p = prefixes(v6, v4);
    for (uint64_t n = 0; n < 200; ++n) {
      const PublicKey k = counter_key(n);
      const IpAddress a6 = mesh_ipv6(k, p);
      const IpAddress a4 = mesh_ipv4(k, p);
      EXPECT_TRUE(p.v6.contains(a6)) << v6 << " " << a6.to_string();
      EXPECT_TRUE(p.v4.contains(a4)) << v4 << " " << a4.to_string();
      EXPECT_EQ(a6, model_ipv6(k, p.v6)) << v6;
      EXPECT_EQ(a4, model_ipv4(k, p.v4)) << v4;
      EXPECT_NE(a4.data()[3], 0);
      EXPECT_NE(a4.data()[3], 255);
    }
  }
}

TEST(AddressTest, LastIpv4ByteZeroBecomesOne) {
  // In a /24 the last byte is h[0]; in a /16 it is h[1].
  const MeshPrefixes p24 = prefixes("fd99:6d67::/64", "10.1.2.0/24");
  const PublicKey k = grind([](const auto& h) { return h[0] == 0; });
  EXPECT_EQ(mesh_ipv4(k, p24).to_string(), "10.1.2.1");
  const PublicKey k16 = grind([](const auto& h) { return h[1] == 0; });
  const IpAddress a = mesh_ipv4(k16, MeshPrefixes::defaults());
  EXPECT_EQ(a.data()[2], hash_of(k16)[0]);
  EXPECT_EQ(a.data()[3], 1);
}

TEST(AddressTest, LastIpv4Byte255Becomes254) {
  const MeshPrefixes p24 = prefixes("fd99:6d67::/64", "10.1.2.0/24");
  const PublicKey k = grind([](const auto& h) { return h[0] == 255; });
  EXPECT_EQ(mesh_ipv4(k, p24).to_string(), "10.1.2.254");
  const PublicKey k16 = grind([](const auto& h) { return h[1] == 255; });
  EXPECT_EQ(mesh_ipv4(k16, MeshPrefixes::defaults()).data()[3], 254);
}

TEST(AddressTest, OtherLastBytesAreKept) {
  const MeshPrefixes p24 = prefixes("fd99:6d67::/64", "10.1.2.0/24");
  const PublicKey k1 = grind([](const auto& h) { return h[0] == 1; });
  EXPECT_EQ(mesh_ipv4(k1, p24).to_string(), "10.1.2.1");
  const PublicKey k254 = grind([](const auto& h) { return h[0] == 254; });
  EXPECT_EQ(mesh_ipv4(k254, p24).to_string(), "10.1.2.254");
}

TEST(AddressTest, Ipv6HostIsNeverAllZero) {
  // A /120 leaves 8 host bits, h[0]; a zero byte there would give the subnet-router anycast.
  const MeshPrefixes p = prefixes("fd00::ab00/120", "10.99.0.0/16");
  const PublicKey k = grind([](const auto& h) { return h[0] == 0; });
  EXPECT_EQ(mesh_ipv6(k, p).to_string(), "fd00::ab01");
  const PublicKey k7 = grind([](const auto& h) { return h[0] == 7; });
  EXPECT_EQ(mesh_ipv6(k7, p).to_string(), "fd00::ab07");
}

TEST(AddressTest, MakeAcceptsEdgeLengths) {
  EXPECT_TRUE(MeshPrefixes::make(prefix("fd00::/8"), prefix("10.0.0.0/8")).ok());
  EXPECT_TRUE(MeshPrefixes::make(prefix("fd00::/120"), prefix("10.0.0.0/24")).ok());
}

TEST(AddressTest, MakeRejectsWrongFamilyOrLength) {
  struct Case {
    const char* v6;
    const char* v4;
    const char* error;
  };
  const Case cases[] = {
      {"10.0.0.0/8", "10.99.0.0/16", "ipv6_prefix: 10.0.0.0/8 is not an IPv6 prefix"},
      {"fd00::/7", "10.99.0.0/16", "ipv6_prefix: length 7 is outside 8..120"},
      {"fd00::/121", "10.99.0.0/16", "ipv6_prefix: length 121 is outside 8..120"},
      {"fd00::/128", "10.99.0.0/16", "ipv6_prefix: length 128 is outside 8..120"},
      {"fd00::/64", "fd00::/64", "ipv4_prefix: fd00::/64 is not an IPv4 prefix"},
      {"fd00::/64", "10.0.0.0/7", "ipv4_prefix: length 7 is outside 8..24"},
      {"fd00::/64", "10.0.0.0/25", "ipv4_prefix: length 25 is outside 8..24"},
      {"fd00::/64", "10.0.0.1/32", "ipv4_prefix: length 32 is outside 8..24"},
  };
  for (const Case& c : cases) {
    auto r = MeshPrefixes::make(prefix(c.v6), prefix(c.v4));
    ASSERT_FALSE(r.ok()) << c.v6 << " " << c.v4;
    EXPECT_EQ(r.error().message(), c.error);
  }
  auto empty = MeshPrefixes::make(IpPrefix{}, prefix("10.0.0.0/8"));
  EXPECT_FALSE(empty.ok());
}

TEST(AddressTest, CollisionsAreReported) {
  // A /24 has 254 usable addresses: a few dozen keys collide (birthday bound).
  const MeshPrefixes p = prefixes("fd99:6d67::/64", "10.7.7.0/24");
  std::vector<PublicKey> keys;
  std::map<IpAddress, std::vector<PublicKey>> model;
  for (uint64_t n = 0; n < 64; ++n) {
    keys.push_back(counter_key(n));
    model[mesh_ipv4(keys.back(), p)].push_back(keys.back());
  }
  std::vector<std::vector<PublicKey>> want;
  for (auto& [addr, group] : model) {
    if (group.size() < 2) continue;
    std::sort(group.begin(), group.end());
    want.push_back(group);
  }
  ASSERT_FALSE(want.empty());
  EXPECT_EQ(ipv4_collisions(keys, p), want);

  // Each reported group shares one address; keys outside the groups do not collide.
  std::set<PublicKey> in_groups;
  for (const auto& g : ipv4_collisions(keys, p)) {
    for (const auto& k : g) {
      EXPECT_EQ(mesh_ipv4(k, p), mesh_ipv4(g[0], p));
      in_groups.insert(k);
    }
  }
  std::vector<PublicKey> loners;
  for (const auto& k : keys) {
    if (!in_groups.count(k)) loners.push_back(k);
  }
  ASSERT_GE(loners.size(), 2u);
  EXPECT_TRUE(ipv4_collisions(loners, p).empty());
}

TEST(AddressTest, CollisionsInTheDefaultSlash16) {
  // 65534 addresses: about 300 keys give a collision, 2000 give several.
  const MeshPrefixes p = MeshPrefixes::defaults();
  std::vector<PublicKey> keys;
  std::map<IpAddress, size_t> count;
  for (uint64_t n = 0; n < 2000; ++n) {
    keys.push_back(counter_key(n));
    ++count[mesh_ipv4(keys.back(), p)];
  }
  size_t want_groups = 0;
  for (const auto& [addr, c] : count) want_groups += c >= 2;
  ASSERT_GT(want_groups, 0u);
  EXPECT_EQ(ipv4_collisions(keys, p).size(), want_groups);
}

TEST(AddressTest, CollisionGroupsAreSortedAndOrderedByAddress) {
  const MeshPrefixes p = prefixes("fd99:6d67::/64", "10.7.7.0/24");
  std::vector<PublicKey> keys;
  for (uint64_t n = 0; n < 200; ++n) keys.push_back(counter_key(n));
  std::reverse(keys.begin(), keys.end());
  const auto groups = ipv4_collisions(keys, p);
  ASSERT_GE(groups.size(), 2u);
  for (size_t i = 0; i < groups.size(); ++i) {
    EXPECT_TRUE(std::is_sorted(groups[i].begin(), groups[i].end()));
    if (i > 0) {
      EXPECT_LT(mesh_ipv4(groups[i - 1][0], p), mesh_ipv4(groups[i][0], p));
    }
  }
}

TEST(AddressTest, DuplicateKeysCountOnce) {
  const MeshPrefixes p = MeshPrefixes::defaults();
  const PublicKey a = testing::identity_from_byte(1).public_key;
  const PublicKey b = testing::identity_from_byte(2).public_key;
  const std::vector<PublicKey> keys = {a, a, b, a};
  EXPECT_TRUE(ipv4_collisions(keys, p).empty());
  EXPECT_TRUE(ipv4_collisions({}, p).empty());
}

TEST(AddressTest, OrgDomain) {
  const PublicKey org = testing::identity_from_byte(3).public_key;
  const auto h = hash_of(org);
  const std::string d = org_domain(org);
  EXPECT_EQ(d.size(), 6u);
  EXPECT_EQ(d, base::hex_encode(base::Bytes(h.data(), 3)));
  EXPECT_EQ(d.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(org_domain(testing::identity_from_byte(4).public_key), d);
}

}  // namespace
}  // namespace mw::trust
