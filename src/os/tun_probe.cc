// SPDX-License-Identifier: Apache-2.0
// The TUN offload round trip: namespace X holds interface A (10.77.0.1, fd00:6d77::1) and the
// senders, namespace Y holds B (10.77.0.2, fd00:6d77::2) and the receivers; one poll loop moves
// packets A <-> B through the relay and drives two TCP flows (v4, v6) and a UDP GSO burst.
#include "os/tun_probe.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <vector>

#include "base/clock.h"
#include "os/netlink.h"
#include "os/private_netns.h"
#include "os/socket_address.h"
#include "os/udp_offload.h"
#include "os/udp_socket.h"
#include "os/unix_socket.h"

namespace mw::os {
namespace {

constexpr size_t kTcpLen = 256 * 1024;
constexpr size_t kUdpSegmentLen = 1000;
constexpr size_t kUdpSegmentCount = 4;
constexpr base::Duration kUdpResend = base::Duration::millis(200);

// The byte at offset i of a flow; `seed` tells flows (and UDP segments) apart.
uint8_t pattern(size_t i, uint8_t seed) { return uint8_t(i * 131 + (i >> 9) + seed * 17); }

base::IpAddress ip(const char* text) { return *base::IpAddress::parse(text); }

base::Error offload_failure(std::string message) { return base::Error(std::move(message), 0); }

base::Result<Tun> open_side(const char* name, int mtu, TunOffloads want, const char* v4,
                            const char* v6) {
  auto tun = Tun::open(name, mtu, want);
  if (!tun) return tun.error();
  if (!(tun->offloads() == want)) return offload_failure("the kernel refused the offloads");
  MW_RETURN_IF_ERROR(set_link_up(name, mtu));
  MW_RETURN_IF_ERROR(add_address(name, ip(v4), 24));
  MW_RETURN_IF_ERROR(add_address(name, ip(v6), 64));
  return tun;
}

// One TCP flow from X to Y: kTcpLen of pattern(seed), checked byte for byte on arrival.
struct TcpFlow {
  uint8_t seed = 0;
  TcpListener listener;   // in Y
  base::UniqueFd client;  // in X
  base::UniqueFd server;
  size_t sent = 0;
  size_t received = 0;
  bool corrupt = false;
  bool done() const { return received == kTcpLen; }
};

base::Result<base::UniqueFd> connect_from_here(const base::Endpoint& to) {
  bool v6 = to.address.is_v6();
  base::UniqueFd fd(
      ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return base::Error::from_errno("socket(SOCK_STREAM)");
  sockaddr_storage sa{};
  socklen_t len = to_sockaddr(to, v6, &sa);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&sa), len) < 0 && errno != EINPROGRESS)
    return base::Error::from_errno("connect " + to.to_string());
  return fd;
}

void pump_tcp(TcpFlow& f, std::vector<uint8_t>& scratch) {
  if (!f.server.valid()) f.server = f.listener.accept();
  while (f.sent < kTcpLen) {
    size_t n = std::min(scratch.size(), kTcpLen - f.sent);
    for (size_t i = 0; i < n; ++i) scratch[i] = pattern(f.sent + i, f.seed);
    ssize_t w = ::send(f.client.get(), scratch.data(), n, MSG_NOSIGNAL);
    if (w <= 0) break;
    f.sent += size_t(w);
  }
  while (f.server.valid() && !f.done()) {
    ssize_t r = ::recv(f.server.get(), scratch.data(), scratch.size(), 0);
    if (r <= 0) break;
    for (ssize_t i = 0; i < r; ++i) {
      if (scratch[size_t(i)] != pattern(f.received + size_t(i), f.seed)) f.corrupt = true;
    }
    f.received += size_t(r);
  }
}

// The UDP burst: kUdpSegmentCount datagrams of kUdpSegmentLen bytes (see send_burst), each
// filled with pattern(segment index); a segment's bit is set when it arrives intact.
struct UdpBurst {
  UdpSocket sender;    // in X
  UdpSocket receiver;  // in Y
  base::Endpoint to;
  unsigned arrived = 0;
  bool corrupt = false;
  bool done() const { return arrived == (1u << kUdpSegmentCount) - 1; }
};

// One UDP_SEGMENT send when USO is asked for (the kernel then hands the TUN one UDP
// super-packet); plain datagrams otherwise, or when the kernel refuses UDP GSO itself.
void send_burst(UdpBurst& u, bool gso) {
  std::vector<uint8_t> data(kUdpSegmentLen * kUdpSegmentCount);
  for (size_t i = 0; i < data.size(); ++i)
    data[i] = pattern(i % kUdpSegmentLen, uint8_t(i / kUdpSegmentLen));
  if (gso && send_gso(u.sender, u.to, data, kUdpSegmentLen)) return;
  std::array<DatagramSlot, kUdpSegmentCount> datagrams;
  for (size_t k = 0; k < kUdpSegmentCount; ++k)
    datagrams[k] = {data.data() + k * kUdpSegmentLen, kUdpSegmentLen, kUdpSegmentLen, u.to};
  uint64_t dropped = 0;
  u.sender.send_batch(datagrams, &dropped);
}

// The segment index a datagram's first byte names, or kUdpSegmentCount when none.
size_t segment_index(const DatagramSlot& d) {
  size_t k = 0;
  while (k < kUdpSegmentCount && !(d.length > 0 && d.data[0] == pattern(0, uint8_t(k)))) ++k;
  return k;
}

void receive_burst(UdpBurst& u, std::vector<uint8_t>& scratch) {
  DatagramSlot slot{scratch.data(), scratch.size(), 0, {}};
  for (;;) {
    auto n = u.receiver.recv_batch(std::span(&slot, 1));
    if (!n || *n == 0) return;
    size_t index = segment_index(slot);
    bool intact = index < kUdpSegmentCount && slot.length == kUdpSegmentLen;
    for (size_t i = 0; intact && i < slot.length; ++i)
      intact = slot.data[i] == pattern(i, uint8_t(index));
    if (!intact) u.corrupt = true;
    if (intact) u.arrived |= 1u << index;
  }
}

}  // namespace

base::Result<void> tun_round_trip(int mtu, TunOffloads want, TunRelay& relay,
                                  base::Duration timeout) {
  auto ns_x = current_network_namespace();
  if (!ns_x) return ns_x.error();
  auto a = open_side("mwprobe0", mtu, want, "10.77.0.1", "fd00:6d77::1");
  if (!a) return a.error();
  MW_RETURN_IF_ERROR(enter_new_network_namespace());
  auto b = open_side("mwprobe1", mtu, want, "10.77.0.2", "fd00:6d77::2");
  if (!b) return b.error();

  std::array<TcpFlow, 2> flows;
  const char* targets[2] = {"10.77.0.2", "fd00:6d77::2"};
  for (size_t i = 0; i < flows.size(); ++i) {
    flows[i].seed = uint8_t(i + 1);
    auto l = TcpListener::listen(base::Endpoint{ip(targets[i]), 0});
    if (!l) return l.error();
    flows[i].listener = std::move(*l);
  }
  auto receiver = UdpSocket::bind(false, 0);
  if (!receiver) return receiver.error();

  MW_RETURN_IF_ERROR(enter_network_namespace(ns_x->get()));
  for (size_t i = 0; i < flows.size(); ++i) {
    auto c = connect_from_here(base::Endpoint{ip(targets[i]), flows[i].listener.port()});
    if (!c) return c.error();
    flows[i].client = std::move(*c);
  }
  auto sender = UdpSocket::bind(false, 0);
  if (!sender) return sender.error();
  UdpBurst udp{std::move(*sender), std::move(*receiver), {ip("10.77.0.2"), 0}, 0, false};
  udp.to.port = udp.receiver.port();

  base::SystemClock clock;
  base::Instant deadline = clock.now() + timeout;
  base::Instant next_burst = clock.now();
  std::vector<uint8_t> scratch(64 * 1024);
  for (;;) {
    bool tcp_done = flows[0].done() && flows[1].done();
    if (flows[0].corrupt || flows[1].corrupt || udp.corrupt)
      return offload_failure("data arrived changed");
    if (tcp_done && udp.done()) return {};
    base::Instant now = clock.now();
    if (now >= deadline) {
      return offload_failure(fmt::format(
          "not all data arrived in {} ms (TCP/IPv4 {} of {} bytes, TCP/IPv6 {}, UDP segments "
          "{:#x})",
          timeout.to_millis(), flows[0].received, kTcpLen, flows[1].received, udp.arrived));
    }
    if (!udp.done() && now >= next_burst) {
      send_burst(udp, want.uso);
      next_burst = now + kUdpResend;
    }
    std::array<pollfd, 8> fds{};
    fds[0] = {a->fd(), POLLIN, 0};
    fds[1] = {b->fd(), POLLIN, 0};
    fds[2] = {udp.receiver.fd(), POLLIN, 0};
    size_t count = 3;
    for (TcpFlow& f : flows) {
      fds[count++] = {f.client.get(), short(f.sent < kTcpLen ? POLLOUT : 0), 0};
      fds[count++] = {f.server.valid() ? f.server.get() : f.listener.fd(), POLLIN, 0};
    }
    if (poll(fds.data(), count, 10) < 0 && errno != EINTR) return base::Error::from_errno("poll");
    MW_RETURN_IF_ERROR(relay.forward(*a, *b));
    MW_RETURN_IF_ERROR(relay.forward(*b, *a));
    for (TcpFlow& f : flows) pump_tcp(f, scratch);
    receive_burst(udp, scratch);
  }
}

}  // namespace mw::os
