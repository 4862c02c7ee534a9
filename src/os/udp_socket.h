// SPDX-License-Identifier: Apache-2.0
// Non-blocking UDP sockets read and written in batches (recvmmsg/sendmmsg), and the pair of an
// IPv4 and an IPv6 socket on one port that a WireGuard interface listens on.
#pragma once

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "base/ip_address.h"
#include "base/result.h"
#include "base/unique_fd.h"

namespace mw::os {

// One datagram of a batch: the caller owns `data`; receive fills `length`, `peer` and
// `segment_len`; send reads `length` bytes to `peer`. On a socket with UDP GRO a receive may
// hold several datagrams of one flow, each `segment_len` bytes but a possibly shorter last;
// segment_len == length for a single datagram.
struct DatagramSlot {
  uint8_t* data = nullptr;
  size_t capacity = 0;
  size_t length = 0;
  base::Endpoint peer;
  size_t segment_len = 0;
};

class UdpSocket {
 public:
  static constexpr size_t kMaxBatch = 64;

  // Binds to the wildcard address of the family on `port` (0 picks one). The IPv6 socket is
  // IPV6_V6ONLY so that both families can share the port.
  static base::Result<UdpSocket> bind(bool ipv6, uint16_t port);

  int fd() const { return fd_.get(); }
  bool ipv6() const { return ipv6_; }
  uint16_t port() const { return port_; }
  base::Result<void> set_mark(uint32_t mark);

  // Receives up to min(slots.size(), kMaxBatch) datagrams (or GRO buffers) in one recvmmsg,
  // without blocking; 0 when none.
  base::Result<size_t> recv_batch(std::span<DatagramSlot> slots);
  // Sends the datagrams; ones the kernel refuses (unreachable, no route, ...) are dropped and
  // counted in `dropped`. Never blocks: a full socket buffer drops too.
  void send_batch(std::span<const DatagramSlot> datagrams, uint64_t* dropped);

 private:
  base::UniqueFd fd_;
  bool ipv6_ = false;
  uint16_t port_ = 0;
  struct Scratch;
  std::shared_ptr<Scratch> scratch_;  // mmsghdr/iovec/sockaddr arrays, allocated once
};

// The IPv4 and IPv6 sockets of one listen port. Either may be missing (no IPv6 on the host).
struct UdpPair {
  std::optional<UdpSocket> v4;
  std::optional<UdpSocket> v6;
  uint16_t port = 0;
};

// Binds both families on `port`; with port 0 both get the same random port. Fails when the
// port is in use for IPv4 (EADDRINUSE in Error::sys_errno()).
base::Result<UdpPair> bind_udp_pair(uint16_t port, uint32_t fwmark);

}  // namespace mw::os
