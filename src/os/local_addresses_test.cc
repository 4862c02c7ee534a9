// SPDX-License-Identifier: Apache-2.0
#include "os/local_addresses.h"

#include <gtest/gtest.h>

namespace mw::os {
namespace {

TEST(LocalAddresses, NeitherLoopbackNorLinkLocal) {
  auto addresses = local_addresses();
  ASSERT_TRUE(addresses.ok()) << addresses.error().message();
  for (const base::IpAddress& a : *addresses) {
    EXPECT_NE(a.to_string(), "127.0.0.1");
    EXPECT_NE(a.to_string(), "::1");
    EXPECT_NE(a.to_string().rfind("fe80:", 0), 0u) << a.to_string();
    EXPECT_FALSE(a.empty());
  }
}

}  // namespace
}  // namespace mw::os
