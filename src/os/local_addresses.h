// SPDX-License-Identifier: Apache-2.0
// The host's own IP addresses (getifaddrs): the NAT checks compare what observers see of the
// UDP port with them (seen unchanged: no NAT in between).
#pragma once

#include <vector>

#include "base/ip_address.h"
#include "base/result.h"

namespace mw::os {

// Addresses of every interface that is up, loopback and IPv6 link-local ones left out.
base::Result<std::vector<base::IpAddress>> local_addresses();

}  // namespace mw::os
