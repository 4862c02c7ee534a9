// SPDX-License-Identifier: Apache-2.0
// KernelIo: opening the TUN and the UDP port, moving the port, and batched reads and writes
// through the epoll or io_uring backend.
#include "dataplane/kernel_io.h"

#include <fmt/format.h>

namespace mw::dp {

base::Result<std::unique_ptr<KernelIo>> KernelIo::open(const KernelIoOptions& options) {
  std::unique_ptr<KernelIo> io(new KernelIo());
  if (options.tun) {
    auto tun = os::Tun::open(options.tun_name, options.mtu, options.tun_offloads);
    if (!tun) return tun.error();
    io->tun_ = std::move(*tun);
    io->tun_name_ = io->tun_->name();
  }
  auto udp = os::bind_udp_pair(options.listen_port, 0);
  if (!udp) {
    if (options.listen_port != 0)
      return base::make_error("cannot listen on UDP port {}: {}", options.listen_port,
                              udp.error().message());
    return udp.error();
  }
  io->udp_ = std::move(*udp);
  if (options.udp_gso || options.udp_gro) {
    os::UdpOffloads probed = os::probe_udp_offloads();
    io->udp_offloads_.gso = options.udp_gso && probed.gso;
    io->udp_offloads_.gro = options.udp_gro && probed.gro;
  }
  auto backend = detail::make_io_backend(options.io, &io->drops_);
  if (!backend) return backend.error();
  io->backend_ = std::move(*backend);
  return io;
}

os::UdpSocket* KernelIo::socket(Family family) const {
  const auto& s = family == Family::kV4 ? udp_.v4 : udp_.v6;
  return s ? const_cast<os::UdpSocket*>(&*s) : nullptr;
}

base::Result<void> KernelIo::watch_ports(const PortTags& tags) {
  tags_ = tags;
  ports_watched_ = true;
  if (tun_) MW_RETURN_IF_ERROR(backend_->watch(tun_->fd(), tags.tun, false, true));
  return watch_sockets();
}

base::Result<void> KernelIo::watch_sockets() {
  for (os::UdpSocket* s : {socket(Family::kV4), socket(Family::kV6)}) {
    if (s && udp_offloads_.gro && !os::enable_gro(*s)) udp_offloads_.gro = false;
  }
  if (!ports_watched_) return {};
  if (udp_.v4) MW_RETURN_IF_ERROR(backend_->watch(udp_.v4->fd(), tags_.udp4, false, true));
  if (udp_.v6) MW_RETURN_IF_ERROR(backend_->watch(udp_.v6->fd(), tags_.udp6, false, true));
  return {};
}

base::Result<void> KernelIo::rebind_udp(uint16_t port, uint32_t fwmark) {
  auto pair = os::bind_udp_pair(port, fwmark);
  if (!pair) return pair.error();
  if (udp_.v4) backend_->unwatch(udp_.v4->fd());
  if (udp_.v6) backend_->unwatch(udp_.v6->fd());
  udp_ = std::move(*pair);
  return watch_sockets();
}

base::Result<void> KernelIo::set_fwmark(uint32_t fwmark) {
  for (os::UdpSocket* s : {socket(Family::kV4), socket(Family::kV6)}) {
    if (s) MW_RETURN_IF_ERROR(s->set_mark(fwmark));
  }
  return {};
}

base::Result<size_t> KernelIo::read_tun(std::span<PacketSlot> slots) {
  if (!tun_) return size_t(0);
  return tun_->read_batch(slots);
}

base::Result<size_t> KernelIo::recv_udp(Family family, std::span<DatagramSlot> slots) {
  os::UdpSocket* s = socket(family);
  if (!s) return size_t(0);
  return s->recv_batch(slots);
}

void KernelIo::send_udp(Family family, std::span<const DatagramSlot> datagrams) {
  os::UdpSocket* s = socket(family);
  if (!s) {
    drops_.udp_send += datagrams.size();
    return;
  }
  backend_->send(*s, datagrams);
}

void KernelIo::send_udp_run(Family family, std::span<const DatagramSlot> run) {
  os::UdpSocket* s = socket(family);
  if (!s) {
    drops_.udp_send += run.size();
    return;
  }
  if (udp_offloads_.gso) {
    backend_->send_segmented(*s, run);
  } else {
    backend_->send(*s, run);
  }
}

void KernelIo::write_tun(std::span<const PacketSlot> packets) {
  if (!tun_) {  // gossip only: the device has no peers, so nothing should arrive here
    drops_.tun_write += packets.size();
    return;
  }
  backend_->write(*tun_, packets);
}

}  // namespace mw::dp
