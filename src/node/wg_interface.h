// SPDX-License-Identifier: Apache-2.0
// WgInterface: one userspace WireGuard interface. It owns the TUN device, the IPv4/IPv6 UDP
// sockets, the UAPI socket and a wg::Device, and runs them on one loop (epoll or io_uring): TUN
// packets are routed into the device, datagrams out of it, handshakes are queued so that the
// under-load rule (cookies) sees the backlog, and timers run at the device's deadline.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/time.h"

namespace mw::node {

class InterfaceHooks;

// How the loop waits and writes: io_uring (polls, and UDP/TUN writes batched into one
// io_uring_enter per flush) or epoll (a syscall per wait and per write batch). kAuto picks the
// faster one measured here and falls back to epoll when the kernel refuses io_uring.
enum class IoMode { kAuto, kUring, kEpoll };
// "auto", "uring" (or "io_uring"), "epoll"; nullopt for anything else.
std::optional<IoMode> parse_io_mode(std::string_view text);
const char* io_mode_name(IoMode mode);
// The number of sealing threads `crypto_workers` stands for (0: the online CPUs), in 1..8.
int resolve_crypto_workers(int crypto_workers);

struct WgInterfaceOptions {
  std::string name;  // e.g. "wg0"
  int mtu = 1420;
  std::string socket_dir = "/var/run/wireguard";  // the UAPI socket is <dir>/<name>.sock
  // Offloads, each used only if the start-up probe shows it works (kernels have shipped bugs).
  bool tun_offload = true;    // virtio-net headers: 64 KiB TCP super-packets in and out of TUN
  bool udp_gso = true;        // one sendmsg for a run of equal-size datagrams to one peer
  bool udp_gro = true;        // one recvmsg for several datagrams of one flow
  uint16_t listen_port = 0;   // 0: a random free port
  bool tun = true;            // false: no TUN at all (a gossip-only mesh node)
  bool uapi = true;           // serve the wg(8) UAPI socket
  IoMode io = IoMode::kAuto;  // kUring fails start-up when the kernel refuses io_uring
  // Threads sealing outbound and opening inbound batches, counting the loop's own: 0 = auto
  // (the online CPUs), 1 = the loop does every packet itself, one by one. 1 by default: on the
  // 2-CPU host we measure on, 2 threads were slower (docs/meshward-wg.md).
  int crypto_workers = 1;
  // Before sleeping, keep looking for events this long (0: sleep at once): less wake-up latency
  // and fewer context switches for a core spent spinning. Off by default.
  base::Duration busy_poll = base::Duration::zero();
  // A subsystem sharing the loop and the UDP port (the mesh); not owned, outlives run().
  InterfaceHooks* hooks = nullptr;
};

class WgInterface {
 public:
  // Creates the TUN interface and the UAPI socket, binds the UDP sockets, then calls the hooks'
  // on_start.
  static base::Result<std::unique_ptr<WgInterface>> create(const WgInterfaceOptions& options);
  virtual ~WgInterface() = default;
  // Serves until SIGINT/SIGTERM or until the interface is deleted; then removes the socket.
  virtual base::Result<void> run() = 0;
  virtual const std::string& socket_path() const = 0;
};

}  // namespace mw::node

namespace mw::node {

// The whole life of `meshward-wg`: daemonize unless `foreground` (the launching process exits
// 0 once the interface and its UAPI socket exist, 1 if creating them failed), then serve.
// Returns the process exit code. `keep_stderr` keeps the daemon's log output attached.
int run_wg_daemon(const WgInterfaceOptions& options, bool foreground, bool keep_stderr);

}  // namespace mw::node
