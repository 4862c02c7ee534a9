// SPDX-License-Identifier: Apache-2.0
// sockaddr <-> Endpoint, and the UDP_SEGMENT control message.
#include "os/socket_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/udp.h>

#include <cstring>

namespace mw::os {

socklen_t to_sockaddr(const base::Endpoint& e, bool v6_socket, sockaddr_storage* out) {
  std::memset(out, 0, sizeof(*out));
  if (e.address.is_v4() && !v6_socket) {
    auto* s = reinterpret_cast<sockaddr_in*>(out);
    s->sin_family = AF_INET;
    s->sin_port = htons(e.port);
    std::memcpy(&s->sin_addr, e.address.data(), 4);
    return sizeof(sockaddr_in);
  }
  auto* s = reinterpret_cast<sockaddr_in6*>(out);
  s->sin6_family = AF_INET6;
  s->sin6_port = htons(e.port);
  if (e.address.is_v4()) {
    s->sin6_addr.s6_addr[10] = 0xff;
    s->sin6_addr.s6_addr[11] = 0xff;
    std::memcpy(&s->sin6_addr.s6_addr[12], e.address.data(), 4);
  } else {
    std::memcpy(&s->sin6_addr, e.address.data(), 16);
  }
  return sizeof(sockaddr_in6);
}

base::Endpoint from_sockaddr(const sockaddr_storage& sa) {
  base::Endpoint e;
  if (sa.ss_family == AF_INET) {
    const auto* s = reinterpret_cast<const sockaddr_in*>(&sa);
    std::array<uint8_t, 4> b;
    std::memcpy(b.data(), &s->sin_addr, 4);
    e.address = base::IpAddress::v4(b);
    e.port = ntohs(s->sin_port);
  } else if (sa.ss_family == AF_INET6) {
    const auto* s = reinterpret_cast<const sockaddr_in6*>(&sa);
    const uint8_t* a = s->sin6_addr.s6_addr;
    static const uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(a, kMapped, 12) == 0) {
      e.address = base::IpAddress::v4({a[12], a[13], a[14], a[15]});
    } else {
      std::array<uint8_t, 16> b;
      std::memcpy(b.data(), a, 16);
      e.address = base::IpAddress::v6(b);
    }
    e.port = ntohs(s->sin6_port);
  }
  return e;
}

void set_udp_segment(msghdr* m, char* control, uint16_t segment_len) {
  m->msg_control = control;
  m->msg_controllen = kUdpSegmentControlLen;
  cmsghdr* c = CMSG_FIRSTHDR(m);
  c->cmsg_level = SOL_UDP;
  c->cmsg_type = UDP_SEGMENT;
  c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
  std::memcpy(CMSG_DATA(c), &segment_len, sizeof(segment_len));
}

}  // namespace mw::os
