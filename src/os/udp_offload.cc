// SPDX-License-Identifier: Apache-2.0
// UDP_SEGMENT sends, UDP_GRO receives, and the loopback probe.
#include "os/udp_offload.h"

#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <vector>

#include "os/socket_address.h"

namespace mw::os {

bool send_gso(UdpSocket& socket, const base::Endpoint& to, std::span<const base::Bytes> parts,
              size_t segment_len) {
  if (parts.empty() || parts.size() > kMaxGsoParts) return false;
  sockaddr_storage sa;
  socklen_t sa_len = to_sockaddr(to, socket.ipv6(), &sa);
  std::array<iovec, kMaxGsoParts> iov;
  size_t total = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    iov[i] = {const_cast<uint8_t*>(parts[i].data()), parts[i].size()};
    total += parts[i].size();
  }
  alignas(cmsghdr) char control[kUdpSegmentControlLen] = {};
  msghdr msg{};
  msg.msg_name = &sa;
  msg.msg_namelen = sa_len;
  msg.msg_iov = iov.data();
  msg.msg_iovlen = parts.size();
  set_udp_segment(&msg, control, uint16_t(segment_len));
  return ::sendmsg(socket.fd(), &msg, MSG_DONTWAIT) == ssize_t(total);
}

base::Result<void> enable_gro(UdpSocket& socket) {
  int one = 1;
  if (setsockopt(socket.fd(), SOL_UDP, UDP_GRO, &one, sizeof(one)) < 0)
    return base::Error::from_errno("setsockopt(UDP_GRO)");
  return {};
}

base::Result<GroDatagram> recv_gro(UdpSocket& socket, base::MutableBytes buffer) {
  sockaddr_storage sa{};
  iovec iov{buffer.data(), buffer.size()};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_name = &sa;
  msg.msg_namelen = sizeof(sa);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  ssize_t n = ::recvmsg(socket.fd(), &msg, MSG_DONTWAIT);
  if (n < 0) {
    if (errno == EAGAIN || errno == EINTR || errno == ECONNREFUSED || errno == EHOSTUNREACH ||
        errno == ENETUNREACH)
      return GroDatagram{};
    return base::Error::from_errno("recvmsg");
  }
  GroDatagram d;
  d.length = (msg.msg_flags & MSG_TRUNC) ? 0 : size_t(n);
  d.segment_len = d.length;
  d.peer = from_sockaddr(sa);
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) {
      int seg = 0;
      std::memcpy(&seg, CMSG_DATA(c), sizeof(seg));
      if (seg > 0) d.segment_len = size_t(seg);
    }
  }
  return d;
}

UdpOffloads probe_udp_offloads() {
  UdpOffloads result;
  auto tx = UdpSocket::bind(false, 0);
  auto rx = UdpSocket::bind(false, 0);
  if (!tx || !rx) return result;
  bool gro = enable_gro(*rx).ok();
  base::Endpoint to{*base::IpAddress::parse("127.0.0.1"), rx->port()};
  std::vector<uint8_t> data(1000 + 600);
  for (size_t i = 0; i < data.size(); ++i) data[i] = uint8_t(i * 7);
  if (!send_gso(*tx, to, data, 1000)) return result;
  // Collect what arrives (GRO may merge both into one buffer, or not).
  std::vector<uint8_t> buf(65536), got;
  std::vector<size_t> sizes;
  pollfd p{rx->fd(), POLLIN, 0};
  for (int i = 0; i < 4 && got.size() < data.size(); ++i) {
    if (poll(&p, 1, 200) <= 0) break;
    auto d = recv_gro(*rx, buf);
    if (!d || d->length == 0) break;
    for (size_t off = 0; off < d->length; off += d->segment_len)
      sizes.push_back(std::min(d->segment_len, d->length - off));
    got.insert(got.end(), buf.begin(), buf.begin() + long(d->length));
  }
  bool intact = got == data && sizes == std::vector<size_t>{1000, 600};
  result.gso = intact;
  result.gro = intact && gro;
  return result;
}

}  // namespace mw::os
