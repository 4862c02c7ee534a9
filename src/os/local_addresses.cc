// SPDX-License-Identifier: Apache-2.0
#include "os/local_addresses.h"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace mw::os {

base::Result<std::vector<base::IpAddress>> local_addresses() {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return base::Error::from_errno("getifaddrs");
  std::vector<base::IpAddress> out;
  for (ifaddrs* i = list; i; i = i->ifa_next) {
    if (!i->ifa_addr || !(i->ifa_flags & IFF_UP) || (i->ifa_flags & IFF_LOOPBACK)) continue;
    base::IpAddress a;
    if (i->ifa_addr->sa_family == AF_INET) {
      const auto* sin = reinterpret_cast<const sockaddr_in*>(i->ifa_addr);
      std::array<uint8_t, 4> b;
      std::memcpy(b.data(), &sin->sin_addr, 4);
      a = base::IpAddress::v4(b);
    } else if (i->ifa_addr->sa_family == AF_INET6) {
      const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(i->ifa_addr);
      std::array<uint8_t, 16> b;
      std::memcpy(b.data(), &sin6->sin6_addr, 16);
      if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) continue;  // fe80::/10
      a = base::IpAddress::v6(b);
    } else {
      continue;
    }
    if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
  }
  freeifaddrs(list);
  return out;
}

}  // namespace mw::os
