// SPDX-License-Identifier: Apache-2.0
// The epoll I/O backend of KernelIo (every write is a syscall made at once: sendmmsg, a UDP_SEGMENT
// sendmsg, write(2) per TUN packet), the choice of backend, and the --io names.
#include "dataplane/io_backend.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

#include "base/log.h"
#include "os/udp_offload.h"

namespace mw::dp {

std::optional<IoMode> parse_io_mode(std::string_view text) {
  if (text == "auto") return IoMode::kAuto;
  if (text == "uring" || text == "io_uring") return IoMode::kUring;
  if (text == "epoll") return IoMode::kEpoll;
  return std::nullopt;
}

const char* io_mode_name(IoMode mode) {
  switch (mode) {
    case IoMode::kAuto: return "auto";
    case IoMode::kUring: return "uring";
    case IoMode::kEpoll: return "epoll";
  }
  return "auto";
}

}  // namespace mw::dp

namespace mw::dp::detail {
namespace {

class EpollBackend final : public IoBackend {
 public:
  EpollBackend(os::Epoll epoll, IoDrops* drops) : epoll_(std::move(epoll)), drops_(*drops) {}

  const char* name() const override { return "epoll"; }
  base::Result<void> watch(int fd, uint64_t tag, bool writable, bool readable) override {
    return epoll_.add(fd, tag, writable, readable);
  }
  base::Result<void> rewatch(int fd, uint64_t tag, bool writable, bool readable) override {
    return epoll_.modify(fd, tag, writable, readable);
  }
  void unwatch(int fd) override { epoll_.remove(fd); }
  base::Result<size_t> wait(std::span<os::PollEvent> events, base::Duration timeout) override {
    return epoll_.wait(events, timeout);
  }

  void send(os::UdpSocket& socket, std::span<const os::DatagramSlot> datagrams) override {
    socket.send_batch(datagrams, &drops_.udp_send);
  }
  void send_segmented(os::UdpSocket& socket, std::span<const os::DatagramSlot> run) override {
    // Gathered straight from the output slots: no copy into one buffer.
    std::array<base::Bytes, os::kMaxGsoParts> parts;
    size_t n = std::min(run.size(), parts.size());
    for (size_t i = 0; i < n; ++i) parts[i] = base::Bytes(run[i].data, run[i].length);
    if (run.size() > parts.size() ||
        !os::send_gso(socket, run[0].peer, std::span(parts.data(), n), run[0].length))
      socket.send_batch(run, &drops_.udp_send);
  }
  void write(os::Tun& tun, std::span<const os::PacketSlot> packets) override {
    auto r = tun.write_batch(packets, &drops_.tun_write);
    if (!r && !tun_error_) tun_error_ = r.error();
  }
  base::Result<void> commit() override {
    if (!tun_error_) return {};
    base::Error e = *tun_error_;
    tun_error_.reset();
    return e;
  }

 private:
  os::Epoll epoll_;
  IoDrops& drops_;
  std::optional<base::Error> tun_error_;
};

}  // namespace

std::unique_ptr<IoBackend> make_epoll_backend(os::Epoll epoll, IoDrops* drops) {
  return std::make_unique<EpollBackend>(std::move(epoll), drops);
}

base::Result<std::unique_ptr<IoBackend>> make_io_backend(IoMode mode, IoDrops* drops) {
  // kAuto is epoll until io_uring measures at least as fast (see docs/meshward-wg.md).
  if (mode == IoMode::kUring) return make_uring_backend(drops);
  auto ep = os::Epoll::create();
  if (!ep) return ep.error();
  return make_epoll_backend(std::move(*ep), drops);
}

}  // namespace mw::dp::detail
