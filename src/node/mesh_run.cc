// SPDX-License-Identifier: Apache-2.0
// run_mesh: the foreground life of `meshward up`: the interface with the mesh on its loop.
#include <fmt/format.h>

#include "base/clock.h"
#include "base/log.h"
#include "node/mesh_daemon.h"
#include "node/wg_interface.h"

namespace mw::node {

int run_mesh(MeshOptions options) {
  base::SystemClock& clock = base::SystemClock::instance();
  WgInterfaceOptions wg;
  wg.name = options.interface;
  wg.mtu = options.mtu;
  wg.listen_port = options.port;
  wg.tun = !options.gossip_only;
  wg.tun_offload = options.tun_offload;
  wg.udp_gso = options.udp_gso;
  wg.udp_gro = options.udp_gro;
  wg.io = options.io;
  wg.crypto_workers = options.crypto_workers;
  wg.busy_poll = base::Duration::micros(options.busy_poll_us);
  MeshDaemon mesh(std::move(options), clock.now(), clock.wall());
  wg.hooks = &mesh;
  auto iface = WgInterface::create(wg);
  if (!iface) {
    fmt::print(stderr, "error: {}\n", iface.error().message());
    return 1;
  }
  auto r = (*iface)->run();
  if (!r) {
    MW_LOG_ERROR("{}", r.error().message());
    return 1;
  }
  MW_LOG_INFO("meshward stopped");
  return 0;
}

}  // namespace mw::node
