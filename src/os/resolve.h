// SPDX-License-Identifier: Apache-2.0
// Turning "host:port" (a name, an IPv4 address or a bracketed IPv6 address) into endpoints, with
// the system resolver. Blocking: resolving a name may take as long as the resolver's timeout.
#pragma once

#include <string_view>
#include <vector>

#include "base/ip_address.h"
#include "base/result.h"

namespace mw::os {

// Splits "host:port", "[v6]:port", "host" or "v6"; `default_port` fills a missing port. Errors
// say what is wrong: "empty host", "bad port 'x'".
struct HostPort {
  std::string host;
  uint16_t port = 0;
};
base::Result<HostPort> split_host_port(std::string_view text, uint16_t default_port);

// Every address of the host (literal addresses without a lookup), de-duplicated, IPv4 first.
base::Result<std::vector<base::Endpoint>> resolve(std::string_view text, uint16_t default_port);

}  // namespace mw::os
