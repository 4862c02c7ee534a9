// SPDX-License-Identifier: Apache-2.0
// Conversions between base::Endpoint and sockaddr_storage.
#pragma once

#include <sys/socket.h>

#include "base/ip_address.h"

namespace mw::os {

// Writes `e` as sockaddr_in or sockaddr_in6 (IPv4 as v4-mapped when `v6_socket`); returns the
// length to pass to the kernel.
socklen_t to_sockaddr(const base::Endpoint& e, bool v6_socket, sockaddr_storage* out);
// Reads a sockaddr_in/in6; a v4-mapped IPv6 address comes back as IPv4.
base::Endpoint from_sockaddr(const sockaddr_storage& sa);

}  // namespace mw::os
