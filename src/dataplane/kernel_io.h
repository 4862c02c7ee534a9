// SPDX-License-Identifier: Apache-2.0
// KernelIo: PacketIo on the kernel's objects: a TUN interface (optionally with virtio-net
// headers), an IPv4 and an IPv6 UDP socket on one port (with UDP GSO and GRO where a loopback
// round trip shows they work), and epoll or io_uring for readiness and writes.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "dataplane/io_backend.h"
#include "dataplane/packet_io.h"
#include "os/udp_offload.h"

namespace mw::dp {

struct KernelIoOptions {
  bool tun = true;       // false: no TUN at all (a gossip-only mesh node)
  std::string tun_name;  // e.g. "wg0"
  int mtu = 1420;
  TunOffloads tun_offloads;  // what to ask the TUN for (none: plain packets)
  uint16_t listen_port = 0;  // 0: a random free port
  bool udp_gso = true;       // each used only if the loopback probe passes
  bool udp_gro = true;
  IoMode io = IoMode::kAuto;
};

class KernelIo final : public PacketIo {
 public:
  static base::Result<std::unique_ptr<KernelIo>> open(const KernelIoOptions& options);

  const char* name() const override { return backend_->name(); }
  base::Result<void> watch_ports(const PortTags& tags) override;
  base::Result<void> watch(int fd, uint64_t tag, bool writable, bool readable) override {
    return backend_->watch(fd, tag, writable, readable);
  }
  base::Result<void> rewatch(int fd, uint64_t tag, bool writable, bool readable) override {
    return backend_->rewatch(fd, tag, writable, readable);
  }
  void unwatch(int fd) override { backend_->unwatch(fd); }
  base::Result<size_t> wait(std::span<PollEvent> events, base::Duration timeout) override {
    return backend_->wait(events, timeout);
  }

  bool has_tun() const override { return tun_.has_value(); }
  const std::string& tun_name() const override { return tun_name_; }
  TunOffloads tun_offloads() const override { return tun_ ? tun_->offloads() : TunOffloads{}; }
  bool udp_gso() const override { return udp_offloads_.gso; }
  bool udp_gro() const override { return udp_offloads_.gro; }
  bool has_udp(Family family) const override { return socket(family) != nullptr; }
  uint16_t udp_port() const override { return udp_.port; }
  base::Result<void> rebind_udp(uint16_t port, uint32_t fwmark) override;
  base::Result<void> set_fwmark(uint32_t fwmark) override;

  base::Result<size_t> read_tun(std::span<PacketSlot> slots) override;
  base::Result<size_t> recv_udp(Family family, std::span<DatagramSlot> slots) override;

  void send_udp(Family family, std::span<const DatagramSlot> datagrams) override;
  void send_udp_run(Family family, std::span<const DatagramSlot> run) override;
  void write_tun(std::span<const PacketSlot> packets) override;
  base::Result<void> commit() override { return backend_->commit(); }
  const IoDrops& drops() const override { return drops_; }

 private:
  KernelIo() = default;
  os::UdpSocket* socket(Family family) const;
  base::Result<void> watch_sockets();

  std::optional<os::Tun> tun_;
  std::string tun_name_;
  os::UdpPair udp_;
  os::UdpOffloads udp_offloads_;
  IoDrops drops_;
  std::unique_ptr<detail::IoBackend> backend_;  // after drops_, which it counts into
  PortTags tags_;
  bool ports_watched_ = false;
};

}  // namespace mw::dp
