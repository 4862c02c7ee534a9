// SPDX-License-Identifier: Apache-2.0
// PacketIo: the engine's one seam to the world, batch-shaped: a TUN read and written in batches
// of packets, one UDP port (an IPv4 and an IPv6 socket) read and written in batches of
// datagrams, and the readiness of those and of any other fd the loop watches. KernelIo puts
// the kernel's TUN and sockets behind it (epoll or io_uring); dataplane/testing has an
// in-memory FakeIo.
#pragma once

#include <cstdint>
#include <span>

#include "base/bytes.h"
#include "base/ip_address.h"
#include "base/result.h"
#include "base/time.h"
#include "os/epoll.h"
#include "os/tun.h"
#include "os/udp_socket.h"

namespace mw::dp {

using os::DatagramSlot;
using os::PacketSlot;
using os::PollEvent;
using os::TunOffloads;

enum class Family : uint8_t { kV4, kV6 };

// What the I/O dropped (kernel refusals, full socket buffers, a family with no socket).
struct IoDrops {
  uint64_t udp_send = 0;
  uint64_t tun_write = 0;
};

// The readiness tags of the ports, given once by whoever runs the loop (node's registry).
struct PortTags {
  uint64_t tun = 0;
  uint64_t udp4 = 0;
  uint64_t udp6 = 0;
};

// Contract: one thread (the loop's). Watches are level-triggered: a fd that stays ready is
// reported by every wait(). Buffers handed to the send/write calls are read until commit()
// returns (the kernel backend may write at once or only at commit). Reads never block.
class PacketIo {
 public:
  virtual ~PacketIo() = default;
  virtual const char* name() const = 0;  // "epoll", "io_uring", "fake"

  // --- readiness
  // Starts reporting the TUN and the UDP sockets under `tags` (again after a rebind).
  virtual base::Result<void> watch_ports(const PortTags& tags) = 0;
  // Any other fd the loop serves (signals, listeners, connections).
  virtual base::Result<void> watch(int fd, uint64_t tag, bool writable, bool readable) = 0;
  virtual base::Result<void> rewatch(int fd, uint64_t tag, bool writable, bool readable) = 0;
  virtual void unwatch(int fd) = 0;
  // Waits at most `timeout` (zero: just looks); returns the number of events filled.
  virtual base::Result<size_t> wait(std::span<PollEvent> events, base::Duration timeout) = 0;

  // --- what the ports are
  virtual bool has_tun() const = 0;
  virtual const std::string& tun_name() const = 0;  // "" without a TUN
  // With vnet_hdr every TUN packet read or written starts with a virtio_net_hdr.
  virtual TunOffloads tun_offloads() const = 0;
  virtual bool udp_gso() const = 0;
  virtual bool udp_gro() const = 0;
  virtual bool has_udp(Family family) const = 0;
  virtual uint16_t udp_port() const = 0;
  // Moves both sockets to `port` (0: a random one) with `fwmark`; on failure nothing changes.
  virtual base::Result<void> rebind_udp(uint16_t port, uint32_t fwmark) = 0;
  virtual base::Result<void> set_fwmark(uint32_t fwmark) = 0;

  // --- reads (without blocking; 0 when drained)
  // Up to slots.size() packets; an error means the TUN is gone.
  virtual base::Result<size_t> read_tun(std::span<PacketSlot> slots) = 0;
  // Up to slots.size() receives in one call: with UDP GRO a slot may hold several datagrams of
  // one flow (DatagramSlot::segment_len), else one each.
  virtual base::Result<size_t> recv_udp(Family family, std::span<DatagramSlot> slots) = 0;

  // --- writes
  virtual void send_udp(Family family, std::span<const DatagramSlot> datagrams) = 0;
  // A run to one peer, all of the first's length but a possibly shorter last: one segmented
  // send when the port has GSO (falling back to plain sends when refused).
  virtual void send_udp_run(Family family, std::span<const DatagramSlot> run) = 0;
  virtual void write_tun(std::span<const PacketSlot> packets) = 0;
  // Everything queued has left (or been dropped and counted). An error: the TUN is gone.
  virtual base::Result<void> commit() = 0;

  virtual const IoDrops& drops() const = 0;
};

inline Family family_of(const base::Endpoint& e) {
  return e.address.is_v4() ? Family::kV4 : Family::kV6;
}

}  // namespace mw::dp
