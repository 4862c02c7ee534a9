// SPDX-License-Identifier: Apache-2.0
// UDP segmentation offloads on a UdpSocket: GSO sends one buffer of equal-size datagrams to one
// peer with a single sendmsg (UDP_SEGMENT); GRO receives several datagrams of one flow as one
// buffer plus their segment size (UDP_GRO). probe_udp_offloads() checks both with a real round
// trip on loopback, since kernels have shipped bugs here.
#pragma once

#include <cstdint>
#include <span>

#include "base/bytes.h"
#include "base/ip_address.h"
#include "base/result.h"
#include "os/udp_socket.h"

namespace mw::os {

struct UdpOffloads {
  bool gso = false;
  bool gro = false;
};

// Sends a run of datagrams of `segment_len` bytes each (the last may be shorter), to `to` in
// one call. The run is `parts` gathered in order (one part per datagram, or one buffer holding
// them all), so nothing is copied; at most kMaxGsoParts parts. False when the kernel refused
// it (the caller falls back to sendmmsg).
constexpr size_t kMaxGsoParts = 64;
bool send_gso(UdpSocket& socket, const base::Endpoint& to, std::span<const base::Bytes> parts,
              size_t segment_len);
inline bool send_gso(UdpSocket& socket, const base::Endpoint& to, base::Bytes data,
                     size_t segment_len) {
  return send_gso(socket, to, std::span<const base::Bytes>(&data, 1), segment_len);
}

// Turns UDP_GRO on for the socket.
base::Result<void> enable_gro(UdpSocket& socket);

// One received buffer: `length` bytes from `peer`, made of datagrams of `segment_len` bytes
// (the last may be shorter); segment_len == length for a plain datagram.
struct GroDatagram {
  size_t length = 0;
  size_t segment_len = 0;
  base::Endpoint peer;
};
// Receives one buffer without blocking into `buffer`; nullopt-like length 0 when none pending.
base::Result<GroDatagram> recv_gro(UdpSocket& socket, base::MutableBytes buffer);

// Tries GSO and GRO with two datagrams over loopback. Each is reported usable only if the
// receiver got exactly what was sent.
UdpOffloads probe_udp_offloads();

}  // namespace mw::os
