// SPDX-License-Identifier: Apache-2.0
// UDP sockets with recvmmsg/sendmmsg batching.
#include "os/udp_socket.h"

#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "os/socket_address.h"

namespace mw::os {

struct UdpSocket::Scratch {
  std::array<mmsghdr, kMaxBatch> msgs{};
  std::array<iovec, kMaxBatch> iovs{};
  std::array<sockaddr_storage, kMaxBatch> addrs{};
  // Room for a UDP_GRO control message per datagram (its segment size).
  struct alignas(cmsghdr) Control {
    char bytes[CMSG_SPACE(sizeof(int))];
  };
  std::array<Control, kMaxBatch> controls{};
};

base::Result<UdpSocket> UdpSocket::bind(bool ipv6, uint16_t port) {
  UdpSocket s;
  s.ipv6_ = ipv6;
  s.fd_.reset(::socket(ipv6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!s.fd_.valid()) return base::Error::from_errno(ipv6 ? "socket(AF_INET6)" : "socket(AF_INET)");
  int one = 1;
  if (ipv6) setsockopt(s.fd_.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
  // 1 MiB each way: enough to absorb bursts (about 1.7 ms at 5 Gbit/s), and no deeper, since a
  // tunnelled TCP flow that outruns the receiving loop keeps this buffer full and every packet
  // waits behind it: 4 MiB made the ping under load 1.4-1.9x longer (BENCHMARKS.md). *BUFFORCE
  // lifts the rmem_max/wmem_max caps when we are privileged.
  int buf = 1 << 20;
  if (setsockopt(s.fd_.get(), SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf)) < 0)
    setsockopt(s.fd_.get(), SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
  if (setsockopt(s.fd_.get(), SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof(buf)) < 0)
    setsockopt(s.fd_.get(), SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
  sockaddr_storage sa{};
  socklen_t len;
  if (ipv6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&sa);
    a->sin6_family = AF_INET6;
    a->sin6_addr = in6addr_any;
    a->sin6_port = htons(port);
    len = sizeof(sockaddr_in6);
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&sa);
    a->sin_family = AF_INET;
    a->sin_addr.s_addr = htonl(INADDR_ANY);
    a->sin_port = htons(port);
    len = sizeof(sockaddr_in);
  }
  if (::bind(s.fd_.get(), reinterpret_cast<sockaddr*>(&sa), len) < 0)
    return base::Error::from_errno(fmt::format("bind UDP port {}", port));
  len = sizeof(sa);
  if (getsockname(s.fd_.get(), reinterpret_cast<sockaddr*>(&sa), &len) < 0)
    return base::Error::from_errno("getsockname");
  s.port_ = from_sockaddr(sa).port;
  s.scratch_ = std::make_shared<Scratch>();
  return s;
}

base::Result<void> UdpSocket::set_mark(uint32_t mark) {
  if (setsockopt(fd_.get(), SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) < 0)
    return base::Error::from_errno("setsockopt(SO_MARK)");
  return {};
}

base::Result<size_t> UdpSocket::recv_batch(std::span<DatagramSlot> slots) {
  size_t n = std::min(slots.size(), kMaxBatch);
  Scratch& s = *scratch_;
  for (size_t i = 0; i < n; ++i) {
    s.iovs[i] = {slots[i].data, slots[i].capacity};
    s.msgs[i].msg_hdr = {};
    s.msgs[i].msg_hdr.msg_name = &s.addrs[i];
    s.msgs[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
    s.msgs[i].msg_hdr.msg_iov = &s.iovs[i];
    s.msgs[i].msg_hdr.msg_iovlen = 1;
    s.msgs[i].msg_hdr.msg_control = s.controls[i].bytes;
    s.msgs[i].msg_hdr.msg_controllen = sizeof(s.controls[i].bytes);
  }
  int r = recvmmsg(fd_.get(), s.msgs.data(), unsigned(n), MSG_DONTWAIT, nullptr);
  if (r < 0) {
    if (errno == EAGAIN || errno == EINTR) return size_t{0};
    // ICMP errors surface here as ECONNREFUSED etc. on unconnected sockets: not fatal.
    if (errno == ECONNREFUSED || errno == EHOSTUNREACH || errno == ENETUNREACH) return size_t{0};
    return base::Error::from_errno("recvmmsg");
  }
  for (int i = 0; i < r; ++i) {
    slots[i].length = s.msgs[i].msg_len;
    slots[i].segment_len = slots[i].length;
    slots[i].peer = from_sockaddr(s.addrs[i]);
    if (s.msgs[i].msg_hdr.msg_flags & MSG_TRUNC) slots[i].length = 0;  // oversize: drop
    msghdr& h = s.msgs[i].msg_hdr;
    for (cmsghdr* c = CMSG_FIRSTHDR(&h); c; c = CMSG_NXTHDR(&h, c)) {
      if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) {
        int seg = 0;
        std::memcpy(&seg, CMSG_DATA(c), sizeof(seg));
        if (seg > 0) slots[i].segment_len = size_t(seg);
      }
    }
  }
  return size_t(r);
}

void UdpSocket::send_batch(std::span<const DatagramSlot> datagrams, uint64_t* dropped) {
  Scratch& s = *scratch_;
  size_t done = 0;
  while (done < datagrams.size()) {
    size_t n = std::min(datagrams.size() - done, kMaxBatch);
    for (size_t i = 0; i < n; ++i) {
      const DatagramSlot& d = datagrams[done + i];
      s.iovs[i] = {d.data, d.length};
      s.msgs[i].msg_hdr = {};
      s.msgs[i].msg_hdr.msg_name = &s.addrs[i];
      s.msgs[i].msg_hdr.msg_namelen = to_sockaddr(d.peer, ipv6_, &s.addrs[i]);
      s.msgs[i].msg_hdr.msg_iov = &s.iovs[i];
      s.msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int r = sendmmsg(fd_.get(), s.msgs.data(), unsigned(n), MSG_DONTWAIT);
    if (r <= 0) {
      // The first datagram failed (unreachable, buffer full, ...): drop it and go on.
      ++*dropped;
      ++done;
      continue;
    }
    done += size_t(r);
  }
}

base::Result<UdpPair> bind_udp_pair(uint16_t port, uint32_t fwmark) {
  for (int attempt = 0; attempt < 10; ++attempt) {
    auto v4 = UdpSocket::bind(false, port);
    if (!v4) return v4.error();
    UdpPair pair;
    pair.port = v4->port();
    auto v6 = UdpSocket::bind(true, pair.port);
    if (!v6) {
      if (port == 0 && v6.error().sys_errno() == EADDRINUSE) continue;  // pick another port
      if (v6.error().sys_errno() != EAFNOSUPPORT && v6.error().sys_errno() != EADDRNOTAVAIL)
        return v6.error();
    } else {
      pair.v6 = std::move(*v6);
    }
    pair.v4 = std::move(*v4);
    if (fwmark != 0) {
      MW_RETURN_IF_ERROR(pair.v4->set_mark(fwmark));
      if (pair.v6) MW_RETURN_IF_ERROR(pair.v6->set_mark(fwmark));
    }
    return pair;
  }
  return base::make_error("could not bind IPv4 and IPv6 UDP sockets to one free port");
}

}  // namespace mw::os
