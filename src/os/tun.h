// SPDX-License-Identifier: Apache-2.0
// A Linux TUN interface (IFF_TUN | IFF_NO_PI, non-blocking) read and written in batches.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "base/result.h"
#include "base/unique_fd.h"

namespace mw::os {

// One packet slot of a batch: the caller owns `data` (capacity bytes); reads set `length`.
struct PacketSlot {
  uint8_t* data = nullptr;
  size_t capacity = 0;
  size_t length = 0;
};

// Offloads of a TUN with a virtio-net header: what to ask Tun::open for, or what it got.
struct TunOffloads {
  static constexpr TunOffloads all() { return {true, true, true}; }
  bool vnet_hdr = false;  // every packet read or written carries a 10-byte virtio_net_hdr
  bool tso = false;       // TCP super-packets (TSO4/TSO6) with partial checksums
  bool uso = false;       // UDP super-packets (USO4/USO6); kernels before 6.2 refuse them
  bool operator==(const TunOffloads&) const = default;
};

class Tun {
 public:
  // Creates (or attaches to) the TUN interface `name` and sets its MTU. With want.vnet_hdr, asks
  // for IFF_VNET_HDR and checksum offload plus TSO and USO as `want` says, dropping USO, then
  // TSO, when the kernel refuses them: offloads() tells what it took.
  static base::Result<Tun> open(const std::string& name, int mtu, TunOffloads want = {});
  const TunOffloads& offloads() const { return offloads_; }

  int fd() const { return fd_.get(); }
  const std::string& name() const { return name_; }
  int ifindex() const { return ifindex_; }

  // Reads up to slots.size() packets without blocking; returns how many were read (0 when none
  // is pending). An error means the interface is gone or broken.
  base::Result<size_t> read_batch(std::span<PacketSlot> slots);
  // Writes each packet; a packet the kernel refuses is dropped and counted in `dropped`.
  base::Result<void> write_batch(std::span<const PacketSlot> packets, uint64_t* dropped);

 private:
  base::UniqueFd fd_;
  std::string name_;
  int ifindex_ = 0;
  TunOffloads offloads_;
};

}  // namespace mw::os
