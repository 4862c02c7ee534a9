// SPDX-License-Identifier: Apache-2.0
#include "os/resolve.h"

#include <gtest/gtest.h>

namespace mw::os {
namespace {

TEST(SplitHostPort, Forms) {
  auto a = split_host_port("10.0.0.1:51821", 1);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "10.0.0.1");
  EXPECT_EQ(a->port, 51821);
  auto b = split_host_port("seed.example", 51821);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->host, "seed.example");
  EXPECT_EQ(b->port, 51821);
  auto c = split_host_port("[fd00::1]:7", 1);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->host, "fd00::1");
  EXPECT_EQ(c->port, 7);
  auto d = split_host_port("fd00::1", 9);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->host, "fd00::1");
  EXPECT_EQ(d->port, 9);
}

TEST(SplitHostPort, Rejects) {
  for (const char* bad : {"", ":5", "host:", "host:0", "host:65536", "host:x", "[fd00::1",
                          "[fd00::1]x", "[fd00::1]:", "[]:5"}) {
    EXPECT_FALSE(split_host_port(bad, 1)) << bad;
  }
  EXPECT_FALSE(split_host_port("host", 0));  // no port anywhere
}

TEST(Resolve, LiteralsNeedNoLookup) {
  auto v4 = resolve("10.1.2.3:5", 1);
  ASSERT_TRUE(v4);
  ASSERT_EQ(v4->size(), 1u);
  EXPECT_EQ((*v4)[0].to_string(), "10.1.2.3:5");
  auto v6 = resolve("[fd00::2]:6", 1);
  ASSERT_TRUE(v6);
  EXPECT_EQ((*v6)[0].to_string(), "[fd00::2]:6");
}

TEST(Resolve, Localhost) {
  auto r = resolve("localhost:99", 1);
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_FALSE(r->empty());
  for (const auto& e : *r) {
    EXPECT_EQ(e.port, 99);
    std::string text = e.address.to_string();
    EXPECT_TRUE(text.rfind("127.", 0) == 0 || text == "::1") << text;
  }
}

TEST(Resolve, UnknownNameFails) {
  auto r = resolve("no-such-host.invalid:1", 1);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("no-such-host.invalid"), std::string::npos);
}

}  // namespace
}  // namespace mw::os
