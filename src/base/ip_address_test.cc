// SPDX-License-Identifier: Apache-2.0
// Tests for IpAddress, Endpoint and IpPrefix text forms (RFC 4291 §2.2, RFC 5952) and masking.
#include "base/ip_address.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace mw::base {
namespace {

std::string canonical(std::string_view text) {
  auto a = IpAddress::parse(text);
  if (!a) return "<invalid>";
  return a->to_string();
}

TEST(IpAddress, ParsesAndPrintsIpv4) {
  for (std::string_view s : {"0.0.0.0", "255.255.255.255", "192.0.2.1", "10.0.0.1", "1.2.3.4"}) {
    auto a = IpAddress::parse(s);
    ASSERT_TRUE(a) << s;
    EXPECT_TRUE(a->is_v4());
    EXPECT_EQ(a->length(), 4u);
    EXPECT_EQ(a->to_string(), s);
  }
  auto a = IpAddress::parse("192.0.2.1");
  EXPECT_EQ(a->v4_host_order(), 0xc0000201u);
  EXPECT_EQ(*a, IpAddress::v4(0xc0000201u));
  EXPECT_EQ(*a, IpAddress::v4({192, 0, 2, 1}));
  EXPECT_EQ(a->data()[0], 192);
}

TEST(IpAddress, RejectsBadIpv4) {
  for (std::string_view s : {
           "",          "01.2.3.4",  "1.2.3.04",   "00.0.0.0", "1.02.3.4",  "256.0.0.0",
           "1.2.3.256", "1.2.3.999", "1000.1.1.1", "1.2.3",    "1.2.3.4.5", "1..2.3",
           "1.2.3.",    ".1.2.3",    " 1.2.3.4",   "1.2.3.4 ", "a.b.c.d",   "1.2.3.-4",
           "+1.2.3.4",  "0x1.2.3.4", "1.2.3.4/32", "1.2.3.4.", "....",
       }) {
    EXPECT_FALSE(IpAddress::parse(s)) << s;
  }
}

TEST(IpAddress, ParsesIpv6Forms) {
  auto any = IpAddress::parse("::");
  ASSERT_TRUE(any);
  EXPECT_TRUE(any->is_v6());
  EXPECT_EQ(any->length(), 16u);
  EXPECT_EQ(*any, IpAddress::v6({}));

  auto loopback = IpAddress::parse("::1");
  ASSERT_TRUE(loopback);
  std::array<uint8_t, 16> one{};
  one[15] = 1;
  EXPECT_EQ(*loopback, IpAddress::v6(one));

  auto full = IpAddress::parse("2001:0db8:0000:0000:0000:ff00:0042:8329");
  ASSERT_TRUE(full);
  EXPECT_EQ(full->to_string(), "2001:db8::ff00:42:8329");
  EXPECT_EQ(IpAddress::parse("2001:db8::ff00:42:8329"), full);
  EXPECT_EQ(IpAddress::parse("2001:DB8::FF00:42:8329"), full);

  std::array<uint8_t, 16> mapped{};
  mapped[10] = 0xff;
  mapped[11] = 0xff;
  mapped[12] = 192;
  mapped[13] = 0;
  mapped[14] = 2;
  mapped[15] = 1;
  EXPECT_EQ(IpAddress::parse("::ffff:192.0.2.1"), IpAddress::v6(mapped));
  EXPECT_EQ(IpAddress::parse("0:0:0:0:0:ffff:192.0.2.1"), IpAddress::v6(mapped));
  EXPECT_EQ(IpAddress::parse("::ffff:c000:201"), IpAddress::v6(mapped));
  EXPECT_EQ(canonical("64:ff9b::192.0.2.33"), "64:ff9b::c000:221");

  EXPECT_EQ(canonical("1::"), "1::");
  EXPECT_EQ(canonical("1:2:3:4:5:6:7::"), "1:2:3:4:5:6:7:0");
  EXPECT_EQ(canonical("::2:3:4:5:6:7:8"), "0:2:3:4:5:6:7:8");
  EXPECT_EQ(canonical("fe80::1"), "fe80::1");

  // An IPv4 address and its mapped IPv6 form are different values.
  EXPECT_NE(IpAddress::parse("192.0.2.1"), IpAddress::parse("::ffff:192.0.2.1"));
}

TEST(IpAddress, RejectsBadIpv6) {
  for (std::string_view s : {
           ":",
           ":::",
           "1::2::3",
           "::1::",
           "1:::2",
           ":1::",
           "::1:",
           "1:2:3:4:5:6:7",
           "1:2:3:4:5:6:7:8:9",
           "1:2:3:4:5:6:7:8::",
           "::1:2:3:4:5:6:7:8",
           "1::2:3:4:5:6:7:8",
           "12345::",
           "g::",
           "::-1",
           "::+1",
           "1:2:3:4:5:6:7:1.2.3.4",
           "1:2:3:4:5:6::1.2.3.4",
           "::1.2.3",
           "::1.2.3.4:5",
           "::256.0.0.1",
           "::01.2.3.4",
           "fe80::1%eth0",
           "[::1]",
           " ::1",
           "::1 ",
           "0000:0000:0000:0000:0000:0000:0000:0000:0000",
       }) {
    EXPECT_FALSE(IpAddress::parse(s)) << s;
  }
}

// RFC 5952 §4: lowercase, no leading zeros, "::" for the longest run of two or more zero groups,
// the first such run on a tie, and a single zero group left alone.
TEST(IpAddress, FormatsIpv6PerRfc5952) {
  EXPECT_EQ(canonical("::"), "::");
  EXPECT_EQ(canonical("::1"), "::1");
  EXPECT_EQ(canonical("0:0:0:0:0:0:0:1"), "::1");
  EXPECT_EQ(canonical("2001:0DB8:0000:0000:0000:0000:0000:0001"), "2001:db8::1");
  EXPECT_EQ(canonical("2001:db8:0:0:1:0:0:1"), "2001:db8::1:0:0:1");     // first of a tie
  EXPECT_EQ(canonical("2001:db8:0:0:1:0:0:0"), "2001:db8:0:0:1::");      // longest wins
  EXPECT_EQ(canonical("2001:0:0:1:0:0:0:1"), "2001:0:0:1::1");           // longest wins
  EXPECT_EQ(canonical("2001:db8:0:1:1:1:1:1"), "2001:db8:0:1:1:1:1:1");  // single zero kept
  EXPECT_EQ(canonical("2001:db8:aaaa:bbbb:cccc:dddd:0:1"), "2001:db8:aaaa:bbbb:cccc:dddd:0:1");
  EXPECT_EQ(canonical("1:0:0:0:0:0:0:0"), "1::");
  EXPECT_EQ(canonical("0:0:0:0:0:0:0:0"), "::");
  EXPECT_EQ(canonical("ABCD:EF01:2345:6789:ABCD:EF01:2345:6789"),
            "abcd:ef01:2345:6789:abcd:ef01:2345:6789");
  EXPECT_EQ(canonical("0001:0010:0100:1000::"), "1:10:100:1000::");
  EXPECT_EQ(IpAddress().to_string(), "");
  EXPECT_TRUE(IpAddress().empty());
}

TEST(Endpoint, ParsesAndPrints) {
  auto v4 = Endpoint::parse("192.0.2.1:51820");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->address, *IpAddress::parse("192.0.2.1"));
  EXPECT_EQ(v4->port, 51820);
  EXPECT_EQ(v4->to_string(), "192.0.2.1:51820");

  auto v6 = Endpoint::parse("[::1]:51820");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->address, *IpAddress::parse("::1"));
  EXPECT_EQ(v6->port, 51820);
  EXPECT_EQ(v6->to_string(), "[::1]:51820");

  auto full = Endpoint::parse("[2001:DB8:0:0:0:0:0:1]:65535");
  ASSERT_TRUE(full);
  EXPECT_EQ(full->port, 65535);
  EXPECT_EQ(full->to_string(), "[2001:db8::1]:65535");
  EXPECT_EQ(Endpoint::parse(full->to_string()), full);

  EXPECT_EQ(Endpoint::parse("10.0.0.1:1")->port, 1);
  EXPECT_TRUE(Endpoint().empty());
}

TEST(Endpoint, RejectsBadForms) {
  for (std::string_view s : {
           "",
           "192.0.2.1",
           "192.0.2.1:",
           "192.0.2.1:65536",
           "192.0.2.1:99999",
           "192.0.2.1:123456",
           "192.0.2.1:-1",
           "192.0.2.1:+1",
           "192.0.2.1:abc",
           "192.0.2.1:51820x",
           "192.0.2.1: 51820",
           "::1:51820",  // IPv6 without brackets
           "fd00::1:51820",
           "[::1]",
           "[::1]:",
           "[::1]51820",
           "[::1]:65536",
           "[::1:51820",
           "::1]:51820",
           "[192.0.2.1]:51820",  // brackets are for IPv6 only
           "[]:51820",
           "[::1]:51820:1",
           "[[::1]]:51820",
           "host.example:51820",
       }) {
    EXPECT_FALSE(Endpoint::parse(s)) << s;
  }
}

TEST(IpPrefix, MasksHostBits) {
  auto p = IpPrefix::parse("192.95.5.93/27");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->to_string(), "192.95.5.64/27");
  EXPECT_EQ(p->length, 27);
  EXPECT_EQ(p->address, *IpAddress::parse("192.95.5.64"));

  EXPECT_EQ(IpPrefix::parse("10.129.0.0/9")->to_string(), "10.128.0.0/9");
  EXPECT_EQ(IpPrefix::parse("10.1.255.255/9")->to_string(), "10.0.0.0/9");
  EXPECT_EQ(IpPrefix::parse("255.255.255.255/0")->to_string(), "0.0.0.0/0");
  EXPECT_EQ(IpPrefix::parse("fd12:3456:789a:1::1/52")->to_string(), "fd12:3456:789a::/52");
  EXPECT_EQ(IpPrefix::parse("fd12:3456:789a:f001::1/52")->to_string(), "fd12:3456:789a:f000::/52");
  EXPECT_EQ(IpPrefix::parse("2001:db8::1/128")->to_string(), "2001:db8::1/128");
  EXPECT_EQ(IpPrefix::parse("ffff::/0")->to_string(), "::/0");

  // A bare address is a host prefix.
  EXPECT_EQ(IpPrefix::parse("10.1.2.3")->to_string(), "10.1.2.3/32");
  EXPECT_EQ(IpPrefix::parse("::1")->to_string(), "::1/128");

  auto made = IpPrefix::make(*IpAddress::parse("192.95.5.93"), 27);
  ASSERT_TRUE(made);
  EXPECT_EQ(*made, *p);
}

TEST(IpPrefix, RejectsBadLengthsAndForms) {
  for (std::string_view s :
       {"10.0.0.0/33", "10.0.0.0/99", "::/129", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/8/8", "/8",
        "10.0.0/8", "10.0.0.0/a", "10.0.0.0/ 8", "fd00::/64x", ""}) {
    EXPECT_FALSE(IpPrefix::parse(s)) << s;
  }
  EXPECT_FALSE(IpPrefix::make(*IpAddress::parse("10.0.0.0"), 33));
  EXPECT_FALSE(IpPrefix::make(*IpAddress::parse("::"), 129));
  EXPECT_FALSE(IpPrefix::make(IpAddress(), 0));
  EXPECT_TRUE(IpPrefix::make(*IpAddress::parse("10.0.0.0"), 32));
  EXPECT_TRUE(IpPrefix::make(*IpAddress::parse("::"), 128));
}

TEST(IpPrefix, Contains) {
  auto p = *IpPrefix::parse("192.95.5.64/27");
  EXPECT_TRUE(p.contains(*IpAddress::parse("192.95.5.64")));
  EXPECT_TRUE(p.contains(*IpAddress::parse("192.95.5.93")));
  EXPECT_TRUE(p.contains(*IpAddress::parse("192.95.5.95")));
  EXPECT_FALSE(p.contains(*IpAddress::parse("192.95.5.96")));
  EXPECT_FALSE(p.contains(*IpAddress::parse("192.95.5.63")));
  EXPECT_FALSE(p.contains(*IpAddress::parse("::ffff:192.95.5.64")));

  auto all4 = *IpPrefix::parse("0.0.0.0/0");
  EXPECT_TRUE(all4.contains(*IpAddress::parse("255.255.255.255")));
  EXPECT_TRUE(all4.contains(*IpAddress::parse("0.0.0.0")));
  EXPECT_FALSE(all4.contains(*IpAddress::parse("::")));
  EXPECT_FALSE(all4.contains(IpAddress()));

  auto all6 = *IpPrefix::parse("::/0");
  EXPECT_TRUE(all6.contains(*IpAddress::parse("ffff::1")));
  EXPECT_FALSE(all6.contains(*IpAddress::parse("1.2.3.4")));

  auto net = *IpPrefix::parse("fd00::/64");
  EXPECT_TRUE(net.contains(*IpAddress::parse("fd00::1234")));
  EXPECT_TRUE(net.contains(*IpAddress::parse("fd00::ffff:ffff:ffff:ffff")));
  EXPECT_FALSE(net.contains(*IpAddress::parse("fd00:0:0:1::")));

  auto host = *IpPrefix::parse("10.0.0.1/32");
  EXPECT_TRUE(host.contains(*IpAddress::parse("10.0.0.1")));
  EXPECT_FALSE(host.contains(*IpAddress::parse("10.0.0.0")));
}

}  // namespace
}  // namespace mw::base
