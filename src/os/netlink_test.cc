// SPDX-License-Identifier: Apache-2.0
// Tests for rtnetlink configuration, run as root in a forked child's own network namespace on a
// TUN interface: link up with MTU, IPv4/IPv6 addresses (host bits kept) and routes added, read
// back, replaced and removed; plus the errors for a missing interface and bad arguments.
#include "os/netlink.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>

#include "base/testing/root.h"
#include "os/private_netns.h"
#include "os/tun.h"

namespace mw::os {
namespace {

base::IpAddress ip(const char* text) { return *base::IpAddress::parse(text); }
base::IpPrefix prefix(const char* text) { return *base::IpPrefix::parse(text); }

template <typename T>
bool contains(const std::vector<T>& v, const T& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// Turns a failed expectation inside the child into an error the parent reports.
#define EXPECT_IN_CHILD(cond)                                                              \
  do {                                                                                     \
    if (!(cond)) return base::make_error("{}:{}: expected {}", __FILE__, __LINE__, #cond); \
  } while (0)

base::Result<void> configure_and_read_back() {
  auto tun = Tun::open("mwtest0", 1500);
  if (!tun) return tun.error();
  auto index = interface_index("mwtest0");
  if (!index) return index.error();
  EXPECT_IN_CHILD(*index == tun->ifindex());

  MW_RETURN_IF_ERROR(set_link_up("mwtest0", 1420));
  auto link = link_info("mwtest0");
  if (!link) return link.error();
  EXPECT_IN_CHILD(link->up);
  EXPECT_IN_CHILD(link->mtu == 1420);
  EXPECT_IN_CHILD(link->index == *index);

  MW_RETURN_IF_ERROR(add_address("mwtest0", ip("10.99.3.4"), 16));
  MW_RETURN_IF_ERROR(add_address("mwtest0", ip("fd99:1:2::3:4"), 64));
  auto addrs = interface_addresses("mwtest0");
  if (!addrs) return addrs.error();
  EXPECT_IN_CHILD(contains(*addrs, InterfaceAddress{ip("10.99.3.4"), 16}));
  EXPECT_IN_CHILD(contains(*addrs, InterfaceAddress{ip("fd99:1:2::3:4"), 64}));

  auto again = add_address("mwtest0", ip("10.99.3.4"), 16);
  EXPECT_IN_CHILD(!again.ok());
  EXPECT_IN_CHILD(again.error().message() ==
                  "netlink: add address 10.99.3.4/16 to mwtest0: File exists");
  EXPECT_IN_CHILD(again.error().sys_errno() == EEXIST);

  for (const char* p : {"10.98.0.0/16", "10.97.1.2/32", "fd98::/64", "fd97::5/128"}) {
    MW_RETURN_IF_ERROR(add_route("mwtest0", prefix(p)));
    MW_RETURN_IF_ERROR(add_route("mwtest0", prefix(p)));  // NLM_F_REPLACE: re-adding is fine
  }
  auto routes = interface_routes("mwtest0");
  if (!routes) return routes.error();
  for (const char* p : {"10.98.0.0/16", "10.97.1.2/32", "fd98::/64", "fd97::5/128"})
    EXPECT_IN_CHILD(contains(*routes, prefix(p)));
  EXPECT_IN_CHILD(contains(*routes, prefix("10.99.0.0/16")));  // the kernel's subnet route

  MW_RETURN_IF_ERROR(remove_route("mwtest0", prefix("10.98.0.0/16")));
  MW_RETURN_IF_ERROR(remove_route("mwtest0", prefix("fd98::/64")));
  auto gone = remove_route("mwtest0", prefix("fd98::/64"));
  EXPECT_IN_CHILD(!gone.ok());
  EXPECT_IN_CHILD(
      gone.error().message().starts_with("netlink: remove route fd98::/64 dev mwtest0: "));
  routes = interface_routes("mwtest0");
  if (!routes) return routes.error();
  EXPECT_IN_CHILD(!contains(*routes, prefix("10.98.0.0/16")));
  EXPECT_IN_CHILD(!contains(*routes, prefix("fd98::/64")));
  EXPECT_IN_CHILD(contains(*routes, prefix("fd97::5/128")));

  MW_RETURN_IF_ERROR(remove_address("mwtest0", ip("10.99.3.4"), 16));
  MW_RETURN_IF_ERROR(remove_address("mwtest0", ip("fd99:1:2::3:4"), 64));
  addrs = interface_addresses("mwtest0");
  if (!addrs) return addrs.error();
  EXPECT_IN_CHILD(!contains(*addrs, InterfaceAddress{ip("10.99.3.4"), 16}));
  EXPECT_IN_CHILD(!contains(*addrs, InterfaceAddress{ip("fd99:1:2::3:4"), 64}));
  auto twice = remove_address("mwtest0", ip("10.99.3.4"), 16);
  EXPECT_IN_CHILD(!twice.ok());
  EXPECT_IN_CHILD(
      twice.error().message().starts_with("netlink: remove address 10.99.3.4/16 from mwtest0: "));
  return {};
}

TEST(Netlink, ConfiguresATunInANetworkNamespace) {
  MW_SKIP_UNLESS_ROOT("network namespaces, TUN");
  if (access("/dev/net/tun", R_OK | W_OK) != 0) GTEST_SKIP() << "no /dev/net/tun";
  auto r = run_in_private_network_namespace(configure_and_read_back, base::Duration::seconds(30));
  EXPECT_TRUE(r.ok()) << r.error().message();
}

base::Result<void> missing_interface_errors() {
  auto index = interface_index("nosuch0");
  EXPECT_IN_CHILD(!index.ok());
  EXPECT_IN_CHILD(index.error().message() == "no interface named nosuch0");
  EXPECT_IN_CHILD(index.error().sys_errno() == ENODEV);
  auto up = set_link_up("nosuch0", 1420);
  EXPECT_IN_CHILD(!up.ok());
  EXPECT_IN_CHILD(up.error().message() ==
                  "netlink: set nosuch0 up with MTU 1420: no interface named nosuch0");
  auto addr = add_address("nosuch0", ip("10.99.1.2"), 16);
  EXPECT_IN_CHILD(!addr.ok());
  EXPECT_IN_CHILD(addr.error().message() ==
                  "netlink: add address 10.99.1.2/16 to nosuch0: no interface named nosuch0");
  auto route = add_route("nosuch0", prefix("fd00::/8"));
  EXPECT_IN_CHILD(!route.ok());
  EXPECT_IN_CHILD(route.error().message().find("nosuch0") != std::string::npos);
  EXPECT_IN_CHILD(!remove_route("nosuch0", prefix("10.0.0.0/8")).ok());
  EXPECT_IN_CHILD(!remove_address("nosuch0", ip("10.0.0.1"), 8).ok());
  EXPECT_IN_CHILD(!link_info("nosuch0").ok());
  EXPECT_IN_CHILD(!interface_addresses("nosuch0").ok());
  EXPECT_IN_CHILD(!interface_routes("nosuch0").ok());
  return {};
}

TEST(Netlink, MissingInterfaceIsNamedInTheError) {
  MW_SKIP_UNLESS_ROOT("network namespaces, TUN");
  auto r = run_in_private_network_namespace(missing_interface_errors, base::Duration::seconds(30));
  EXPECT_TRUE(r.ok()) << r.error().message();
}

TEST(Netlink, RejectsBadArgumentsBeforeAsking) {
  auto name = interface_index("");
  ASSERT_FALSE(name.ok());
  EXPECT_EQ(name.error().message(), "interface name '' must be 1 to 15 characters");
  EXPECT_FALSE(interface_index("a-name-that-is-far-too-long").ok());
  auto lo = "lo";
  auto mtu = set_link_up(lo, 0);
  ASSERT_FALSE(mtu.ok());
  EXPECT_EQ(mtu.error().message(), "netlink: set lo up with MTU 0: Invalid argument");
  auto len = add_address(lo, ip("10.0.0.1"), 33);
  ASSERT_FALSE(len.ok());
  EXPECT_EQ(len.error().message(),
            "netlink: add address 10.0.0.1/33 to lo: prefix length 33 is too long");
  auto none = add_address(lo, base::IpAddress(), 8);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().message().find("no address") != std::string::npos, true);
}

TEST(Netlink, ReadsLoopbackWithoutRoot) {
  auto link = link_info("lo");
  ASSERT_TRUE(link.ok()) << link.error().message();
  EXPECT_GT(link->index, 0);
  EXPECT_GT(link->mtu, 0);
  auto addrs = interface_addresses("lo");
  ASSERT_TRUE(addrs.ok()) << addrs.error().message();
  auto routes = interface_routes("lo");
  EXPECT_TRUE(routes.ok()) << routes.error().message();
}

}  // namespace
}  // namespace mw::os
