// SPDX-License-Identifier: Apache-2.0
// The kernel side of KernelIo: readiness of fds (TUN, UDP, and whatever else the loop watches)
// and the hot writes (UDP datagrams, GSO runs, TUN packets) on real os:: objects. Two
// implementations: epoll with immediate syscalls, and io_uring with polls and writes batched
// into one io_uring_enter per commit. Include only from dataplane/kernel_io* and its tests.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "base/result.h"
#include "base/time.h"
#include "dataplane/packet_io.h"
#include "os/epoll.h"
#include "os/tun.h"
#include "os/udp_socket.h"

namespace mw::dp {

// How the loop waits and writes: io_uring (polls, and UDP/TUN writes batched into one
// io_uring_enter per flush) or epoll (a syscall per wait and per write batch). kAuto is epoll
// until io_uring measures at least as fast here (docs/meshward-wg.md); kUring fails when the
// kernel refuses io_uring.
enum class IoMode { kAuto, kUring, kEpoll };
// "auto", "uring" (or "io_uring"), "epoll"; nullopt for anything else.
std::optional<IoMode> parse_io_mode(std::string_view text);
const char* io_mode_name(IoMode mode);

namespace detail {

// Contract: one thread. Watches are level-triggered on both backends: a fd that stays ready is
// reported by every wait(). Buffers handed to send/send_segmented/write are read until commit()
// returns; the epoll backend writes at once, the io_uring one at commit().
class IoBackend {
 public:
  virtual ~IoBackend() = default;
  virtual const char* name() const = 0;  // "epoll" or "io_uring"

  virtual base::Result<void> watch(int fd, uint64_t tag, bool writable, bool readable) = 0;
  virtual base::Result<void> rewatch(int fd, uint64_t tag, bool writable, bool readable) = 0;
  virtual void unwatch(int fd) = 0;
  // Waits at most `timeout` (zero: just looks); returns the number of events filled.
  virtual base::Result<size_t> wait(std::span<os::PollEvent> events, base::Duration timeout) = 0;

  // Datagrams to their peers (sendmmsg or one sendmsg each).
  virtual void send(os::UdpSocket& socket, std::span<const os::DatagramSlot> datagrams) = 0;
  // A run to one peer, all of the first's length but a possibly shorter last: one UDP_SEGMENT
  // send (falling back to plain sends when the kernel refuses it).
  virtual void send_segmented(os::UdpSocket& socket, std::span<const os::DatagramSlot> run) = 0;
  virtual void write(os::Tun& tun, std::span<const os::PacketSlot> packets) = 0;
  // Everything queued has left (or been dropped and counted). An error: the TUN is gone.
  virtual base::Result<void> commit() = 0;
};

std::unique_ptr<IoBackend> make_epoll_backend(os::Epoll epoll, IoDrops* drops);
// Fails when the kernel refuses io_uring.
base::Result<std::unique_ptr<IoBackend>> make_uring_backend(IoDrops* drops);
// The backend for `mode`: kAuto is epoll (see IoMode); kUring fails if io_uring is refused.
base::Result<std::unique_ptr<IoBackend>> make_io_backend(IoMode mode, IoDrops* drops);

}  // namespace detail
}  // namespace mw::dp
