// SPDX-License-Identifier: Apache-2.0
// Conversions between base::Endpoint and sockaddr_storage, and the UDP_SEGMENT control message
// that both GSO send paths (sendmsg and io_uring) attach to a msghdr.
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>

#include "base/ip_address.h"

namespace mw::os {

// Writes `e` as sockaddr_in or sockaddr_in6 (IPv4 as v4-mapped when `v6_socket`); returns the
// length to pass to the kernel.
socklen_t to_sockaddr(const base::Endpoint& e, bool v6_socket, sockaddr_storage* out);
// Reads a sockaddr_in/in6; a v4-mapped IPv6 address comes back as IPv4.
base::Endpoint from_sockaddr(const sockaddr_storage& sa);

// The room one UDP_SEGMENT control message needs.
inline constexpr size_t kUdpSegmentControlLen = CMSG_SPACE(sizeof(uint16_t));
// Points m's control data at `control` (kUdpSegmentControlLen bytes, cmsghdr-aligned, owned by
// the caller until the send is done) and writes a UDP_SEGMENT message of `segment_len` there.
void set_udp_segment(msghdr* m, char* control, uint16_t segment_len);

}  // namespace mw::os
