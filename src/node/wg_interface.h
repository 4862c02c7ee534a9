// SPDX-License-Identifier: Apache-2.0
// WgInterface: one userspace WireGuard interface, composed: a KernelIo (the TUN, probed for
// offloads first, and the UDP port), a dp::Engine over it, the PathManager that owns the peers'
// endpoints, the node's EventLoop, and the UAPI socket as a subsystem of the loop. meshward-wg runs
// it alone; `meshward up` adds the mesh daemon to its loop.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "base/result.h"
#include "base/time.h"
#include "dataplane/engine.h"
#include "dataplane/kernel_io.h"
#include "node/event_loop.h"
#include "node/path_manager.h"
#include "node/uapi_server.h"

namespace mw::node {

// The data-path settings meshward-wg and `meshward up` share.
struct DataPathOptions {
  // Offloads, each used only if the start-up probe shows it works (kernels have shipped bugs).
  bool tun_offload = true;  // virtio-net headers: 64 KiB TCP super-packets in and out of TUN
  bool udp_gso = true;      // one sendmsg for a run of equal-size datagrams to one peer
  bool udp_gro = true;      // one recvmsg for several datagrams of one flow
  dp::IoMode io = dp::IoMode::kAuto;
  // Sealing and opening threads, the loop's included: 0 = the online CPUs; 1 by default (on
  // the 2-CPU host we measure on, 2 threads were slower; docs/meshward-wg.md).
  int crypto_workers = 1;
  // Before sleeping, keep looking for events this long (0: sleep at once): less wake-up latency
  // and fewer context switches for a core spent spinning. Off by default.
  base::Duration busy_poll = base::Duration::zero();
};

struct WgInterfaceOptions {
  std::string name;  // e.g. "wg0"
  int mtu = 1420;
  std::string socket_dir = "/var/run/wireguard";  // the UAPI socket is <dir>/<name>.sock
  uint16_t listen_port = 0;                       // 0: a random free port
  bool tun = true;                                // false: no TUN (a gossip-only mesh node)
  bool uapi = true;                               // serve the wg(8) UAPI socket
  // Refuse UAPI sets (gets still answer `wg show`): the mesh owns this interface's peers and
  // port, and a change behind its back would never be reconciled.
  bool uapi_read_only = false;
  DataPathOptions data_path;
};

class WgInterface {
 public:
  // Creates the TUN interface, binds the UDP port, starts the engine and the loop (signals
  // included) and the UAPI socket.
  static base::Result<std::unique_ptr<WgInterface>> create(const WgInterfaceOptions& options);
  ~WgInterface();

  EventLoop& loop() { return *loop_; }
  dp::Engine& engine() { return *engine_; }
  PathManager& paths() { return *paths_; }
  // Serves until SIGINT/SIGTERM, a stop or the interface being deleted; logs the drops.
  base::Result<void> run();
  // "" without a UAPI socket.
  const std::string& socket_path() const;
  std::string data_path() const;

 private:
  WgInterface() = default;
  void log_counters() const;

  WgInterfaceOptions options_;
  std::unique_ptr<dp::KernelIo> io_;
  std::unique_ptr<dp::Engine> engine_;
  std::unique_ptr<PathManager> paths_;  // after engine_: told first when going away
  std::unique_ptr<EventLoop> loop_;
  std::unique_ptr<UapiServer> uapi_;
};

// The whole life of `meshward-wg`: daemonize unless `foreground` (the launching process exits
// 0 once the interface and its UAPI socket exist, 1 if creating them failed), then serve.
// Returns the process exit code. `keep_stderr` keeps the daemon's log output attached.
int run_wg_daemon(const WgInterfaceOptions& options, bool foreground, bool keep_stderr);

}  // namespace mw::node
