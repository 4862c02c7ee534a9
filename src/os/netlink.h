// SPDX-License-Identifier: Apache-2.0
// Interface configuration over rtnetlink (NETLINK_ROUTE, via libmnl): bring a link up with an
// MTU, add and remove addresses and routes, and read them back. Every request asks for an ACK;
// a refusal becomes an Error naming the operation ("netlink: add address 10.99.1.2/16 to mw0:
// File exists") with the kernel's errno in sys_errno(). Blocking; each call opens its own
// socket, so calls are thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/ip_address.h"
#include "base/result.h"

namespace mw::os {

base::Result<int> interface_index(const std::string& name);
// Sets the MTU and IFF_UP.
base::Result<void> set_link_up(const std::string& name, int mtu);
// Adds `address`/`prefix_len` keeping the host bits (10.99.3.4/16 is the address 10.99.3.4 on
// the subnet 10.99.0.0/16); IPv6 addresses skip duplicate address detection. Adding one that
// is already there fails with EEXIST.
base::Result<void> add_address(const std::string& name, const base::IpAddress& address,
                               uint8_t prefix_len);
base::Result<void> remove_address(const std::string& name, const base::IpAddress& address,
                                  uint8_t prefix_len);
// A static, link-scope route in the main table through the interface; re-adding replaces.
base::Result<void> add_route(const std::string& name, const base::IpPrefix& destination);
base::Result<void> remove_route(const std::string& name, const base::IpPrefix& destination);

// What the kernel reports, for checks and diagnostics.
struct LinkInfo {
  int index = 0;
  int mtu = 0;
  bool up = false;  // IFF_UP
};
struct InterfaceAddress {
  base::IpAddress address;
  uint8_t prefix_len = 0;
  bool operator==(const InterfaceAddress&) const = default;
};
base::Result<LinkInfo> link_info(const std::string& name);
// Both families, in the kernel's order.
base::Result<std::vector<InterfaceAddress>> interface_addresses(const std::string& name);
// Destinations of main-table routes through the interface, both families.
base::Result<std::vector<base::IpPrefix>> interface_routes(const std::string& name);

}  // namespace mw::os
